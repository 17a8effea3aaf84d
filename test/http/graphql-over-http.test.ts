import { serverAudits, type AuditResult } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/**
 * Audits Apollo's CSRF prevention fails on purpose: a GET without a preflight header is a request
 * any web page can make, so it is refused (clients send `apollo-require-preflight: true`).
 */
const GET_WITHOUT_PREFLIGHT = ["5A70", "D6D5", "6A70"];

async function audit(fetchFn?: typeof fetch): Promise<AuditResult[]> {
  const audits = serverAudits({ url: `${stack.server.url}/graphql`, ...(fetchFn && { fetchFn }) });
  return Promise.all(audits.map((a) => a.fn()));
}

const failed = (results: AuditResult[]) =>
  results.filter((r) => r.status !== "ok").map((r) => `${r.id} ${r.name}: ${r.reason}`);

describe("the GraphQL-over-HTTP audit (graphql-http)", () => {
  it("passes every audit but GETs refused by CSRF prevention", async () => {
    const results = await audit();
    expect(results.length).toBeGreaterThan(50);
    expect(
      failed(results)
        .map((line) => line.slice(0, 4))
        .sort(),
    ).toEqual([...GET_WITHOUT_PREFLIGHT].sort());
  });

  it("passes those too when the client sends the preflight header", async () => {
    const withPreflight: typeof fetch = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), "apollo-require-preflight": "1" },
      });
    expect(failed(await audit(withPreflight))).toEqual([]);
  });
});

describe("status of request errors", () => {
  const invalid = '{ record(module: Calls, id: "1") { id } }';
  const post = (accept: string | undefined) =>
    fetch(`${stack.server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(accept && { accept }) },
      body: JSON.stringify({ query: invalid }),
    });

  it.each([
    ["application/json", 200, "application/json"],
    ["*/*", 200, "application/json"],
    [undefined, 200, "application/json"],
    ["application/graphql-response+json", 400, "application/graphql-response+json"],
    // Hive Gateway's executor
    [
      "application/graphql-response+json, application/json, multipart/mixed",
      400,
      "application/graphql-response+json",
    ],
  ])("Accept %s: status %i, %s", async (accept, status, type) => {
    const response = await post(accept);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toContain(type);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty("data");
    expect(body.errors).toMatchObject([{ extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }]);
  });

  it("keeps 400 for a request with no query", async () => {
    const response = await fetch(`${stack.server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ qeury: "{ __typename }" }),
    });
    expect(response.status).toBe(400);
  });
});
