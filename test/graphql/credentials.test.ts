import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { biginCalls, logCapture, startRefreshStack } from "../helpers/refresh-stack.js";
import { DEMO_TOKEN, type Stack } from "../helpers/stack.js";

const vars = { module: "Contacts" as const, id: IDS.rich };
const asServer = { token: null };

let stack: Stack | undefined;
let other: Sandbox | undefined;
afterEach(async () => {
  await stack?.close();
  await other?.close();
  stack = undefined;
  other = undefined;
});

const tokensUsed = (s: Stack) => biginCalls(s).map((call) => call.authorization);

describe("refresh-token mode", () => {
  it("serves 50 concurrent first requests with exactly one refresh", async () => {
    stack = await startRefreshStack();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => stack!.gql(AttachmentNamesDocument, vars, asServer)),
    );
    for (const { body } of answers) {
      expect(body.errors).toBeUndefined();
      expect(body.data!.record!.attachments!.nodes.length).toBeGreaterThan(0);
    }
    expect(stack.sandbox.tokenRequests).toBe(1);
    const used = new Set(tokensUsed(stack));
    expect(used.size).toBe(1);
    expect([...used][0]).toMatch(/^Zoho-oauthtoken 1000\./);
  });

  it("reuses the access token until it is due, then refreshes an expired one once", async () => {
    stack = await startRefreshStack({}, { accessTokenTtlSeconds: 2 });
    expect((await stack.gql(AttachmentNamesDocument, vars, asServer)).body.errors).toBeUndefined();
    expect(stack.sandbox.tokenRequests).toBe(1);
    await sleep(2_100);
    expect((await stack.gql(AttachmentNamesDocument, vars, asServer)).body.errors).toBeUndefined();
    expect((await stack.gql(AttachmentNamesDocument, vars, asServer)).body.errors).toBeUndefined();
    expect(stack.sandbox.tokenRequests).toBe(2);
    const used = tokensUsed(stack);
    expect(biginCalls(stack).map((call) => call.status)).toEqual([200, 200, 200]);
    expect(used[1]).not.toBe(used[0]);
    expect(used[2]).toBe(used[1]);
  });

  it("refreshes once and retries once when Bigin says INVALID_TOKEN", async () => {
    stack = await startRefreshStack();
    await stack.gql(AttachmentNamesDocument, vars, asServer);
    stack.sandbox.faults.error(401, "INVALID_TOKEN", { times: 1, path: "/Attachments" });
    const { body } = await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(body.errors).toBeUndefined();
    expect(body.data!.record!.attachments!.nodes.length).toBeGreaterThan(0);
    expect(stack.sandbox.tokenRequests).toBe(2);
    const calls = biginCalls(stack);
    expect(calls.map((call) => call.status)).toEqual([200, 401, 200]);
    expect(calls[1]!.authorization).toBe(calls[0]!.authorization);
    expect(calls[2]!.authorization).not.toBe(calls[1]!.authorization);
  });

  it("refreshes once when many concurrent calls are rejected with the same token", async () => {
    stack = await startRefreshStack({ BIGIN_CONCURRENCY: "10" });
    await stack.gql(AttachmentNamesDocument, vars, asServer);
    // Bigin ends the token early (e.g. the 16th token of a refresh token kills the oldest).
    const [, token] = tokensUsed(stack)[0]!.split(" ");
    stack.sandbox.addToken(token!, [], 1);
    const answers = await Promise.all(
      IDS.allWithAttachments.map(({ module, id }) =>
        stack!.gql(AttachmentNamesDocument, { module, id }, asServer),
      ),
    );
    for (const { body } of answers) expect(body.errors).toBeUndefined();
    expect(stack.sandbox.tokenRequests).toBe(2);
    const statuses = biginCalls(stack).map((call) => call.status);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThan(1);
  });

  it("gives UNAUTHENTICATED naming BIGIN_REFRESH_TOKEN when Zoho answers invalid_code", async () => {
    stack = await startRefreshStack({ BIGIN_REFRESH_TOKEN: "1000.not-a-refresh-token" });
    const { body } = await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(body.data!.record!.attachments).toBeNull();
    const error = body.errors![0]!;
    expect(error.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      retryable: false,
      oauth: { reason: "rejected", error: "invalid_code" },
    });
    expect(error.message).toContain("BIGIN_REFRESH_TOKEN");
    expect(error.message).not.toContain("1000.not-a-refresh-token");
    expect(biginCalls(stack)).toHaveLength(0);
    // Backing off: the next request does not ask Zoho again.
    const again = await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(again.body.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
    expect(stack.sandbox.tokenRequests).toBe(1);
  });

  it("gives UNAUTHENTICATED naming the client variables when Zoho answers invalid_client", async () => {
    stack = await startRefreshStack({ BIGIN_CLIENT_SECRET: "not-the-secret" });
    const { body } = await stack.gql(AttachmentNamesDocument, vars, asServer);
    const error = body.errors![0]!;
    expect(error.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      oauth: { error: "invalid_client" },
    });
    expect(error.message).toContain("BIGIN_CLIENT_SECRET");
    expect(error.message).not.toContain("not-the-secret");
  });

  it("gives a retryable UNAUTHENTICATED when the accounts server cannot be reached", async () => {
    stack = await startRefreshStack({}, {});
    stack.sandbox.faults.add({ path: "/oauth/v2/token", reset: true, times: 1 });
    const { body } = await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      retryable: true,
      oauth: { reason: "unavailable" },
    });
    expect(body.errors![0]!.message).toContain("BIGIN_ACCOUNTS_URL");
  });

  it("calls the API domain the token answer names", async () => {
    other = await startSandbox({ port: 0 });
    const second = other;
    stack = await startRefreshStack(
      {},
      {
        oauthApiDomain: second.url,
        onTokenIssued: (token, scopes, expiresAt) => second.addToken(token, scopes, expiresAt),
      },
    );
    const { body } = await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(body.errors).toBeUndefined();
    expect(biginCalls(stack)).toHaveLength(0);
    expect(second.requests).toHaveLength(1);
    expect(second.requests[0]).toMatchObject({
      path: `/bigin/v2/Contacts/${IDS.rich}/Attachments`,
      status: 200,
    });
  });

  it("backs off, and says so in the log, when Zoho throttles new access tokens", async () => {
    const logs = logCapture();
    stack = await startRefreshStack({}, { oauthThrottle: { limit: 1, windowMs: 600_000 } }, logs);
    expect((await stack.gql(AttachmentNamesDocument, vars, asServer)).body.errors).toBeUndefined();
    stack.sandbox.faults.error(401, "INVALID_TOKEN", { times: 1, path: "/Attachments" });
    const { body } = await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      retryable: true,
      retryAfterSeconds: expect.any(Number),
      oauth: { reason: "throttled", error: "Access Denied" },
    });
    expect(stack.sandbox.tokenRequests).toBe(2);
    for (let i = 0; i < 5; i += 1) {
      const next = await stack.gql(AttachmentNamesDocument, vars, asServer);
      expect(next.body.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
    }
    expect(stack.sandbox.tokenRequests).toBe(2);
    expect(logs.text()).toMatch(/backing off for \d+ s/);
  });

  it("never asks Zoho for more than 10 access tokens in 10 minutes", async () => {
    stack = await startRefreshStack({}, { oauthThrottle: { limit: 100, windowMs: 600_000 } });
    // The first token, then nine renewals of a rejected one.
    for (let i = 0; i < 9; i += 1) {
      stack.sandbox.faults.error(401, "INVALID_TOKEN", { times: 1, path: "/Attachments" });
      const { body } = await stack.gql(AttachmentNamesDocument, vars, asServer);
      expect(body.errors).toBeUndefined();
    }
    expect(stack.sandbox.tokenRequests).toBe(10);
    stack.sandbox.faults.error(401, "INVALID_TOKEN", { times: 1, path: "/Attachments" });
    const { body } = await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      retryable: true,
      oauth: { reason: "throttled", error: null },
    });
    expect(body.errors![0]!.message).toContain("10 access tokens");
    expect(stack.sandbox.tokenRequests).toBe(10);
  });
});

