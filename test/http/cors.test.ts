import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDS } from "../../src/sandbox/index.js";
import { IDS } from "../helpers/ids.js";
import { startRefreshStack } from "../helpers/refresh-stack.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";

const APP = "http://localhost:5173";
const OTHER = "https://evil.example";
const auth = { authorization: `Zoho-oauthtoken ${DEMO_TOKEN}` };
const QUERY = `{ record(module: Contacts, id: "${IDS.rich}") { attachments(first: 1) { nodes { id downloadUrl } } } }`;
const FILE = `/files/Contacts/${IDS.rich}/attachments/${DEMO_IDS.attachments.contactPdf}`;

/** A browser's preflight for a JSON POST with a token, from `origin`. */
const preflight = (stack: Stack, path: string, origin: string) =>
  fetch(`${stack.server.url}${path}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization,content-type,x-request-id",
    },
  });

const post = (stack: Stack, origin: string | undefined, headers: Record<string, string> = auth) =>
  fetch(`${stack.server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(origin && { origin }), ...headers },
    body: JSON.stringify({ query: QUERY }),
  });

const vary = (response: Response) =>
  (response.headers.get("vary") ?? "")
    .toLowerCase()
    .split(/\s*,\s*/)
    .filter(Boolean);

describe("CORS when every caller brings a token (default: every origin)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it("answers the preflight of /graphql 204 before CSRF prevention, allowing what frontends send", async () => {
    stack.reset();
    const response = await preflight(stack, "/graphql", APP);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET,POST");
    expect(response.headers.get("access-control-allow-headers")).toBe(
      "authorization,content-type,apollo-require-preflight,x-apollo-operation-name,x-request-id,apollographql-client-name,apollographql-client-version",
    );
    expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(stack.calls()).toHaveLength(0);
  });

  it.each(["/files/Contacts/1/photo", FILE, "/healthz", "/readyz"])(
    "answers the preflight of %s too",
    async (path) => {
      const response = await preflight(stack, path, APP);
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
    },
  );

  it("lets scripts read /graphql answers and their x-request-id; shared caches may not keep them", async () => {
    const response = await post(stack, APP, { ...auth, "x-request-id": "page-1" });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-expose-headers")).toBe(
      "x-request-id,content-disposition,content-length,retry-after",
    );
    expect(response.headers.get("x-request-id")).toBe("page-1");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    // The same answer for every origin: nothing to vary on.
    expect(vary(response)).not.toContain("origin");
    const body = (await response.json()) as { data: unknown };
    expect(body.data).toMatchObject({
      record: { attachments: { nodes: [{ id: expect.any(String) }] } },
    });
  });

  it("answers GET queries as Apollo Client's useGETForQueries sends them, uncacheable too", async () => {
    const response = await fetch(
      `${stack.server.url}/graphql?query=${encodeURIComponent('{ record(module: Contacts, id: "1") { id } }')}`,
      { headers: { origin: APP, "content-type": "application/json" } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(await response.json()).toEqual({ data: { record: { id: "1" } } });
  });

  it("keeps CSRF prevention on for everything that is not a preflight", async () => {
    const get = await fetch(
      `${stack.server.url}/graphql?query=${encodeURIComponent("{ __typename }")}`,
      { headers: { origin: OTHER } },
    );
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/Cross-Site Request Forgery/);
    const simplePost = await fetch(`${stack.server.url}/graphql`, {
      method: "POST",
      headers: { origin: OTHER, "content-type": "text/plain" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(simplePost.status).toBe(400);
    expect(await simplePost.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it("lets scripts read downloads and their Content-Disposition", async () => {
    const response = await fetch(`${stack.server.url}${FILE}`, {
      headers: { origin: APP, ...auth },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-expose-headers")).toContain("content-disposition");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename=/);
    await response.arrayBuffer();
  });

  it("answers /healthz, /readyz and unknown routes with CORS headers", async () => {
    for (const path of ["/healthz", "/readyz", "/nope"]) {
      const response = await fetch(`${stack.server.url}${path}`, { headers: { origin: APP } });
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      await response.arrayBuffer();
    }
  });
});

describe("CORS with a server-held credential and no CORS_ORIGINS (default: no foreign origin)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startRefreshStack();
  });
  afterAll(() => stack.close());

  it("answers the preflight without allowing the origin", async () => {
    const response = await preflight(stack, "/graphql", APP);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(vary(response)).toContain("origin");
  });

  it("gives a page's request no Access-Control-Allow-Origin, so the page cannot read the answer", async () => {
    const response = await post(stack, APP, {});
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(vary(response)).toContain("origin");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    await response.arrayBuffer();
  });

  it("still serves callers that are not browsers (no Origin)", async () => {
    const response = await post(stack, undefined, {});
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const body = (await response.json()) as { data?: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      record: { attachments: { nodes: [{ id: expect.any(String) }] } },
    });
  });
});

describe("CORS with a server-held credential and CORS_ORIGINS listing the app", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startRefreshStack({ CORS_ORIGINS: `${APP},https://studio.apollographql.com` });
  });
  afterAll(() => stack.close());

  it("allows a listed origin's preflight and requests, varying on Origin", async () => {
    const pre = await preflight(stack, "/graphql", APP);
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(APP);
    expect(vary(pre)).toContain("origin");
    const response = await post(stack, APP, {});
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
    expect(vary(response)).toContain("origin");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const body = (await response.json()) as {
      data: { record: { attachments: { nodes: Array<{ downloadUrl: string }> } } };
    };
    // The signed link works from the listed origin as well.
    const link = body.data.record.attachments.nodes[0]!.downloadUrl;
    const download = await fetch(link, { headers: { origin: APP } });
    expect(download.status).toBe(200);
    expect(download.headers.get("access-control-allow-origin")).toBe(APP);
    await download.arrayBuffer();
  });

  it("does not allow an unlisted origin", async () => {
    const pre = await preflight(stack, "/graphql", OTHER);
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    const response = await post(stack, OTHER, {});
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    await response.arrayBuffer();
    const download = await fetch(`${stack.server.url}${FILE}`, { headers: { origin: OTHER } });
    expect(download.headers.get("access-control-allow-origin")).toBeNull();
    await download.arrayBuffer();
  });
});
