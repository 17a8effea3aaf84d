import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ BIGIN_RETRIES: "1" });
});
afterAll(() => stack.close());

async function metric(name: string, labels = ""): Promise<number> {
  const text = await (await fetch(`${stack.server.url}/metrics`)).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith(name) && (labels === "" || l.includes(labels)) && !l.startsWith("#"));
  return line ? Number(line.split(" ").pop()) : 0;
}

describe("/metrics", () => {
  it("serves Prometheus text", async () => {
    const response = await fetch(`${stack.server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    expect(await response.text()).toContain("# TYPE bigin_calls_total counter");
  });

  it("counts Bigin calls by operation and status, and the calls batching saved", async () => {
    const list = 'operation="GET /:module/:id/Attachments",status="200"';
    const before = await metric("bigin_calls_total", list);
    const savedBefore = await metric("bigin_calls_saved_by_batching_total");
    await stack.gql(`{
      a: record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { id } } }
      b: record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { fileName } } }
      c: record(module: Accounts, id: "${IDS.byModule.Accounts}") { attachments { nodes { id } } }
    }`);
    expect(await metric("bigin_calls_total", list)).toBe(before + 2);
    expect(await metric("bigin_calls_saved_by_batching_total")).toBe(savedBefore + 1);
  });

  it("counts as saved every page load served by another's call: same fields, aliases, _entities", async () => {
    const savedBefore = await metric("bigin_calls_saved_by_batching_total");
    const callsBefore = stack.sandbox.requests.length;
    // The same page with the same fields, twice: one call.
    await stack.gql(`{
      a: record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { id } } }
      b: record(module: Contacts, id: "${IDS.rich}") { ...Files }
    }
    fragment Files on BiginRecord { attachments { nodes { id } } }`);
    expect(await metric("bigin_calls_saved_by_batching_total")).toBe(savedBefore + 1);

    // 50 representations of 5 records, as a gateway sends them: 5 calls, 45 loads saved.
    const records = IDS.allWithAttachments.slice(0, 5);
    const representations = Array.from({ length: 50 }, (_, i) => ({
      __typename: "BiginRecord",
      module: records[i % 5]!.module,
      id: records[i % 5]!.id,
    }));
    const { body } = await stack.gql(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on BiginRecord { attachments(first: 5) { nodes { id } } } } }`,
      { r: representations },
    );
    expect(body.errors).toBeUndefined();
    expect(stack.sandbox.requests.length - callsBefore).toBe(1 + 5);
    expect(await metric("bigin_calls_saved_by_batching_total")).toBe(savedBefore + 1 + 45);
  });

  it("counts retries, 429s and Bigin error codes", async () => {
    stack.sandbox.faults.rateLimit({ times: 1, retryAfter: 0 });
    await stack.gql(
      `{ record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { id } } } }`,
    );
    expect(await metric("bigin_rate_limited_total")).toBeGreaterThanOrEqual(1);
    expect(
      await metric("bigin_retries_total", 'operation="GET /:module/:id/Attachments"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metric("bigin_calls_total", 'status="429",code="TOO_MANY_REQUESTS"'),
    ).toBeGreaterThanOrEqual(1);
  });

  it("reports the calls in flight at scrape time", async () => {
    stack.sandbox.faults.add({ latencyMs: 500, times: 1 });
    const pending = stack.gql(
      `{ record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { id } } } }`,
    );
    while (stack.sandbox.inFlight === 0) await new Promise((r) => setTimeout(r, 10));
    expect(await metric("bigin_calls_in_flight")).toBe(1);
    expect(await metric("bigin_calls_queued")).toBe(0);
    await pending;
    expect(await metric("bigin_calls_in_flight")).toBe(0);
  });
});
