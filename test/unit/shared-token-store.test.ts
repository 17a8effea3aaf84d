import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RefreshTokenCredential } from "../../src/bigin/auth/refresh-token.js";
import { BiginAuthError } from "../../src/bigin/errors.js";
import { MemoryTokenStore, type TokenStore } from "../../src/bigin/auth/token-store.js";
import { createLogger } from "../../src/logger.js";
import { DEMO_OAUTH_CLIENT, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { logCapture } from "../helpers/refresh-stack.js";

let sandbox: Sandbox;
beforeAll(async () => {
  // More token requests than Zoho's 10 per 10 minutes: these tests count them, not the throttle.
  sandbox = await startSandbox({ port: 0, oauthThrottle: { limit: 1000, windowMs: 600_000 } });
});
afterAll(() => sandbox.close());
let before = 0;
beforeEach(() => {
  before = sandbox.tokenRequests;
});
const refreshes = () => sandbox.tokenRequests - before;

function credential(
  store: TokenStore | undefined,
  extra: Partial<ConstructorParameters<typeof RefreshTokenCredential>[0]> = {},
) {
  return new RefreshTokenCredential({ ...baseOptions(), store, ...extra });
}

describe("RefreshTokenCredential with a shared token store", () => {
  it("makes one refresh for credentials sharing a store", async () => {
    const store = new MemoryTokenStore();
    const [a, b, c] = [credential(store), credential(store), credential(store)];
    const tokens = await Promise.all(
      Array.from({ length: 30 }, (_, i) => [a, b, c][i % 3]!.accessToken()),
    );
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(refreshes()).toBe(1);
  });

  it("does not adopt the stored token Bigin rejected", async () => {
    const store = new MemoryTokenStore();
    const a = credential(store);
    const b = credential(store);
    const first = (await a.accessToken()).token;
    expect((await b.accessToken()).token).toBe(first);
    await a.onInvalidToken(first);
    const second = (await a.accessToken()).token;
    expect(second).not.toBe(first);
    // b is told of the same rejection: it takes a's new token instead of asking again.
    await b.onInvalidToken(first);
    expect((await b.accessToken()).token).toBe(second);
    expect(refreshes()).toBe(2);
  });

  it("refreshes on its own, and says so, when the store fails", async () => {
    const failures: unknown[] = [];
    const broken: TokenStore = {
      read: () => Promise.reject(new Error("connection refused")),
      write: () => Promise.reject(new Error("connection refused")),
      lock: () => Promise.reject(new Error("connection refused")),
      readFailure: () => Promise.reject(new Error("connection refused")),
      writeFailure: () => Promise.reject(new Error("connection refused")),
    };
    const a = credential(broken, { onStoreError: (error) => failures.push(error) });
    const b = credential(broken, { onStoreError: (error) => failures.push(error) });
    const [ta, tb] = await Promise.all([a.accessToken(), b.accessToken()]);
    expect(ta.token).not.toBe(tb.token);
    expect(refreshes()).toBe(2);
    expect(failures).toHaveLength(2);
  });

  it("shares Zoho's refusal: the other credentials back off without asking", async () => {
    const store = new MemoryTokenStore();
    const options = { refreshToken: "1000.revoked-refresh-token" };
    const [a, b] = [credential(store, options), credential(store, options)];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => [a, b][i % 2]!.accessToken()),
    );
    expect(refreshes()).toBe(1);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const error = (outcome as PromiseRejectedResult).reason as BiginAuthError;
      expect(error).toBeInstanceOf(BiginAuthError);
      expect(error).toMatchObject({ reason: "rejected", oauthError: "invalid_code" });
      expect(error.message).toContain("check BIGIN_REFRESH_TOKEN");
      expect(error.message).not.toContain("revoked-refresh-token");
    }
    // A credential that comes later backs off too.
    await expect(credential(store, options).accessToken()).rejects.toThrow("BIGIN_REFRESH_TOKEN");
    expect(refreshes()).toBe(1);
  });

  it("refreshes anyway when the lock's holder never stores a token", async () => {
    const store = new MemoryTokenStore();
    // A process that took the lock and died.
    await store.lock(credential(undefined).key, 60_000);
    const logs = logCapture();
    const a = credential(store, { storeLockMs: 200, logger: createLogger("warn", logs) });
    const started = Date.now();
    expect((await a.accessToken()).token).toMatch(/^1000\./);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(refreshes()).toBe(1);
    expect(logs.text()).toContain("held the token refresh lock too long");
  });

  it("keeps one refresh in flight per process without a store", async () => {
    const a = credential(undefined);
    await Promise.all(Array.from({ length: 10 }, () => a.accessToken()));
    expect(refreshes()).toBe(1);
  });
});

function baseOptions() {
  return {
    accountsUrl: sandbox.url,
    clientId: DEMO_OAUTH_CLIENT.clientId,
    clientSecret: DEMO_OAUTH_CLIENT.clientSecret,
    refreshToken: DEMO_OAUTH_CLIENT.refreshToken,
    logger: createLogger("silent"),
  };
}
