import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LOCK = join(ROOT, "dist", ".test-build.lock");

/**
 * Builds dist/ as `npm start` does, one test file at a time (test files run in parallel, and
 * two builds at once would write the same files). Incremental: after the first, a build that
 * finds nothing changed takes seconds.
 */
export async function buildServer(): Promise<void> {
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock left by a run that was killed.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 300_000) {
        rmSync(LOCK, { recursive: true, force: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await promisify(execFile)("npx", ["tsc", "-p", "tsconfig.build.json", "--incremental"], {
      cwd: ROOT,
    });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** The built server (`node dist/main.js`) on a free port, calling `apiUrl`. */
export function spawnServer(apiUrl: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["dist/main.js"], {
    cwd: ROOT,
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

/** The exit code, or "still running" (and the process killed) after `ms`. */
export async function exitWithin(child: ChildProcess, ms: number): Promise<number | null | string> {
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  clearTimeout(timer);
  return signal === "SIGKILL" ? "still running" : code;
}
