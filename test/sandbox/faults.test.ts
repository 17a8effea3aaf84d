import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDS, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { attachmentsUrl, expectBiginError, listAttachments, read } from "./helpers.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterEach(() => {
  sandbox.faults.clear();
  sandbox.resetStats();
});
afterAll(() => sandbox.close());

const JOHN = DEMO_IDS.contact;
const list = (query: Record<string, string | number> = { fields: "id" }, signal?: AbortSignal) =>
  listAttachments(sandbox, "Contacts", JOHN, query, signal === undefined ? {} : { signal });

async function waitFor(condition: () => boolean, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("fault injection", () => {
  it("delays the answer by latencyMs, then answers normally", async () => {
    sandbox.faults.add({ latencyMs: 120 });
    const started = performance.now();
    const answer = await list();
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toHaveLength(5);
  });

  it("answers with the rule's status and JSON body, and its headers", async () => {
    sandbox.faults.add({ status: 503, body: { oops: true }, headers: { "X-Fault": "yes" } });
    const answer = await list();
    expect(answer.status).toBe(503);
    expect(answer.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(answer.headers.get("x-fault")).toBe("yes");
    expect(answer.body).toEqual({ oops: true });
  });

  it("sends a string body raw, as is", async () => {
    sandbox.faults.add({ status: 500, body: "plain failure" });
    const answer = await list();
    expect(answer.status).toBe(500);
    expect(answer.text).toBe("plain failure");
  });

  it("adds headers to a normal answer when the rule has no status", async () => {
    sandbox.faults.add({ headers: { "X-RateLimit-Remaining": "3" } });
    const answer = await list();
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-ratelimit-remaining")).toBe("3");
  });

  it("resets the connection without a response, logging no status", async () => {
    sandbox.faults.add({ reset: true });
    await expect(list()).rejects.toThrow();
    await waitFor(() => sandbox.inFlight === 0);
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]?.status).toBeUndefined();
    expect(sandbox.requests[0]?.endedAt).toEqual(expect.any(Number));
  });

  it("hangs until the client aborts", async () => {
    sandbox.faults.add({ hang: true });
    const started = performance.now();
    await expect(list({ fields: "id" }, AbortSignal.timeout(100))).rejects.toThrow(
      /abort|timeout/i,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    await waitFor(() => sandbox.inFlight === 0);
    expect(sandbox.requests[0]?.status).toBeUndefined();
    expect(sandbox.requests[0]?.endedAt).toEqual(expect.any(Number));
  });

  it("ends hung requests when the sandbox closes", async () => {
    const other = await startSandbox();
    other.faults.add({ hang: true });
    const pending = listAttachments(other, "Contacts", JOHN, { fields: "id" });
    pending.catch(() => undefined);
    await waitFor(() => other.inFlight === 1);
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it("ends requests waiting on latency when the sandbox closes", async () => {
    const other = await startSandbox();
    other.faults.add({ latencyMs: 5000 });
    const pending = listAttachments(other, "Contacts", JOHN, { fields: "id" });
    pending.catch(() => undefined);
    await waitFor(() => other.inFlight === 1);
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
    expect(other.requests[0]?.status).toBeUndefined();
  });

  it("answers 200 application/json with a body that is not JSON when malformed", async () => {
    sandbox.faults.add({ malformed: true });
    const response = await fetch(attachmentsUrl(sandbox, "Contacts", JOHN, { fields: "id" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await response.text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it("answers an HTML page with 502 by default, or the rule's status", async () => {
    sandbox.faults.add({ html: true, times: 1 });
    sandbox.faults.add({ html: true, status: 504, times: 1 });
    for (const status of [502, 504]) {
      const answer = await list();
      expect(answer.status).toBe(status);
      expect(answer.headers.get("content-type")).toBe("text/html");
      expect(answer.text).toMatch(/^<html>/);
    }
  });

  it("sends half the body, waits slowBodyMs, then the rest", async () => {
    sandbox.faults.add({ slowBodyMs: 150 });
    const started = performance.now();
    const response = await fetch(attachmentsUrl(sandbox, "Contacts", JOHN, { fields: "id" }), {
      headers: { Authorization: "Zoho-oauthtoken sandbox-demo-token" },
    });
    const headersAt = performance.now() - started;
    const answer = await read(response);
    const bodyAt = performance.now() - started;
    expect(headersAt).toBeLessThan(120);
    expect(bodyAt).toBeGreaterThanOrEqual(140);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toHaveLength(5);
  });

  it("rate-limits with 429 TOO_MANY_REQUESTS and a Retry-After header when given", async () => {
    sandbox.faults.rateLimit({ retryAfter: 7, times: 1 });
    const limited = await list();
    expectBiginError(limited, 429, "TOO_MANY_REQUESTS");
    expect(limited.headers.get("retry-after")).toBe("7");

    sandbox.faults.rateLimit({ times: 1 });
    const bare = await list();
    expectBiginError(bare, 429, "TOO_MANY_REQUESTS");
    expect(bare.headers.get("retry-after")).toBeNull();

    sandbox.faults.rateLimit({ retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT", times: 1 });
    expect((await list()).headers.get("retry-after")).toBe("Wed, 21 Oct 2026 07:28:00 GMT");
    expect((await list()).status).toBe(200);
  });

  it("answers error() with Bigin's JSON error body", async () => {
    sandbox.faults.error(403, "NO_PERMISSION", { details: { permissions: ["Crm_Implied_View"] } });
    expectBiginError(await list(), 403, "NO_PERMISSION", { permissions: ["Crm_Implied_View"] });
    sandbox.faults.clear();
    sandbox.faults.error(500, "INTERNAL_ERROR", { message: "boom" });
    expectBiginError(await list(), 500, "INTERNAL_ERROR", {}, "boom");
  });

  it("applies a rule only `times` times", async () => {
    sandbox.faults.error(500, "INTERNAL_ERROR", { times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await list()).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it("matches on method, on a path substring and on a path RegExp", async () => {
    sandbox.faults.error(500, "INTERNAL_ERROR", { method: "post" });
    expect((await list()).status).toBe(200);
    sandbox.faults.clear();
    sandbox.faults.error(500, "INTERNAL_ERROR", { path: "/Accounts/" });
    expect((await list()).status).toBe(200);
    const accounts = await listAttachments(sandbox, "Accounts", DEMO_IDS.account, { fields: "id" });
    expect(accounts.status).toBe(500);
    sandbox.faults.clear();
    sandbox.faults.error(500, "INTERNAL_ERROR", { path: /\/Contacts\/\d+\/Attachments$/ });
    expect((await list()).status).toBe(500);
    expect((await listAttachments(sandbox, "Notes", DEMO_IDS.note, { fields: "id" })).status).toBe(
      200,
    );
  });

  it("applies the first matching rule, and stops applying a removed one", async () => {
    const removeFirst = sandbox.faults.error(500, "INTERNAL_ERROR");
    sandbox.faults.error(503, "INTERNAL_ERROR");
    expect((await list()).status).toBe(500);
    removeFirst();
    expect((await list()).status).toBe(503);
    sandbox.faults.clear();
    expect((await list()).status).toBe(200);
  });

  it("injects before authentication: a fault answers even without a token", async () => {
    sandbox.faults.rateLimit({ times: 1 });
    const answer = await listAttachments(
      sandbox,
      "Contacts",
      JOHN,
      { fields: "id" },
      { token: null },
    );
    expect(answer.status).toBe(429);
  });
});

describe("probabilistic faults", () => {
  it("applies a rule to about its probability of matching requests", async () => {
    const own = await startSandbox({ port: 0 });
    try {
      own.faults.add({ probability: 0.25, status: 500, body: { code: "INTERNAL_ERROR" } });
      let failed = 0;
      for (let i = 0; i < 400; i += 1) {
        const response = await fetch(`${own.url}/bigin/v2/Contacts/1/Attachments?fields=id`, {
          headers: { authorization: "Zoho-oauthtoken sandbox-demo-token" },
        });
        await response.arrayBuffer();
        if (response.status === 500) failed += 1;
      }
      // Binomial(400, 0.25): mean 100, sd ≈ 8.7; the bounds are > 5 sd away.
      expect(failed).toBeGreaterThan(55);
      expect(failed).toBeLessThan(145);
    } finally {
      await own.close();
    }
  });
});
