// Bounded load against the server (separate processes, loopback), with the sandbox failing a
// share of Bigin calls. Prints invalid responses, restarts, RSS growth and p50/p99.
// Usage: npm run bench:load [-- --requests 5000 --concurrency 50 --failure-rate 0.05]
import { parseArgs } from "node:util";
import {
  DEMO_TOKEN,
  control,
  percentile,
  rssMiB,
  runLoad,
  sampleRss,
  startSandboxProcess,
  startServerProcess,
  table,
} from "./lib.mjs";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "50" },
    "failure-rate": { type: "string", default: "0.05" },
  },
});
const total = Number(values.requests);
const concurrency = Number(values.concurrency);
const failureRate = Number(values["failure-rate"]);

const RECORDS = [
  ["Contacts", "2034020000000100001"],
  ["Contacts", "2034020000000100004"],
  ["Pipelines", "2034020000000200001"],
  ["Accounts", "2034020000000300001"],
  ["Contacts", "2034020000000100003"],
];

const sandbox = await startSandboxProcess();
// One token for all requests: raise its cap so the server, not the cap, is what is loaded.
const server = await startServerProcess(sandbox.url, { BIGIN_CONCURRENCY: String(concurrency) });
const sandboxControl = control(sandbox.url);
const pid = server.child.pid;
let restarts = 0;
server.child.on("exit", () => (restarts += 1));

const body = (i) => {
  const [module, id] = RECORDS[i % RECORDS.length];
  return JSON.stringify({
    query: `query ($module: BiginModule!, $id: ID!) { record(module: $module, id: $id) {
      attachments(first: 20) { nodes { id fileName size type createdBy { name } } pageInfo { count } } } }`,
    variables: { module, id },
  });
};
let invalid = 0;
let withErrors = 0;
const request = async (i) => {
  try {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
      },
      body: body(i),
    });
    const json = await response.json();
    if (typeof json !== "object" || json === null || !("data" in json || "errors" in json))
      invalid += 1;
    else if (json.errors) withErrors += 1;
  } catch {
    invalid += 1;
  }
};

try {
  await sandboxControl.fault({
    probability: failureRate,
    status: 500,
    body: {
      code: "INTERNAL_ERROR",
      details: {},
      message: "Internal Server Error",
      status: "error",
    },
  });
  // Warm up under the same load (JIT, sockets, heap sizing), then measure from that baseline:
  // growth past it is what a leak would show.
  await runLoad(Math.min(total, 2000), concurrency, request);
  invalid = 0;
  withErrors = 0;
  await new Promise((r) => setTimeout(r, 1000));
  const rssBefore = rssMiB(pid);
  await sandboxControl.reset();
  const sampler = sampleRss(pid);
  const result = await runLoad(total, concurrency, request);
  const peak = sampler.stop();
  await new Promise((r) => setTimeout(r, 1000));
  const rssAfter = rssMiB(pid);
  const stats = await sandboxControl.stats();
  const growth = ((rssAfter - rssBefore) / rssBefore) * 100;
  const p50 = percentile(result.latencies, 50);
  const p99 = percentile(result.latencies, 99);
  process.stdout.write(
    `\nLoad: ${total} requests at concurrency ${concurrency} (BIGIN_CONCURRENCY=${concurrency}), sandbox failing ${failureRate * 100}% of calls\n\n` +
      table([
        ["metric", "value", "target"],
        ["responses that were not GraphQL JSON", invalid, "0"],
        ["responses with a GraphQL error", withErrors, "(retries absorb most failures)"],
        ["server restarts", restarts, "0"],
        ["Bigin calls (incl. retries)", stats.requests, ""],
        [
          "RSS before / peak / after (MiB)",
          `${rssBefore.toFixed(1)} / ${peak.toFixed(1)} / ${rssAfter.toFixed(1)}`,
          "",
        ],
        ["RSS growth after load", `${growth.toFixed(1)} %`, "< 30 %"],
        ["throughput (req/s)", result.rps.toFixed(0), ""],
        ["latency p50 / p99 (ms)", `${p50.toFixed(1)} / ${p99.toFixed(1)}`, ""],
      ]) +
      "\n",
  );
  process.exitCode = invalid === 0 && restarts === 0 ? 0 : 1;
} finally {
  await server.stop();
  await sandbox.stop();
}
