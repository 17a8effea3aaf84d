// npm run bench:worst-case (and the end of npm run bench): the largest answers the default
// limits let through, 32 at once, against the sandbox's 450-attachment record. Prints the
// server's peak RSS and /healthz latency under that load, side by side with /healthz at rest,
// and the same for an attack the limits refuse (aliases of one page: few Bigin calls, a huge
// answer), which the item limit answers with QUERY_TOO_EXPENSIVE before any call.
import http from "node:http";
import { parseArgs } from "node:util";
import { loadConfig } from "../dist/config.js";
import {
  DEMO_TOKEN,
  percentile,
  sampleRss,
  startSandboxProcess,
  startServerProcess,
  table,
} from "./lib.mjs";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "32" },
    // Another BIGIN_MAX_NODES_PER_OPERATION than the default, to see what a limit costs.
    "max-nodes": { type: "string" },
  },
});
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const MANY = "2034020000000100003"; // 450 attachments
const out = (text) => process.stdout.write(`${text}\n`);

const USER = "{ id name email }";
const ALL_FIELDS = `id fileName size fileId type linkUrl editable sharingPermission parent { id name module } createdTime modifiedTime createdBy ${USER} modifiedBy ${USER} owner ${USER} downloadUrl downloadUrlExpiresAt`;

// One connection per request, as 32 separate clients would have.
const agent = new http.Agent({ keepAlive: false });
function post(url, body) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request(
      `${url}/graphql`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
        },
      },
      (response) => {
        let bytes = 0;
        let head = "";
        response.on("data", (chunk) => {
          if (head.length < 1000) head += chunk.toString("utf8", 0, 1000);
          bytes += chunk.length;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode, bytes, head, ms: performance.now() - started }),
        );
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function healthz(url) {
  const started = performance.now();
  const response = await fetch(`${url}/healthz`);
  await response.arrayBuffer();
  return performance.now() - started;
}

/** Polls /healthz every 20 ms until stopped; returns the sorted latencies. */
function pollHealthz(url) {
  const times = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      times.push(await healthz(url));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return times.sort((a, b) => a - b);
  };
}

const sandbox = await startSandboxProcess();
// The server's own default unless told otherwise.
const maxNodes = Number(values["max-nodes"] ?? loadConfig({}).maxNodesPerOperation);
const server = await startServerProcess(
  sandbox.url,
  values["max-nodes"] ? { BIGIN_MAX_NODES_PER_OPERATION: values["max-nodes"] } : {},
);
try {
  // Cursors after attachments 1..450 of the record: every alias starts somewhere else.
  const first = await (
    await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
      },
      body: JSON.stringify({
        query: `{ record(module: Contacts, id: "${MANY}") { a: attachments(first: 200) { edges { cursor } } b: attachments(first: 200, page: 2) { edges { cursor } } c: attachments(first: 50, page: 9) { edges { cursor } } } }`,
      }),
    })
  ).json();
  const record = first.data.record;
  const cursors = [...record.a.edges, ...record.b.edges, ...record.c.edges].map((e) => e.cursor);
  const aliases = (n) =>
    JSON.stringify({
      query: `{ record(module: Contacts, id: "${MANY}") { ${Array.from(
        { length: n },
        (_, i) =>
          `a${i}: attachments(first: 200, after: "${cursors[(i * 17) % cursors.length]}") { nodes { ${ALL_FIELDS} } }`,
      ).join(" ")} } }`,
    });
  // The largest operation BIGIN_MAX_NODES_PER_OPERATION lets through: pages of 200.
  const worst = aliases(Math.floor(maxNodes / 200));
  // An attack within the document caps: 100 of them (20 000 attachments, 2 Bigin calls).
  const attack = aliases(100);

  const atRest = [];
  for (let i = 0; i < 50; i += 1) atRest.push(await healthz(server.url));
  atRest.sort((a, b) => a - b);

  const rows = [];
  for (const [name, body] of [
    [`${Math.floor(maxNodes / 200)} × 200 attachments, all fields (accepted)`, worst],
    ["100 × 200 attachments (refused)", attack],
  ]) {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const rss = sampleRss(server.child.pid, 20);
      const stopPolling = pollHealthz(server.url);
      const answers = await Promise.all(
        Array.from({ length: CONCURRENCY }, () => post(server.url, body)),
      );
      const during = await stopPolling();
      const peak = rss.stop();
      const refused = answers.filter((a) => a.head.includes("QUERY_TOO_EXPENSIVE")).length;
      const failed = answers.filter((a) => a.status !== 200).length;
      answers.sort((a, b) => a.ms - b.ms);
      rows.push([
        name,
        round,
        (answers.reduce((sum, a) => sum + a.bytes, 0) / CONCURRENCY / 1e6).toFixed(2),
        `${refused}/${CONCURRENCY}`,
        failed,
        percentile(
          answers.map((a) => a.ms),
          50,
        ).toFixed(0),
        peak.toFixed(1),
        percentile(during, 50).toFixed(1),
        during[during.length - 1].toFixed(1),
        percentile(atRest, 50).toFixed(1),
      ]);
    }
  }
  out(`\n## Worst case under the default limits: ${CONCURRENCY} operations at once`);
  out(
    table([
      [
        "operation",
        "round",
        "MB per answer",
        "refused",
        "non-200",
        "p50 answer ms",
        "peak RSS MiB (< 300)",
        "/healthz p50 ms during",
        "/healthz max ms during (< 100)",
        "/healthz p50 ms at rest",
      ],
      ...rows,
    ]),
  );
} finally {
  await server.stop();
  await sandbox.stop();
}
