// npm run bench:replicas (and the end of npm run bench): replicas sharing one Bigin call budget
// through Redis behind HAProxy, against the sandbox playing one Zoho org (at most 10 calls at
// once, 429 above, --latency ms a call), side by side with one process and with the caps per
// process the budget replaces. Every server, the sandbox, redis-server and HAProxy are separate
// processes on loopback, from the built dist/.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import {
  DEMO_TOKEN,
  control,
  freePort,
  percentile,
  root,
  runLoad,
  startServerProcess,
  table,
} from "./lib.mjs";

const { values } = parseArgs({
  options: {
    latency: { type: "string", default: "200" },
    operations: { type: "string", default: "600" },
    clients: { type: "string", default: "60" },
  },
});
const LATENCY_MS = Number(values.latency);
const OPERATIONS = Number(values.operations);
const CLIENTS = Number(values.clients);
const ORG_LIMIT = 10;
const BURST = 200;

const MANY = "2034020000000100003";
const BODY = JSON.stringify({
  query: `{ record(module: Contacts, id: "${MANY}") { attachments(first: 20) { nodes { id fileName size } } } }`,
});
const PATH = `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin`;
const out = (text) => process.stdout.write(`${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const children = [];
// Whatever happens, nothing started here outlives the benchmark.
process.once("exit", () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});
function start(command, args, env = {}) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, PATH, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return child;
}
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
}

async function until(check, what, ms = 20_000) {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > ms) throw new Error(`${what} did not come up`);
    await sleep(50);
  }
}

for (const [command, install] of [
  ["haproxy", "haproxy"],
  ["redis-server", "redis-server"],
]) {
  if (spawnSync(command, ["-v"], { env: { ...process.env, PATH } }).status !== 0) {
    out(`## Replicas: skipped (no ${command}; apt-get install -y ${install})`);
    process.exit(0);
  }
}

// The org: the sandbox refusing an 11th call at once, each call LATENCY_MS long.
const sandboxChild = start(process.execPath, ["bench/sandbox-process.mjs"], {
  SANDBOX_MAX_CONCURRENCY: String(ORG_LIMIT),
});
const [line] = await once(sandboxChild.stdout, "data");
const sandboxUrl = JSON.parse(String(line)).url;
const sandbox = control(sandboxUrl);
await sandbox.fault({ path: "/Attachments", latencyMs: LATENCY_MS });

const redisPort = await freePort();
start("redis-server", [
  "--port",
  String(redisPort),
  "--bind",
  "127.0.0.1",
  "--save",
  "",
  "--appendonly",
  "no",
]);
const redisUrl = `redis://127.0.0.1:${redisPort}`;
// Commands wait (offline queue) until redis-server accepts the connection.
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
redis.on("error", () => {});
await until(() => redis.ping().then((pong) => pong === "PONG"), "redis-server");