describe("which credential wins", () => {
  it("uses the caller's Authorization header over the server-held credential", async () => {
    stack = await startRefreshStack();
    const { body } = await stack.gql(AttachmentNamesDocument, vars);
    expect(body.errors).toBeUndefined();
    expect(tokensUsed(stack)).toEqual([`Zoho-oauthtoken ${DEMO_TOKEN}`]);
    expect(stack.sandbox.tokenRequests).toBe(0);
  });

  it("does not fall back to the server's credential when the caller's header is malformed", async () => {
    stack = await startRefreshStack();
    const { body } = await stack.gql(AttachmentNamesDocument, vars, { authorization: "Basic x" });
    expect(body.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
    expect(stack.calls()).toHaveLength(0);
  });

  it("requires a caller credential with AUTH_MODE=passthrough", async () => {
    stack = await startRefreshStack({ AUTH_MODE: "passthrough" });
    const { body } = await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(body.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
    expect(body.errors![0]!.message).toContain("Authorization");
    expect(stack.calls()).toHaveLength(0);
    expect((await stack.gql(AttachmentNamesDocument, vars)).body.errors).toBeUndefined();
  });

  it("refuses a caller's header with AUTH_MODE=server and uses the server's credential", async () => {
    stack = await startRefreshStack({ AUTH_MODE: "server" });
    const refused = await stack.gql(AttachmentNamesDocument, vars);
    expect(refused.body.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
    expect(refused.body.errors![0]!.message).toContain("AUTH_MODE=server");
    expect(stack.calls()).toHaveLength(0);
    const served = await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(served.body.errors).toBeUndefined();
    expect(tokensUsed(stack)).toHaveLength(1);
    expect(tokensUsed(stack)[0]).not.toContain(DEMO_TOKEN);
  });

  it("signs photo links without a header when the server holds a credential, except with AUTH_MODE=passthrough", async () => {
    const photo = `{ record(module: Contacts, id: "${IDS.rich}") { photoUrl photoUrlExpiresAt } }`;
    stack = await startRefreshStack();
    const { body } = await stack.gql<{ record: { photoUrl: string | null } }>(photo, {}, asServer);
    expect(body.errors).toBeUndefined();
    const download = await fetch(body.data!.record.photoUrl!);
    expect(download.status).toBe(200);
    await stack.close();

    stack = await startRefreshStack({ AUTH_MODE: "passthrough" });
    const none = await stack.gql(photo, {}, asServer);
    expect(none.body.errors).toBeUndefined();
    expect(none.body.data).toEqual({ record: { photoUrl: null, photoUrlExpiresAt: null } });
  });

  it("answers fields that need no Bigin call without any credential in every mode", async () => {
    stack = await startRefreshStack({ AUTH_MODE: "server" });
    const { body } = await stack.gql(`{ record(module: Contacts, id: "${IDS.rich}") { id } }`);
    expect(body.errors).toBeUndefined();
    expect(stack.sandbox.tokenRequests).toBe(0);
  });
});

describe("readiness in refresh-token mode", () => {
  const readyz = async (s: Stack) => {
    const response = await fetch(`${s.server.url}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("reports that an access token could be had, asking Zoho once", async () => {
    stack = await startRefreshStack();
    expect(await readyz(stack)).toEqual({
      status: 200,
      body: { status: "ready", serverCredential: "ok" },
    });
    await readyz(stack);
    await stack.gql(AttachmentNamesDocument, vars, asServer);
    expect(stack.sandbox.tokenRequests).toBe(1);
  });

  it("stays ready when callers may bring their own tokens, reporting the failing credential", async () => {
    stack = await startRefreshStack({ BIGIN_REFRESH_TOKEN: "1000.revoked" });
    expect(await readyz(stack)).toEqual({
      status: 200,
      body: { status: "ready", serverCredential: "failing" },
    });
  });

  it("is unready with AUTH_MODE=server when no access token can be had", async () => {
    stack = await startRefreshStack({ AUTH_MODE: "server", BIGIN_REFRESH_TOKEN: "1000.revoked" });
    const { status, body } = await readyz(stack);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: "unavailable", serverCredential: "failing" });
  });
});
