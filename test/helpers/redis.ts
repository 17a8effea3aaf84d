import { spawn, type ChildProcess } from "node:child_process";
import { connect, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A redis-server of our own on a loopback port, without persistence. */
export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM, then SIGKILL) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty). */
  restart(): Promise<void>;
}

export type RedisStart =
  { server: RedisServer; skip?: undefined } | { server?: undefined; skip: string };

/** Ports this process has handed out: the kernel may offer a port again once its probe closed. */
const handedOut = new Set<number>();

/**
 * A port free on loopback now (another process may take it before it is used), and never one
 * this process was given before: ports reserved for servers started later must not collide.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once("error", reject);
      probe.listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() =>
          typeof address === "object" && address ? resolve(address.port) : reject(),
        );
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Resolves true once the server answers PING on the port. */
async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      text += chunk.toString();
      if (text.includes("\r\n")) done(text.startsWith("+PONG"));
    });
  });
}

function launch(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`redis-server exited (${code ?? "signal"}) ${stderr.trim()}`)),
    );
    void (async () => {
      for (let i = 0; i < 100 && child.exitCode === null; i += 1) {
        if (await answersPing(port)) {
          child.removeAllListeners("exit");
          return resolve(child);
        }
        await sleep(50);
      }
      child.kill("SIGKILL");
      reject(new Error("redis-server did not answer PING within 5 s"));
    })();
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts `redis-server --port N --save '' --appendonly no` on a free loopback port. When it
 * cannot be started (not installed, no free port), says why instead, for `describe.skipIf`.
 */
export async function startRedis(): Promise<RedisStart> {
  let lastError = "";
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    let child: ChildProcess;
    try {
      child = await launch(port);
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      if ((error as NodeJS.ErrnoException).code === "ENOENT") break;
      continue;
    }
    running.add(child);
    const server: RedisServer = {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop() {
        await stopChild(child);
        running.delete(child);
      },
      async restart() {
        await server.stop();
        child = await launch(port);
        running.add(child);
      },
    };
    return { server };
  }
  const skip = `redis-server could not be started (${lastError || "unknown reason"}): skipping the tests that need Redis. Install it with \`apt-get install -y redis-server\`.`;
  console.warn(skip);
  return { skip };
}