/** HAProxy round robin over `ports`, checking /healthz (the sandbox counts /readyz's probe). */
async function startHaproxy(ports) {
  const dir = await mkdtemp(join(tmpdir(), "bench-haproxy-"));
  const port = await freePort();
  const config = [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 60s",
    "  timeout server 60s",
    "frontend graphql",
    `  bind 127.0.0.1:${port}`,
    "  default_backend replicas",
    "backend replicas",
    "  balance roundrobin",
    "  option httpchk",
    "  http-check send meth GET uri /healthz",
    "  timeout check 2s",
    "  default-server inter 500ms fall 3",
    ...ports.map((p, i) => `  server r${i + 1} 127.0.0.1:${p} check`),
    "",
  ].join("\n");
  await writeFile(join(dir, "haproxy.cfg"), config);
  const child = start("haproxy", ["-db", "-f", join(dir, "haproxy.cfg")]);
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/healthz`)).ok, "HAProxy");
  return {
    url,
    async stop() {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Sums a metric over the servers' /metrics, per `kind` label when it has one. */
async function roundTrips(servers) {
  const sum = { slot: 0, upkeep: 0 };
  for (const server of servers) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const match of text.matchAll(
      /^bigin_call_budget_redis_round_trips_total\{kind="(\w+)"\} (\d+)/gm,
    )) {
      sum[match[1]] += Number(match[2]);
    }
  }
  return sum;
}

/** One deployment: `replicas` servers behind HAProxy, each with `env`. */
async function measure(name, replicas, env) {
  await redis.flushall();
  const servers = [];
  for (let i = 0; i < replicas; i += 1) {
    servers.push(await startServerProcess(sandboxUrl, env));
  }
  const lb = await startHaproxy(servers.map((s) => Number(new URL(s.url).port)));
  const errors = { count: 0 };
  const operate = async () => {
    const response = await fetch(`${lb.url}/graphql`, {
      method: "POST",
      headers: {
        authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
        "content-type": "application/json",
      },
      body: BODY,
    });
    const body = await response.json().catch(() => ({ errors: ["not JSON"] }));
    if (response.status !== 200 || body.errors) errors.count += 1;
  };
  try {
    await runLoad(100, 20, operate); // warm-up: JIT, sockets
    errors.count = 0;
    await sandbox.reset();
    const before = await roundTrips(servers);
    const burst = await runLoad(BURST, BURST, operate);
    const sustained = await runLoad(OPERATIONS, CLIENTS, operate);
    const after = await roundTrips(servers);
    const calls = await sandbox.requests();
    const answered = calls.filter((c) => c.path.endsWith("/Attachments"));
    const limited = answered.filter((c) => c.status === 429).length;
    const made = answered.length - limited;
    const perCall = (kind) => ((after[kind] - before[kind]) / made).toFixed(2);
    const burstIdeal = (BURST * LATENCY_MS) / ORG_LIMIT;
    const rateIdeal = (ORG_LIMIT * 1000) / LATENCY_MS;
    return [
      name,
      `${(burst.seconds * 1000).toFixed(0)} / ${burstIdeal} (${((burst.seconds * 1000) / burstIdeal).toFixed(2)})`,
      `${sustained.rps.toFixed(1)} / ${rateIdeal} (${(sustained.rps / rateIdeal).toFixed(2)})`,
      `${percentile(sustained.latencies, 50).toFixed(0)} / ${percentile(sustained.latencies, 99).toFixed(0)}`,
      String(limited),
      String(errors.count),
      env.REDIS_URL ? `${perCall("slot")} + ${perCall("upkeep")}` : "-",
    ];
  } finally {
    await lb.stop();
    for (const server of servers) await server.stop();
  }
}

try {
  const rows = [
    await measure("1 process, no Redis", 1, { BIGIN_CONCURRENCY: "10" }),
    await measure("1 process, REDIS_URL", 1, { BIGIN_CONCURRENCY: "10", REDIS_URL: redisUrl }),
    await measure("3 replicas, REDIS_URL (shared)", 3, {
      BIGIN_CONCURRENCY: "10",
      REDIS_URL: redisUrl,
    }),
    await measure("3 replicas, 3 each, no Redis", 3, { BIGIN_CONCURRENCY: "3" }),
    await measure("3 replicas, 10 each, no Redis", 3, { BIGIN_CONCURRENCY: "10" }),
  ];
  out(
    `\n## Replicas: one Zoho org (${ORG_LIMIT} calls at once, 429 above, ${LATENCY_MS} ms a call), BIGIN_CONCURRENCY=10 unless said, through HAProxy`,
  );
  out(
    `burst = ${BURST} operations at once; sustained = ${OPERATIONS} operations by ${CLIENTS} clients (ideal p50 ${(CLIENTS / ORG_LIMIT) * LATENCY_MS} ms); every operation is one Bigin call`,
  );
  out(
    table([
      [
        "deployment",
        "burst ms / ideal",
        "sustained ops/s / ideal",
        "p50 / p99 ms",
        "upstream 429s",
        "client errors",
        "Redis round trips per call (slot + upkeep)",
      ],
      ...rows,
    ]),
  );
  out("");
} finally {
  redis.disconnect();
  for (const child of children) await stop(child);
}
