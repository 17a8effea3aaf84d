// Shared helpers for the benchmarks: start the sandbox and the server as separate processes
// from the built dist/, read their memory, drive the sandbox's control endpoints.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const DEMO_TOKEN = "sandbox-demo-token";

function startProcess(script, env, pattern, name, cwd = root) {
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const match = pattern.exec(line);
      if (match) resolve({ child, url: match[1], startedAt, stop: () => stopProcess(child) });
    });
    child.once("exit", (code) =>
      reject(new Error(`${name} exited with ${code} before it was ready`)),
    );
  });
}

function stopProcess(child) {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

/** `node dist/sandbox/main.js` on a free port. */
export function startSandboxProcess(env = {}) {
  return startProcess(
    "dist/sandbox/main.js",
    { SANDBOX_PORT: "0", ...env },
    /listening on (http:\/\/[^\s]+)/,
    "sandbox",
  );
}

/** The Node options a checkout's `npm start` sets (e.g. its heap sizing), or "". */
function startNodeOptions(cwd) {
  const { scripts } = JSON.parse(readFileSync(`${cwd}/package.json`, "utf8"));
  return /NODE_OPTIONS="([^"$]*)/.exec(scripts?.start ?? "")?.[1]?.trim() ?? "";
}

/** The options of `cwd`'s `npm start`, then those of this process and of `env`. */
const nodeOptions = (cwd, env) =>
  [startNodeOptions(cwd), process.env.NODE_OPTIONS, env.NODE_OPTIONS].filter(Boolean).join(" ");

/**
 * `node dist/main.js` on a free port, calling the given Bigin API URL, with the Node options the
 * checkout's `npm start` gives it (then any in `env`).
 */
export function startServerProcess(apiUrl, env = {}, cwd = root) {
  return startProcess(
    "dist/main.js",
    {
      PORT: "0",
      HOST: "127.0.0.1",
      BIGIN_API_URL: apiUrl,
      LOG_LEVEL: "info",
      ...env,
      NODE_OPTIONS: nodeOptions(cwd, env),
    },
    /"url":"(http:\/\/[^"]+)\/graphql"/,
    "server",
    cwd,
  );
}

/**
 * bench/floor-server.mjs: the bare stack on `framework` (fastify or express), for comparison,
 * with the Node options this checkout's `npm start` gives the server.
 */
export function startFloorProcess(apiUrl, framework = "fastify", env = {}) {
  return startProcess(
    "bench/floor-server.mjs",
    {
      ...env,
      BIGIN_API_URL: apiUrl,
      FLOOR_FRAMEWORK: framework,
      NODE_OPTIONS: nodeOptions(root, env),
    },
    /"url":"(http:\/\/[^"]+)\/graphql"/,
    "floor",
  );
}

/** Ports this process has handed out: the kernel may offer a port again once its probe closed. */
const handedOut = new Set();

/**
 * A port free on loopback now (another process may take it before it is used), and never one
 * this process was given before: ports reserved for servers started later must not collide.
 */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Resident set size of a process, in MiB, from /proc. */
export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** CPU time a process has used so far (user + system, all its threads), in µs, from /proc. */
export function cpuMicros(pid) {
  // The fields after the command name: state is the first, utime the 12th, stime the 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak. */
export function sampleRss(pid, everyMs = 50) {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // the process is gone
    }
  }, everyMs);
  return {
    stop: () => (clearInterval(timer), peak),
    get peak() {
      return peak;
    },
  };
}

export const control = (sandboxUrl) => ({
  async fault(rule) {
    const response = await fetch(`${sandboxUrl}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(rule),
    });
    if (!response.ok) throw new Error(`fault refused: ${await response.text()}`);
  },
  async clearFaults() {
    await fetch(`${sandboxUrl}/__sandbox/faults`, { method: "DELETE" });
  },
  async requests() {
    return (await fetch(`${sandboxUrl}/__sandbox/requests`)).json();
  },
  async reset() {
    await fetch(`${sandboxUrl}/__sandbox/requests`, { method: "DELETE" });
  },
  async stats() {
    return (await fetch(`${sandboxUrl}/__sandbox/stats`)).json();
  },
});

/** Runs `total` calls of `task` with `concurrency` workers; returns sorted latencies in ms. */
export async function runLoad(total, concurrency, task) {
  const latencies = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const started = performance.now();
      await task(i);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { latencies, seconds, rps: total / seconds };
}

export const percentile = (sorted, p) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ")).join("\n");
}
