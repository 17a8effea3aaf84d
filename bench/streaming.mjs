// Streams a large file through GET /files/... and straight from the sandbox, interleaved, and
// prints the server's peak RSS growth and the throughput ratio. Runs the built dist/ (npm run
// bench:streaming builds first); the server and the sandbox are separate processes.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, openAsBlob } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { freePort } from "./lib.mjs";

const SIZE_MB = Number(process.env.BENCH_FILE_MB ?? 320);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TOKEN = "sandbox-demo-token";
const RECORD = "2034020000000100002";
const TARGET_RSS_MB = 64;
const TARGET_RATIO = 0.7;

const children = [];
let dir;

async function cleanUp() {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  await Promise.all(children.map((c) => (c.exitCode === null ? once(c, "exit") : undefined)));
  if (dir) await rm(dir, { recursive: true, force: true });
}

async function writeBigFile(path) {
  const block = randomBytes(1024 * 1024);
  const out = createWriteStream(path);
  for (let i = 0; i < SIZE_MB; i += 1) {
    if (!out.write(block)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

function startProcess(args, env) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return child;
}

async function firstLine(child) {
  let buffer = "";
  for await (const chunk of child.stdout) {
    buffer += chunk;
    const end = buffer.indexOf("\n");
    if (end >= 0) return buffer.slice(0, end);
  }
  throw new Error("process ended before printing its URL");
}

async function waitFor(url, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** Downloads url, counting bytes; resolves with { bytes, seconds }. */
function download(url) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    http
      .get(url, { headers: { authorization: `Zoho-oauthtoken ${TOKEN}` } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`${url}: HTTP ${res.statusCode}`));
        }
        let bytes = 0;
        res.on("data", (chunk) => (bytes += chunk.length));
        res.on("end", () =>
          resolve({ bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 }),
        );
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

async function rssKb(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Samples the RSS of pid every 20 ms while fn runs; resolves with fn's result and the peak. */
async function withPeakRss(pid, fn) {
  let peak = await rssKb(pid);
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await rssKb(pid));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    return { result: await fn(), peakKb: peak };
  } finally {
    running = false;
    await sampler;
    peak = Math.max(peak, await rssKb(pid));
  }
}

const mb = (bytes) => bytes / (1024 * 1024);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  if (!existsSync(new URL("../dist/main.js", import.meta.url)))
    throw new Error("dist/ is missing: run `npm run build` (or npm run bench:streaming)");
  dir = await mkdtemp(join(tmpdir(), "bigin-bench-"));
  const file = join(dir, "big.bin");
  process.stdout.write(`Writing a ${SIZE_MB} MB file to ${dir} ...\n`);
  await writeBigFile(file);

  const sandboxProcess = startProcess(
    [new URL("./sandbox-process.mjs", import.meta.url).pathname],
    {},
  );
  const { url: sandboxUrl } = JSON.parse(await firstLine(sandboxProcess));

  process.stdout.write("Uploading it into the sandbox ...\n");
  const form = new FormData();
  form.append("file", await openAsBlob(file, { type: "application/octet-stream" }), "big.bin");
  const upload = await fetch(`${sandboxUrl}/bigin/v2/Contacts/${RECORD}/Attachments`, {
    method: "POST",
    headers: { authorization: `Zoho-oauthtoken ${TOKEN}` },
    body: form,
  });
  const uploaded = await upload.json();
  const id = uploaded?.data?.[0]?.details?.id;
  if (upload.status !== 200 || !id) throw new Error(`upload failed: ${JSON.stringify(uploaded)}`);

  const port = await freePort();
  const serverProcess = startProcess([new URL("../dist/main.js", import.meta.url).pathname], {
    PORT: String(port),
    HOST: "127.0.0.1",
    BIGIN_API_URL: sandboxUrl,
    LOG_LEVEL: "warn",
    DOWNLOAD_URL_SECRET: randomBytes(32).toString("hex"),
  });
  serverProcess.stdout.resume();
  const serverUrl = `http://127.0.0.1:${port}`;
  await waitFor(`${serverUrl}/healthz`);

  const direct = `${sandboxUrl}/bigin/v2/Contacts/${RECORD}/Attachments/${id}`;
  const routed = `${serverUrl}/files/Contacts/${RECORD}/attachments/${id}`;
  // Warm up both paths (JIT, sockets, page cache), then take the baseline.
  await download(direct);
  await download(routed);
  await new Promise((r) => setTimeout(r, 500));
  const baselineKb = await rssKb(serverProcess.pid);

  const ratios = [];
  let peakKb = baselineKb;
  for (let round = 1; round <= ROUNDS; round += 1) {
    const straight = await download(direct);
    const { result: through, peakKb: roundPeak } = await withPeakRss(serverProcess.pid, () =>
      download(routed),
    );
    peakKb = Math.max(peakKb, roundPeak);
    if (through.bytes !== straight.bytes || through.bytes !== SIZE_MB * 1024 * 1024) {
      throw new Error(`byte counts differ: ${through.bytes} vs ${straight.bytes}`);
    }
    const directRate = mb(straight.bytes) / straight.seconds;
    const routeRate = mb(through.bytes) / through.seconds;
    ratios.push(routeRate / directRate);
    process.stdout.write(
      `round ${round}: sandbox ${directRate.toFixed(0)} MB/s, through /files ${routeRate.toFixed(0)} MB/s, ratio ${(routeRate / directRate).toFixed(2)}\n`,
    );
  }
  const growthMb = (peakKb - baselineKb) / 1024;
  const ratio = median(ratios);
  process.stdout.write(
    [
      "",
      `file:                 ${SIZE_MB} MB, ${ROUNDS} rounds`,
      `server RSS baseline:  ${(baselineKb / 1024).toFixed(1)} MB`,
      `server peak growth:   ${growthMb.toFixed(1)} MB (target < ${TARGET_RSS_MB} MB) ${growthMb < TARGET_RSS_MB ? "ok" : "MISSED"}`,
      `throughput ratio:     ${ratio.toFixed(2)} (median; target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? "ok" : "MISSED"}`,
      "",
    ].join("\n"),
  );
}

main()
  .catch((error) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  })
  .finally(cleanUp);
