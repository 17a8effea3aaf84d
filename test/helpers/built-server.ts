import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The built server (`node dist/main.js`, built once by test/global-setup.ts) on a free port,
 * calling `apiUrl`. Its URL comes from its ready line: `serverUrl` of npm-start.ts.
 */
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

/** The exit code, or "still running" (and the process killed) after `ms`. */
export async function exitWithin(child: ChildProcess, ms: number): Promise<number | null | string> {
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  clearTimeout(timer);
  return signal === "SIGKILL" ? "still running" : code;
}
