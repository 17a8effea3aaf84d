// npm run bench: the server against the limit, measured side by side in one run (ratios, not
// absolute times: the machine is shared and noisy). Starts the sandbox and the server as
// separate processes on loopback, from the built dist/.
import autocannon from "autocannon";
import { parseArgs } from "node:util";
import {
  DEMO_TOKEN,
  control,
  percentile,
  rssMiB,
  sampleRss,
  startSandboxProcess,
  startServerProcess,
  table,
} from "./lib.mjs";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "3" },
  },
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

try {
  await sleep(500);
  const idleRss = rssMiB(pid);

  // --- Overhead: interleaved rounds of direct REST vs GraphQL, at 1 and 50 connections.
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
  // Warm-up for JIT and sockets.
  await cannon({ ...graphql, connections: 10, duration: 2 });
  await cannon({ ...direct, connections: 10, duration: 1 });

  const overhead = [];
  let peakRss = idleRss;
  for (const connections of [1, 50]) {
    const samples = { direct: [], graphql: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      samples.direct.push(await cannon({ ...direct, connections }));
      const sampler = sampleRss(pid);
      samples.graphql.push(await cannon({ ...graphql, connections }));
      peakRss = Math.max(peakRss, sampler.stop());
    }
    const sum = (list, pick) => list.reduce((total, r) => total + pick(r), 0) / list.length;
    const rps = (list) => sum(list, (r) => r.requests.average);
    const p50 = (list) => sum(list, (r) => r.latency.p50);
    const p99 = (list) => sum(list, (r) => r.latency.p99);
    const errors = (list) => list.reduce((t, r) => t + r.errors + r.non2xx, 0);
    overhead.push([
      `${connections}`,
      rps(samples.direct).toFixed(0),
      rps(samples.graphql).toFixed(0),
      (rps(samples.graphql) / rps(samples.direct)).toFixed(2),
      `${p50(samples.direct).toFixed(2)} / ${p99(samples.direct).toFixed(2)}`,
      `${p50(samples.graphql).toFixed(2)} / ${p99(samples.graphql).toFixed(2)}`,
      (p50(samples.graphql) - p50(samples.direct)).toFixed(2),
      `${errors(samples.direct)} / ${errors(samples.graphql)}`,
    ]);
  }
  await sleep(1000);
  const afterRss = rssMiB(pid);

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
    __typename: "Record",
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
       fragment N on Attachment { fileName createdBy { name } }`,
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

  out(
    "\n## Overhead: one record, 20 attachments, fields id, fileName, size (GraphQL vs direct REST)",
  );
  out(
    table([
      [
        "conns",
        "direct req/s",
        "graphql req/s",
        "ratio",
        "direct p50/p99 ms",
        "graphql p50/p99 ms",
        "added p50 ms",
        "errors d/g",
      ],
      ...overhead,
    ]),
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
        "idle RSS MiB (≤ 90)",
        "peak RSS under load MiB (≤ 180)",
        "RSS after load MiB",
        "start to /readyz 200 ms",
      ],
      [idleRss.toFixed(1), peakRss.toFixed(1), afterRss.toFixed(1), startupMs.toFixed(0)],
    ]),
  );
  out("");
} finally {
  await server.stop();
  await sandbox.stop();
}
