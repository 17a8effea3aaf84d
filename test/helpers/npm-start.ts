import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The server's URL from its ready line; every stdout line is pushed to `logs`. */
export function serverUrl(child: ChildProcess, logs: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      logs.push(line);
      const match = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", () => reject(new Error(`exited early:\n${logs.join("\n")}`)));
  });
}

export interface NpmStart {
  /** e.g. http://127.0.0.1:43121 */
  url: string;
  logs: string[];
  /** SIGTERM to npm and the server, SIGKILL after 10 s; resolves once npm has exited. */
  stop(): Promise<void>;
}

/**
 * `npm start` as a user runs it in a fresh shell (only `env` set of the product's variables), on
 * a free port of 127.0.0.1. With no BIGIN_DC or BIGIN_API_URL it serves the embedded sandbox.
 */
export async function npmStart(env: Record<string, string> = {}): Promise<NpmStart> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(BIGIN_|GRAPHQL_|AUTH_MODE|CORS_|REDIS_|NODE_ENV$|VITEST)/.test(name),
    ),
  );
  const child = spawn("npm", ["start"], {
    cwd: root,
    env: { ...inherited, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "inherit"],
    // Its own process group: npm, its shell and the server are stopped together.
    detached: true,
  });
  const logs: string[] = [];
  const exited = once(child, "exit");
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  const url = await serverUrl(child, logs).catch((error: unknown) => {
    signal("SIGKILL");
    throw error;
  });
  return {
    url,
    logs,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
