// npm run bench: the server against the limit, measured side by side in one run (ratios, not
// absolute times: the machine is shared and noisy). Starts the sandbox and the server as
// separate processes on loopback, from the built dist/.
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { once as onceEvent } from "node:events";
import http from "node:http";
import { parseArgs } from "node:util";
import {
  DEMO_TOKEN,
  control,
  cpuMicros,
  percentile,
  rssMiB,
  sampleRss,
  startFloorProcess,
  startSandboxProcess,
  startServerProcess,
  root,
  table,
} from "./lib.mjs";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "3" },
    streaming: { type: "boolean", default: true },
    // Another checkout with a built dist/ (e.g. a git worktree of an older commit), measured
    // side by side as "before".
    baseline: { type: "string" },
  },
  allowNegative: true,
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);

const MANY = "2034020000000100003"; // 450 attachments
const RICH = "2034020000000100001";
const auth = `Zoho-oauthtoken ${DEMO_TOKEN}`;
const LIST_QUERY = JSON.stringify({
  query: `{ record(module: Contacts, id: "${MANY}") { attachments(first: 20) { nodes { id fileName size } } } }`,
});

const out = (text) => process.stdout.write(`${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cannon(options) {
  return new Promise((resolve, reject) => {
    autocannon({ duration: SECONDS, ...options }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

async function timeToReady(spawnServer) {
  const started = performance.now();
  const server = await spawnServer();
  for (;;) {
    const response = await fetch(`${server.url}/readyz`).catch(() => undefined);
    if (response?.status === 200) return { server, ms: performance.now() - started };
    await sleep(5);
  }
}

const sandbox = await startSandboxProcess();
const sandboxControl = control(sandbox.url);
const { server, ms: startupMs } = await timeToReady(() =>
  startServerProcess(sandbox.url, { BIGIN_CONCURRENCY: "50", LOG_LEVEL: "info" }),
);
const pid = server.child.pid;
const floor = await startFloorProcess(sandbox.url, "fastify");
const expressFloor = await startFloorProcess(sandbox.url, "express");
const baseline = values.baseline
  ? await startServerProcess(
      sandbox.url,
      { BIGIN_CONCURRENCY: "50", LOG_LEVEL: "info" },
      values.baseline,
    )
  : undefined;
const FLOOR_QUERY = JSON.stringify({
  query: `{ record(module: "Contacts", id: "${MANY}") { attachments(first: 20) { nodes { id fileName size } } } }`,
});

/**
 * V8 keeps the young generation that start-up (or a load) grew until its memory reducer runs:
 * 8 s after the last full collection, or another 8 s later when allocation was not yet low. After
 * 30 s without a request a process is at rest.
 */
const REST_MS = 30_000;
/** RSS of ours and of the build before, once both have had REST_MS without a request. */
async function restingRss(since) {
  await sleep(Math.max(0, since + REST_MS - performance.now()));
  return { ours: rssMiB(pid), before: baseline && rssMiB(baseline.child.pid) };
}

try {
  await sleep(500);
  const startedRss = rssMiB(pid);
  const startedRssBefore = baseline && rssMiB(baseline.child.pid);
  const idle = await restingRss(Math.max(server.startedAt, baseline?.startedAt ?? 0));

  // --- Overhead: interleaved rounds (direct, floor, [before,] ours), at 1 and 50 connections.
  const direct = {
    url: `${sandbox.url}/bigin/v2/Contacts/${MANY}/Attachments?fields=File_Name,Size,id&page=1&per_page=20`,
    headers: { authorization: auth },
  };
  const graphql = {
    url: `${server.url}/graphql`,
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: LIST_QUERY,
  };
  const targets = {
    direct,
    express: { ...graphql, url: `${expressFloor.url}/graphql`, body: FLOOR_QUERY },
    floor: { ...graphql, url: `${floor.url}/graphql`, body: FLOOR_QUERY },
    ...(baseline && { before: { ...graphql, url: `${baseline.url}/graphql` } }),
    ours: graphql,
  };
  const names = Object.keys(targets);
  // Warm-up for JIT and sockets.
  for (const target of Object.values(targets))
    await cannon({ ...target, connections: 10, duration: 2 });

  // Whose CPU time a round of each target costs (for direct, the sandbox's).
  const pids = {
    direct: sandbox.child.pid,
    express: expressFloor.child.pid,
    floor: floor.child.pid,
    before: baseline?.child.pid,
    ours: pid,
  };
  const overhead = [];
  const throughput = {};
  const cpuPerRequest = {};
  let peakRss = startedRss;
  let peakRssBefore = startedRssBefore;
  for (const connections of [1, 50]) {
    const samples = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const name of names) {
        const sampler = name === "ours" || name === "before" ? sampleRss(pids[name]) : undefined;
        const cpuBefore = cpuMicros(pids[name]);
        const result = await cannon({ ...targets[name], connections });
        result.cpuMicros = (cpuMicros(pids[name]) - cpuBefore) / result.requests.total;
        samples[name].push(result);
        if (sampler && name === "ours") peakRss = Math.max(peakRss, sampler.stop());
        if (sampler && name === "before") peakRssBefore = Math.max(peakRssBefore, sampler.stop());
      }
    }
    // The median round: one disturbed round on a shared machine does not move it.
    const median = (name, pick) =>
      percentile(
        samples[name].map(pick).sort((a, b) => a - b),
        50,
      );
    const rps = (name) => median(name, (r) => r.requests.average);
    const each = (pick) => names.map((name) => median(name, pick).toFixed(1)).join(" / ");
    throughput[connections] = Object.fromEntries(names.map((name) => [name, rps(name)]));
    cpuPerRequest[connections] = Object.fromEntries(
      names.map((name) => [name, median(name, (r) => r.cpuMicros)]),
    );
    overhead.push([
      `${connections}`,
      ...names.map((name) => rps(name).toFixed(0)),
      (rps("ours") / rps("direct")).toFixed(2),
      (rps("ours") / rps("floor")).toFixed(2),
      (rps("ours") / rps("express")).toFixed(2),
      ...(baseline ? [(rps("ours") / rps("before")).toFixed(2)] : []),
      each((r) => r.latency.p50),
      each((r) => r.latency.p99),
      names.map((name) => samples[name].reduce((t, r) => t + r.errors + r.non2xx, 0)).join(" / "),
    ]);
  }
  await sleep(1000);
  const afterRss = rssMiB(pid);
  const afterRssBefore = baseline && rssMiB(baseline.child.pid);

  // --- Latency at 1 connection with sub-millisecond precision: sequential keep-alive requests,
  // interleaved in blocks of 100 (autocannon reports whole milliseconds).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const once = (target) =>
    new Promise((resolve, reject) => {
      const url = new URL(target.url);
      const request = http.request(
        url,
        { method: target.method ?? "GET", headers: target.headers, agent },
        (response) => {
          response.resume();
          response.on("end", resolve);
        },
      );
      request.on("error", reject);
      request.end(target.body);
    });
  const precise = Object.fromEntries(names.map((name) => [name, []]));
  for (let block = 0; block < 10; block += 1) {
    for (const [name, target] of Object.entries(targets)) {
      for (let i = 0; i < 100; i += 1) {
        const started = performance.now();
        await once(target);
        precise[name].push(performance.now() - started);
      }
    }
  }
  for (const list of Object.values(precise)) list.sort((a, b) => a - b);
  const preciseP50 = Object.fromEntries(
    Object.entries(precise).map(([name, list]) => [name, percentile(list, 50)]),
  );

  // --- Calls: Bigin calls made vs the minimum (distinct record pages).
  const gql = async (query, variables) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  };
  const representations = Array.from({ length: 100 }, (_, i) => ({
    __typename: "BiginRecord",
    module: "Contacts",
    id: [MANY, RICH, "2034020000000100004", "2034020000000100005"][i % 4],
  }));
  const callCases = [
    [
      "duplicated aliases (10 × one page)",
      `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: record(module: Contacts, id: "${RICH}") { attachments { nodes { id fileName } } }`).join(" ")} }`,
      {},
      1,
    ],
    [
      "fragments and aliases on 2 pages",
      `query { a: record(module: Contacts, id: "${MANY}") { ...P b: attachments(first: 10, page: 2) { nodes { ...N } } }
               c: record(module: Contacts, id: "${MANY}") { attachments(first: 10) { nodes { size } } } }
       fragment P on Record { attachments(first: 10) { nodes { ...N } } }
       fragment N on BiginAttachment { fileName createdBy { name } }`,
      {},
      2,
    ],
    [
      "N records (9 distinct)",
      `{ ${[
        "Contacts:2034020000000100001",
        "Contacts:2034020000000100004",
        "Contacts:2034020000000100005",
        "Pipelines:2034020000000200001",
        "Accounts:2034020000000300001",
        "Products:2034020000000400001",
        "Tasks:2034020000000500001",
        "Events:2034020000000600001",
        "Notes:2034020000000700001",
      ]
        .map((r, i) => {
          const [m, id] = r.split(":");
          return `r${i}: record(module: ${m}, id: "${id}") { attachments(first: 5) { nodes { id } } }`;
        })
        .join(" ")} }`,
      {},
      9,
    ],
    [
      "_entities, 100 representations (4 distinct)",
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Record { attachments(first: 5) { nodes { id } } } } }`,
      { r: representations },
      4,
    ],
  ];
  const calls = [];
  for (const [name, query, variables, minimum] of callCases) {
    await sandboxControl.reset();
    const result = await gql(query, variables);
    const made = (await sandboxControl.requests()).length;
    const note = result.errors ? ` (errors: ${result.errors[0].message.slice(0, 60)})` : "";
    calls.push([name, made, minimum, (made / minimum).toFixed(2) + note]);
  }
  const lastRequest = performance.now();

  // --- Fan-out: 100 distinct pages with the sandbox at 50 ms and BIGIN_CONCURRENCY=5.
  const fanServer = await startServerProcess(sandbox.url, { BIGIN_CONCURRENCY: "5" });
  const fanQuery = `{ record(module: Contacts, id: "${MANY}") { ${Array.from({ length: 100 }, (_, i) => `p${i}: attachments(first: 4, page: ${i + 1}) { nodes { id } }`).join(" ")} } }`;
  const fan = async () => {
    const started = performance.now();
    const response = await fetch(`${fanServer.url}/graphql`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ query: fanQuery }),
    });
    const body = await response.json();
    if (body.errors) throw new Error(`fan-out failed: ${body.errors[0].message}`);
    return performance.now() - started;
  };
  await fan(); // warm-up, without latency
  await sandboxControl.fault({ latencyMs: 50 });
  const fanTimes = [];
  for (let i = 0; i < 3; i += 1) fanTimes.push(await fan());
  await sandboxControl.clearFaults();
  await fanServer.stop();
  const ideal = Math.ceil(100 / 5) * 50;
  fanTimes.sort((a, b) => a - b);
  const fanMedian = percentile(fanTimes, 50);
  // Neither ours nor the build before has had a request since the Bigin calls test.
  const rested = await restingRss(lastRequest);

  out(
    "\n## Overhead: one record, 20 attachments, fields id, fileName, size (GraphQL vs direct REST)",
  );
  out(
    "direct = the REST call to the sandbox; express / floor = Apollo Server + axios with one " +
      "hard-wired resolver on Express 5 / on Fastify 5 (bench/floor-server.mjs);" +
      (baseline ? ` before = the build in ${values.baseline};` : "") +
      " ours = this server",
  );
  const ratios = [
    "ours/direct",
    "ours/floor",
    "ours/express",
    ...(baseline ? ["ours/before"] : []),
  ];
  const slash = names.map((n) => n[0]).join("/");
  out(
    table([
      [
        "conns",
        ...names.map((n) => `${n} req/s`),
        ...ratios,
        `p50 ms ${slash}`,
        `p99 ms ${slash}`,
        `errors ${slash}`,
      ],
      ...overhead,
    ]),
  );
  const fifty = throughput[50];
  out(
    `\nAt 50 connections: ours/floor ${(fifty.ours / fifty.floor).toFixed(2)} (target ≥ 0.95)` +
      (baseline ? `, ours/before ${(fifty.ours / fifty.before).toFixed(2)} (target ≥ 1.25)` : ""),
  );
  // Less noisy than req/s on a shared machine: the load generator and the sandbox take their
  // share of the same cores whichever server they drive.
  const cpu = cpuPerRequest[50];
  out(
    "CPU time per request at 50 connections (user + system, all threads; for direct the " +
      `sandbox's), µs: ${names.map((name) => `${name} ${cpu[name].toFixed(0)}`).join(", ")}` +
      (baseline ? `; before/ours ${(cpu.before / cpu.ours).toFixed(2)}` : "") +
      `, express/floor ${(cpu.express / cpu.floor).toFixed(2)}`,
  );
  const added = (name) => preciseP50[name] - preciseP50.direct;
  out(
    `\nLatency at 1 connection, sequential, 1000 requests each, p50 ms: ` +
      names.map((name) => `${name} ${preciseP50[name].toFixed(3)}`).join(", ") +
      `\nadded over direct: ours ${added("ours").toFixed(3)} ms` +
      (baseline ? `, before ${added("before").toFixed(3)} ms (target: ours no worse)` : "") +
      `; ours over the floor: ${(preciseP50.ours - preciseP50.floor).toFixed(3)} ms`,
  );
  out("\n## Bigin calls vs the minimum");
  out(table([["operation", "calls", "minimum", "ratio"], ...calls]));
  out("\n## Fan-out: 100 pages, sandbox latency 50 ms, BIGIN_CONCURRENCY=5");
  out(
    table([
      ["median wall ms", "ideal ms", "ratio (target ≤ 1.15)"],
      [fanMedian.toFixed(0), ideal, (fanMedian / ideal).toFixed(2)],
    ]),
  );
  out("\n## Memory (server process) and start-up");
  out(
    table([
      [
        "server",
        "RSS after start-up MiB",
        "idle RSS at rest MiB (≤ 90)",
        "peak RSS under load MiB (≤ 180)",
        "1 s after load MiB",
        "at rest after load MiB",
        "start to /readyz 200 ms",
      ],
      [
        "ours",
        ...[startedRss, idle.ours, peakRss, afterRss, rested.ours].map((f) => f.toFixed(1)),
        startupMs.toFixed(0),
      ],
      ...(baseline
        ? [
            [
              "before",
              ...[startedRssBefore, idle.before, peakRssBefore, afterRssBefore, rested.before].map(
                (f) => f.toFixed(1),
              ),
            ],
          ]
        : []),
    ]),
  );
  out(
    `"at rest": ${REST_MS / 1000} s without a request, once V8 has handed back the young ` +
      "generation that start-up or the load grew (bench/README.md, Memory)",
  );
  out("");
} finally {
  await baseline?.stop();
  await floor.stop();
  await expressFloor.stop();
  await server.stop();
  await sandbox.stop();
}

{
  // The largest answers the default limits let through, 32 at once: RSS and /healthz.
  const child = spawn(process.execPath, ["bench/worst-case.mjs"], { cwd: root, stdio: "inherit" });
  const [code] = await onceEvent(child, "exit");
  if (code !== 0) process.exitCode = code ?? 1;
}

if (values.streaming) {
  out("## Streaming: a 320 MB download through GET /files/... vs straight from the sandbox");
  const child = spawn(process.execPath, ["bench/streaming.mjs"], {
    cwd: root,
    env: { ...process.env, BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? "3" },
    stdio: "inherit",
  });
  const [code] = await onceEvent(child, "exit");
  if (code !== 0) process.exitCode = code ?? 1;
}
