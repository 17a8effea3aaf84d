import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_OAUTH_CLIENT } from "../../src/sandbox/index.js";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startRedis } from "../helpers/redis.js";
import { logCapture, REFRESH_ENV } from "../helpers/refresh-stack.js";
import { startReplicas, type Replicas } from "../helpers/replicas.js";

const redis = await startRedis();
const vars = { module: "Contacts" as const, id: IDS.rich };
const asServer = { token: null };

let replicas: Replicas | undefined;
let inspect: Redis | undefined;
afterEach(async () => {
  await replicas?.close();
  replicas = undefined;
});
afterAll(async () => {
  inspect?.disconnect();
  await redis.server?.stop();
});

const tokensUsed = (r: Replicas) => new Set(r.biginCalls().map((call) => call.authorization));

async function refreshesCounted(r: Replicas): Promise<number> {
  let total = 0;
  for (const server of r.servers) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith("bigin_token_refreshes_total "));
    total += Number(line?.split(" ").pop() ?? 0);
  }
  return total;
}

describe.skipIf(redis.skip !== undefined)("the access token shared through Redis", () => {
  const env = () => ({ ...REFRESH_ENV, REDIS_URL: redis.server!.url });

  beforeEach(async () => {
    inspect ??= new Redis(redis.server!.url);
    await inspect.flushall();
  });

  it("makes exactly one refresh for 50 concurrent requests spread over two replicas", async () => {
    replicas = await startReplicas(2, env());
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        replicas!.gql(i % 2, AttachmentNamesDocument, vars, asServer),
      ),
    );
    for (const { body } of answers) {
      expect(body.errors).toBeUndefined();
      expect(body.data!.record!.attachments!.nodes.length).toBeGreaterThan(0);
    }
    expect(replicas.sandbox.tokenRequests).toBe(1);
    expect(await refreshesCounted(replicas)).toBe(1);
    expect(tokensUsed(replicas).size).toBe(1);
    expect(replicas.biginCalls()).toHaveLength(50);
  });

  it("refreshes once per replica without Redis (what the shared store saves)", async () => {
    replicas = await startReplicas(2, { ...REFRESH_ENV });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        replicas!.gql(i % 2, AttachmentNamesDocument, vars, asServer),
      ),
    );
    expect(replicas.sandbox.tokenRequests).toBe(2);
    expect(tokensUsed(replicas).size).toBe(2);
  });

  it("lets a replica that starts serving later use the stored token without asking Zoho", async () => {
    replicas = await startReplicas(3, env());
    for (const index of [0, 1, 2]) {
      expect(
        (await replicas.gql(index, AttachmentNamesDocument, vars, asServer)).body.errors,
      ).toBeUndefined();
    }
    expect(replicas.sandbox.tokenRequests).toBe(1);
    expect(tokensUsed(replicas).size).toBe(1);
  });

  it("renews a token that is due once for all replicas", async () => {
    replicas = await startReplicas(2, env(), { accessTokenTtlSeconds: 2 });
    await Promise.all([0, 1].map((i) => replicas!.gql(i, AttachmentNamesDocument, vars, asServer)));
    expect(replicas.sandbox.tokenRequests).toBe(1);
    await sleep(2_100);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        replicas!.gql(i % 2, AttachmentNamesDocument, vars, asServer),
      ),
    );
    for (const { body } of answers) expect(body.errors).toBeUndefined();
    expect(replicas.sandbox.tokenRequests).toBe(2);
    expect(tokensUsed(replicas).size).toBe(2);
  });

  it("refreshes once when Bigin rejects the shared token, and the other replica adopts the new one", async () => {
    replicas = await startReplicas(2, env());
    await Promise.all([0, 1].map((i) => replicas!.gql(i, AttachmentNamesDocument, vars, asServer)));
    const [first] = [...tokensUsed(replicas)];
    // Bigin ends the token early for everyone.
    replicas.sandbox.addToken(first!.split(" ")[1]!, [], 1);
    for (const index of [0, 1]) {
      const { body } = await replicas.gql(index, AttachmentNamesDocument, vars, asServer);
      expect(body.errors).toBeUndefined();
    }
    expect(replicas.sandbox.tokenRequests).toBe(2);
    const calls = replicas.biginCalls().slice(2);
    expect(calls.map((call) => call.status)).toEqual([401, 200, 401, 200]);
    expect(calls[1]!.authorization).toBe(calls[3]!.authorization);
    expect(calls[1]!.authorization).not.toBe(first);
  });

  it("makes one token request when Zoho refuses the refresh token, and all replicas back off", async () => {
    replicas = await startReplicas(2, { ...env(), BIGIN_REFRESH_TOKEN: "1000.revoked" });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        replicas!.gql(i % 2, AttachmentNamesDocument, vars, asServer),
      ),
    );
    for (const { body } of answers) {
      expect(body.errors![0]!.extensions).toMatchObject({
        code: "UNAUTHENTICATED",
        oauth: { reason: "rejected", error: "invalid_code" },
      });
      expect(body.errors![0]!.message).toContain("BIGIN_REFRESH_TOKEN");
    }
    expect(replicas.sandbox.tokenRequests).toBe(1);
    expect(replicas.biginCalls()).toHaveLength(0);
  });

  it("keys Redis by a hash and never logs the stored access token", async () => {
    const logs = logCapture();
    replicas = await startReplicas(2, { ...env(), LOG_LEVEL: "trace" }, {}, logs);
    await Promise.all([0, 1].map((i) => replicas!.gql(i, AttachmentNamesDocument, vars, asServer)));
    const token = [...tokensUsed(replicas)][0]!.split(" ")[1]!;
    for (const key of await inspect!.keys("*")) {
      for (const secret of [
        token,
        DEMO_OAUTH_CLIENT.refreshToken,
        DEMO_OAUTH_CLIENT.clientSecret,
      ]) {
        expect(key).not.toContain(secret);
      }
      expect(key).not.toContain(DEMO_OAUTH_CLIENT.clientId);
    }
    // The token lives in Redis (that is the point) with its expiry, and nowhere in the log.
    const keys = await inspect!.keys("bigin-attachments:token:*");
    expect(keys).toHaveLength(1);
    const [stored] = await Promise.all(keys.map((key) => inspect!.get(key)));
    expect(JSON.parse(stored!)).toMatchObject({ token, expiresAt: expect.any(Number) });
    expect(await inspect!.pttl(keys[0]!)).toBeGreaterThan(3_000_000);
    expect(logs.text()).toContain("Bigin call");
    expect(logs.text()).not.toContain(token);
    expect(logs.text()).not.toContain(DEMO_OAUTH_CLIENT.refreshToken);
  });
});
