import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./redis.js";

/** HAProxy from Debian's `haproxy` package (in /usr/sbin), or `HAPROXY_PATH`. */
export const HAPROXY_PATH = process.env.HAPROXY_PATH?.trim() || "haproxy";

/** Set by CI: a missing HAProxy (or redis-server) fails the scale tests instead of skipping them. */
export const SCALE_TESTS_REQUIRED = process.env.SCALE_TESTS_REQUIRED === "1";

const PATH = `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin`;

/** Undefined when HAProxy runs; else what is missing and how to install it. */
export function haproxyMissing(): string | undefined {
  const probe = spawnSync(HAPROXY_PATH, ["-v"], {
    env: { ...process.env, PATH },
    encoding: "utf8",
  });
  if (probe.status === 0 && probe.stdout.includes("HAProxy")) return undefined;
  return `no HAProxy at ${HAPROXY_PATH}; install it with \`apt-get install -y haproxy\` (or set HAPROXY_PATH)`;
}

export interface LoadBalancer {
  /** e.g. http://127.0.0.1:43121 */
  url: string;
  stop(): Promise<void>;
}

/**
 * HAProxy on a loopback port in front of `servers` (round robin). Each server is checked with
 * `GET /readyz` every 200 ms: one that fails twice (refused, or no 200 within 2 s) gets no new
 * requests, one that starts answering gets them. A request that cannot connect is sent to
 * another server; one whose server dies while it runs is answered 502 (or its connection
 * dropped). Answers say who served them (`x-served-by`).
 */
export async function startLoadBalancer(
  servers: ReadonlyArray<{ name: string; port: number }>,
): Promise<LoadBalancer> {
  const dir = await mkdtemp(join(tmpdir(), "haproxy-"));
  const port = await freePort();
  const config = [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  retries 3",
    "  option redispatch",
    "frontend graphql",
    `  bind 127.0.0.1:${port}`,
    "  default_backend replicas",
    "backend replicas",
    "  balance roundrobin",
    "  option httpchk",
    "  http-check send meth GET uri /readyz",
    "  http-check expect status 200",
    "  http-response set-header x-served-by %s",
    // A refused connection fails a check at once; a replica slow under load is given 2 s.
    "  timeout check 2s",
    "  default-server inter 200ms fall 2 rise 1",
    ...servers.map(({ name, port: p }) => `  server ${name} 127.0.0.1:${p} check`),
    "",
  ].join("\n");
  const file = join(dir, "haproxy.cfg");
  await writeFile(file, config);
  const child = spawn(HAPROXY_PATH, ["-db", "-f", file], {
    env: { ...process.env, PATH },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  running.add(child);
  const stop = async () => {
    running.delete(child);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) break;
    if (await accepts(port)) return { url: `http://127.0.0.1:${port}`, stop };
    await sleep(50);
  }
  await stop();
  throw new Error(`HAProxy did not start: ${stderr.trim()}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});
