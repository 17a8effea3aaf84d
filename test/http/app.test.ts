import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { startServer, type RunningServer } from "../../src/server.js";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe("HTTP routes", () => {
  it("serves the Apollo Sandbox landing page at /graphql to browsers", async () => {
    const response = await fetch(`${stack.server.url}/graphql`, {
      headers: { accept: "text/html" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("embeddable-sandbox");
  });

  it("redirects / to /graphql", async () => {
    const response = await fetch(`${stack.server.url}/`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/graphql");
  });

  it("answers /healthz while the process is up", async () => {
    const response = await fetch(`${stack.server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("answers /readyz 200 when Bigin is reachable", async () => {
    const response = await fetch(`${stack.server.url}/readyz`);
    expect(response.status).toBe(200);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const response = await fetch(`${stack.server.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("answers a body that is not JSON with a 400 naming the problem and no stack trace", async () => {
    const response = await fetch(`${stack.server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{ not json",
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.js:\d+/);
    expect(JSON.parse(text)).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("answers other methods on /graphql with a 405 naming GET and POST", async () => {
    const response = await fetch(`${stack.server.url}/graphql`, { method: "PUT" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, POST");
    expect(await response.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
  });

  it("echoes a caller's x-request-id", async () => {
    const response = await fetch(`${stack.server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "abc-123" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(response.headers.get("x-request-id")).toBe("abc-123");
  });
});

describe("production switches", () => {
  let server: RunningServer;
  beforeAll(async () => {
    // Nothing listens on port 9 of loopback: Bigin is unreachable.
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      BIGIN_API_URL: "http://127.0.0.1:9",
      GRAPHQL_INTROSPECTION: "false",
      GRAPHQL_LANDING_PAGE: "false",
      LOG_LEVEL: "silent",
    });
    server = await startServer(config, {
      apiUrl: "http://127.0.0.1:9",
      logger: createLogger("silent"),
    });
  });
  afterAll(() => server.close());

  it("refuses introspection when it is switched off", async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __schema { types { name } } }" }),
    });
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]!.message).toMatch(/introspection/i);
  });

  it("serves no landing page when it is switched off", async () => {
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });
    expect(await response.text()).not.toContain("embeddable-sandbox");
  });

  it("answers /readyz 503 when Bigin is unreachable", async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
  });
});
