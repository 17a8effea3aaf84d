import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { buildDist } from "../helpers/built-server.js";
import { IDS } from "../helpers/ids.js";
import { DEMO_TOKEN, startStack } from "../helpers/stack.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const query = JSON.stringify({
  query: `{ record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { id } } } }`,
});
const post = (url: string) =>
  fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Zoho-oauthtoken ${DEMO_TOKEN}` },
    body: query,
  });

describe("graceful stop (in process)", () => {
  it("turns /readyz 503 while draining", async () => {
    const stack = await startStack();
    try {
      stack.server.app.startDraining();
      const response = await fetch(`${stack.server.url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "draining" });
    } finally {
      await stack.close();
    }
  });

  it("finishes in-flight requests, then refuses new connections", async () => {
    const stack = await startStack();
    stack.sandbox.faults.add({ latencyMs: 400 });
    const inFlight = post(stack.server.url);
    while (stack.sandbox.inFlight === 0) await new Promise((r) => setTimeout(r, 10));
    const closed = stack.server.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    await closed;
    await expect(post(stack.server.url)).rejects.toThrow();
    await stack.sandbox.close();
  });
});

describe("graceful stop (process)", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    await buildDist();
    sandbox = await startSandbox({ port: 0 });
  }, 120_000);
  afterAll(() => sandbox.close());

  it("on SIGTERM finishes the in-flight request and exits 0", async () => {
    const child = spawnServer(sandbox.url);
    const logs: string[] = [];
    const url = await serverUrl(child, logs);
    sandbox.faults.add({ latencyMs: 500 });
    const inFlight = post(url);
    while (sandbox.inFlight === 0) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGTERM");
    const response = await inFlight;
    expect(response.status).toBe(200);
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(logs.join("\n")).toContain("stopping");
    expect(logs.join("\n")).toContain('"msg":"stopped"');
  });

  it("on SIGTERM exits 0 when nothing reads its stdout any more", async () => {
    const child = spawnServer("http://127.0.0.1:9");
    await serverUrl(child, []);
    child.stdout!.destroy();
    child.kill("SIGTERM");
    expect(await exitWithin(child, 8000)).toBe(0);
  });

  // pino's flush at exit retries a write that failed with EPIPE forever; flushLogs first.
  it("flushLogs lets a process exit after logging to a stdout nobody reads", async () => {
    const script = `
      import { createLogger, flushLogs } from "./dist/logger.js";
      const logger = createLogger("info");
      setTimeout(async () => {
        logger.info("one");
        logger.info("two, still buffered while the first is written");
        await flushLogs(logger);
        process.exit(0);
      }, 200);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout.destroy();
    expect(await exitWithin(child, 5000)).toBe(0);
  });
});

/** The built server (`node dist/main.js`) on a free port, calling `apiUrl`. */
function spawnServer(apiUrl: string) {
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
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** The server's URL from its ready line; every stdout line is pushed to `logs`. */
function serverUrl(child: ChildProcess, logs: string[]): Promise<string> {
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
async function exitWithin(child: ChildProcess, ms: number): Promise<number | null | string> {
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  clearTimeout(timer);
  return signal === "SIGKILL" ? "still running" : code;
}
