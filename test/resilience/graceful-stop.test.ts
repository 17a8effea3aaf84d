import { spawn } from "node:child_process";
import { once } from "node:events";
import { Agent, request, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { exitWithin, root, spawnServer } from "../helpers/built-server.js";
import { IDS } from "../helpers/ids.js";
import { serverUrl } from "../helpers/npm-start.js";
import { DEMO_TOKEN, startStack } from "../helpers/stack.js";

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
    sandbox = await startSandbox({ port: 0 });
  });
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

  it("on SIGTERM with keep-alive clients, exits right after its last in-flight answer", async () => {
    const child = spawnServer(sandbox.url);
    const url = await serverUrl(child, []);
    let exitedAt = 0;
    const exited = once(child, "exit").then(([code]) => {
      exitedAt = Date.now();
      return code as number;
    });
    // Browsers and gateways keep connections open: one idle, one with a request in flight.
    const idle = new Agent({ keepAlive: true });
    const busy = new Agent({ keepAlive: true });
    expect((await call(`${url}/healthz`, idle)).headers.connection).toBe("keep-alive");
    sandbox.faults.add({ latencyMs: 1500 });
    const inFlight = call(`${url}/graphql`, busy, query);
    while (sandbox.inFlight === 0) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGTERM");
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('"nodes"');
    expect(answer.headers.connection).toBe("close");
    expect(await exited).toBe(0);
    // Not after a keep-alive timeout or the drain's 10 s bound: at once.
    expect(exitedAt - answer.at).toBeLessThan(1000);
    idle.destroy();
    busy.destroy();
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

/** One request over `agent` (its keep-alive sockets): status, headers, body and when it ended. */
function call(
  url: string,
  agent: Agent,
  body?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string; at: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: body === undefined ? "GET" : "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: text, at: Date.now() }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
