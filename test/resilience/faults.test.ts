import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ BIGIN_RETRIES: "2", BIGIN_TIMEOUT_MS: "400" });
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const names = () => stack.gql(AttachmentNamesDocument, { module: "Contacts", id: IDS.rich });

async function expectHealthy() {
  stack.reset();
  const { body } = await names();
  expect(body.errors).toBeUndefined();
  expect(body.data!.record!.attachments!.nodes.length).toBeGreaterThan(0);
}

describe("retries for reads", () => {
  it("retries a 500 and answers with the data", async () => {
    stack.sandbox.faults.error(500, "INTERNAL_ERROR", { times: 1 });
    const { body } = await names();
    expect(body.errors).toBeUndefined();
    expect(stack.calls().map((c) => c.status)).toEqual([500, 200]);
  });

  it.each([
    ["a reset", { reset: true }],
    ["an HTML 502", { html: true, status: 502 }],
    ["a hang past the timeout", { hang: true }],
  ] as const)("retries %s", async (_name, fault) => {
    stack.sandbox.faults.add({ ...fault, times: 1 });
    const { body } = await names();
    expect(body.errors).toBeUndefined();
    expect(stack.calls()).toHaveLength(2);
  });

  it("does not retry what a retry cannot fix", async () => {
    stack.sandbox.faults.error(400, "INVALID_DATA", {
      times: 1,
      details: { resource_path_index: 1 },
    });
    const { body } = await names();
    expect(body.errors![0]!.extensions!.code).toBe("NOT_FOUND");
    expect(stack.calls()).toHaveLength(1);
  });

  it("gives up after BIGIN_RETRIES and says the error is retryable", async () => {
    stack.sandbox.faults.error(503, "INTERNAL_ERROR");
    const { body } = await names();
    expect(body.errors![0]!.extensions).toMatchObject({ code: "UPSTREAM_ERROR", retryable: true });
    expect(stack.calls()).toHaveLength(3);
  });

  it("waits for Retry-After (seconds) before retrying a 429", async () => {
    stack.sandbox.faults.rateLimit({ retryAfter: 1, times: 1 });
    const started = Date.now();
    const { body } = await names();
    expect(body.errors).toBeUndefined();
    const calls = stack.calls();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.startedAt - calls[0]!.startedAt).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reads Retry-After given as an HTTP date", async () => {
    stack.sandbox.faults.rateLimit({
      retryAfter: new Date(Date.now() + 2_000).toUTCString(),
      times: 1,
    });
    const { body } = await names();
    expect(body.errors).toBeUndefined();
    const calls = stack.calls();
    expect(calls[1]!.startedAt - calls[0]!.startedAt).toBeGreaterThanOrEqual(500);
  });

  it("does not wait for a Retry-After past the cap, and tells the caller when to come back", async () => {
    stack.sandbox.faults.rateLimit({ retryAfter: 3600 });
    const started = Date.now();
    const { body } = await names();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "RATE_LIMITED",
      retryable: true,
      retryAfterSeconds: 3600,
    });
    expect(stack.calls()).toHaveLength(1);
  });

  it("backs off and retries a 429 without Retry-After", async () => {
    stack.sandbox.faults.rateLimit({ times: 2 });
    const { body } = await names();
    expect(body.errors).toBeUndefined();
    expect(stack.calls().map((c) => c.status)).toEqual([429, 429, 200]);
  });
});

describe("faults", () => {
  it.each([
    ["a hang", "UPSTREAM_UNAVAILABLE", { hang: true }],
    [
      "a 500",
      "UPSTREAM_ERROR",
      {
        status: 500,
        body: { code: "INTERNAL_ERROR", details: {}, message: "boom", status: "error" },
      },
    ],
    ["an HTML 502", "UPSTREAM_UNAVAILABLE", { html: true, status: 502 }],
    ["malformed JSON", "UPSTREAM_UNAVAILABLE", { malformed: true }],
    ["a reset", "UPSTREAM_UNAVAILABLE", { reset: true }],
    [
      "a 429 with Retry-After",
      "RATE_LIMITED",
      {
        status: 429,
        headers: { "retry-after": "120" },
        body: { code: "TOO_MANY_REQUESTS", details: {}, message: "slow", status: "error" },
      },
    ],
    ["a body slower than the timeout", "UPSTREAM_UNAVAILABLE", { slowBodyMs: 2_000 }],
  ] as const)(
    "maps %s to %s in bounded time, then serves the next request",
    async (_name, code, fault) => {
      stack.sandbox.faults.add(fault);
      const started = Date.now();
      const { body } = await names();
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(body.errors![0]!.extensions!.code).toBe(code);
      stack.sandbox.faults.clear();
      await expectHealthy();
    },
  );

  it("serves a slow body that arrives within the timeout", async () => {
    stack.sandbox.faults.add({ slowBodyMs: 100 });
    const { body } = await names();
    expect(body.errors).toBeUndefined();
  });
});

describe("concurrency", () => {
  let capped: Stack;
  beforeAll(async () => {
    capped = await startStack({ BIGIN_CONCURRENCY: "1", BIGIN_QUEUE_LIMIT: "1" });
  });
  afterAll(() => capped.close());

  it("fails calls fast with RATE_LIMITED when the wait queue is full", async () => {
    capped.sandbox.faults.add({ latencyMs: 300 });
    const query = IDS.allWithAttachments
      .slice(0, 4)
      .map(
        (r, i) =>
          `r${i}: record(module: ${r.module}, id: "${r.id}") { attachments { nodes { id } } }`,
      )
      .join("\n");
    const { body } = await capped.gql(`{ ${query} }`);
    const limited = body.errors!.filter((e) => e.extensions?.code === "RATE_LIMITED");
    expect(limited).toHaveLength(2);
    expect(limited[0]!.extensions).toMatchObject({ retryable: true });
    expect(capped.calls()).toHaveLength(2);
    expect(capped.sandbox.peakInFlight).toBe(1);
  });
});

describe("cancellation", () => {
  it("aborts the Bigin call when the client goes away", async () => {
    const slow = await startStack({ BIGIN_TIMEOUT_MS: "10000" });
    try {
      slow.sandbox.faults.add({ hang: true });
      const controller = new AbortController();
      const pending = slow
        .gql(
          AttachmentNamesDocument,
          { module: "Contacts", id: IDS.rich },
          { signal: controller.signal },
        )
        .catch(() => "aborted");
      await until(() => slow.sandbox.inFlight === 1);
      controller.abort();
      expect(await pending).toBe("aborted");
      await until(() => slow.sandbox.inFlight === 0);
      expect(slow.calls()).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});

async function until(check: () => boolean, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
