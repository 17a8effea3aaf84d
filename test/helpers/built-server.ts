import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** The Node options `npm start` gives the server (package.json's start script). */
function startNodeOptions(): string {
  const { scripts } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  return /NODE_OPTIONS="([^"$]*)/.exec(scripts.start ?? "")?.[1]?.trim() ?? "";
}

export interface BuiltServer {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  /** Its stdout, one JSON log line each. */
  logs: string[];
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and waits for the exit. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * `node dist/main.js` as `npm start` runs it (its Node options, NODE_ENV=production),
 * configured only through `env`; resolves once it logs that it is ready.
 */
export function startBuiltServer(env: Record<string, string>): Promise<BuiltServer> {
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      ...env,
      NODE_OPTIONS: startNodeOptions(),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.add(child);
  const logs: string[] = [];
  const stop = async () => {
    running.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      logs.push(line);
      const match = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(line);
      if (match?.[1]) resolve({ child, url: match[1], logs, stop });
    });
    child.once("exit", (code, signal) =>
      reject(
        new Error(`server exited (${code ?? signal}) before it was ready:\n${logs.join("\n")}`),
      ),
    );
  });
}

/**
 * The built server (`node dist/main.js`, built once by test/global-setup.ts) on a free port,
 * calling `apiUrl`. Its URL comes from its ready line: `serverUrl` of npm-start.ts.
 */
export function spawnServer(apiUrl: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["dist/main.js"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      BIGIN_API_URL: apiUrl,
      LOG_LEVEL: "info",
      // As deployed: vitest's NODE_ENV=test changes what Apollo Server does on signals.
      NODE_ENV: "production",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** The exit code, or "still running" (and the process killed) after `ms`. */
export async function exitWithin(child: ChildProcess, ms: number): Promise<number | null | string> {
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  clearTimeout(timer);
  return signal === "SIGKILL" ? "still running" : code;
}
