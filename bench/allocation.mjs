// npm run bench:allocation: bytes allocated per GraphQL request (V8's sampling heap profiler,
// collected objects included) by this server and by the bare stack, side by side. Unlike
// throughput it hardly depends on the machine's load, and every byte allocated is work for the
// garbage collector.
import autocannon from "autocannon";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import {
  DEMO_TOKEN,
  root,
  startFloorProcess,
  startSandboxProcess,
  startServerProcess,
  table,
} from "./lib.mjs";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "4000" },
    // Another checkout with a built dist/, measured as "before".
    baseline: { type: "string" },
  },
});
const REQUESTS = Number(values.requests);
const MANY = "2034020000000100003";
const selection = "attachments(first: 20) { nodes { id fileName size } }";

function cannon(url, query, options) {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: `${url}/graphql`,
        method: "POST",
        connections: 10,
        headers: {
          authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ query }),
        ...options,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

/** Waits until the probe has written `out`: empty once sampling has started, a number when done. */
async function probeWrote(out, done) {
  for (;;) {
    const text = existsSync(out) ? readFileSync(out, "utf8") : undefined;
    if (text !== undefined && (!done || text !== "")) return text;
    await sleep(20);
  }
}

async function measure(name, start, query) {
  const out = join(tmpdir(), `bigin-allocation-${process.pid}-${name}`);
  rmSync(out, { force: true });
  const env = {
    NODE_OPTIONS: `--import ${join(root, "bench/allocation-probe.mjs")}`,
    ALLOCATION_OUT: out,
  };
  const server = await start(env);
  try {
    await cannon(server.url, query, { duration: 3 }); // warm-up: JIT, sockets, caches
    server.child.kill("SIGUSR2");
    await probeWrote(out, false);
    const result = await cannon(server.url, query, { amount: REQUESTS });
    const failed = result.errors + result.non2xx;
    if (failed > 0) throw new Error(`${name}: ${failed} of ${REQUESTS} requests failed`);
    rmSync(out);
    server.child.kill("SIGUSR2");
    const bytes = Number(await probeWrote(out, true));
    return bytes / REQUESTS / 1024;
  } finally {
    rmSync(out, { force: true });
    await server.stop();
  }
}

const sandbox = await startSandboxProcess();
try {
  const ours = `{ record(module: Contacts, id: "${MANY}") { ${selection} } }`;
  const floorQuery = `{ record(module: "Contacts", id: "${MANY}") { ${selection} } }`;
  const serverEnv = (env) => ({ BIGIN_CONCURRENCY: "50", LOG_LEVEL: "info", ...env });
  const kib = {
    floor: await measure(
      "floor",
      (env) => startFloorProcess(sandbox.url, "fastify", env),
      floorQuery,
    ),
    ...(values.baseline && {
      before: await measure(
        "before",
        (env) => startServerProcess(sandbox.url, serverEnv(env), values.baseline),
        ours,
      ),
    }),
    ours: await measure("ours", (env) => startServerProcess(sandbox.url, serverEnv(env)), ours),
  };
  console.log(
    `\n## Allocated per request: one record, 20 attachments, fields id, fileName, size (${REQUESTS} requests each)`,
  );
  console.log(
    table([
      ["server", "KiB allocated per request", "ours / server"],
      ...Object.entries(kib).map(([name, value]) => [
        name,
        value.toFixed(1),
        (kib.ours / value).toFixed(2),
      ]),
    ]),
  );
} finally {
  await sandbox.stop();
}
