import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rmdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Builds dist/ (`tsc --incremental`, as `npm run build`), one test file at a time: test files
 * run in parallel, and a build writing dist/ while another file's servers load it could hand
 * them half a file. An up-to-date build writes nothing.
 */
export async function buildDist(): Promise<void> {
  const lock = join(tmpdir(), `bigin-build-${createHash("sha1").update(root).digest("hex")}`);
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // Left by a run that was killed: take it over after 3 minutes.
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 180_000) await rmdir(lock).catch(() => {});
      await sleep(100);
    }
  }
  try {
    await promisify(execFile)("npx", ["tsc", "-p", "tsconfig.build.json", "--incremental"], {
      cwd: root,
    });
  } finally {
    await rmdir(lock).catch(() => {});
  }
}

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
