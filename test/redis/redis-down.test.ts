import { afterAll, afterEach, describe, expect, it } from "vitest";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startRedis } from "../helpers/redis.js";
import { logCapture, REFRESH_ENV } from "../helpers/refresh-stack.js";
import { startReplicas, type Replicas } from "../helpers/replicas.js";

const redis = await startRedis();
const vars = { module: "Contacts" as const, id: IDS.rich };
const asServer = { token: null };

let replicas: Replicas | undefined;
afterEach(async () => {
  await replicas?.close();
  replicas = undefined;
});
afterAll(() => redis.server?.stop());

/** Attachment list calls (the readiness probe calls Bigin too). */
const lists = (r: Replicas) => r.biginCalls().filter((call) => call.path.endsWith("/Attachments"));

const readiness = async (r: Replicas) =>
  (await fetch(`${r.servers[0]!.url}/readyz`)).json() as Promise<Record<string, unknown>>;

describe.skipIf(redis.skip !== undefined)("when Redis goes away", () => {
  it("keeps serving: Bigin without the cache, the token refreshed in-process", async () => {
    const logs = logCapture();
    replicas = await startReplicas(
      1,
      {
        ...REFRESH_ENV,
        REDIS_URL: redis.server!.url,
        ATTACHMENT_CACHE_TTL_SECONDS: "60",
        LOG_LEVEL: "warn",
      },
      {},
      logs,
    );
    const ok = async () => {
      const { body } = await replicas!.gql(0, AttachmentNamesDocument, vars, asServer);
      expect(body.errors).toBeUndefined();
      expect(body.data!.record!.attachments!.nodes.length).toBeGreaterThan(0);
    };
    await ok();
    await ok();
    expect(lists(replicas)).toHaveLength(1);
    expect(await readiness(replicas)).toMatchObject({ status: "ready", redis: "ok" });

    await redis.server!.stop();
    await ok();
    expect(lists(replicas)).toHaveLength(2);
    // Bigin ends the token: the refresh happens here, without the shared store.
    const token = lists(replicas)[0]!.authorization!.split(" ")[1]!;
    replicas.sandbox.addToken(token, [], 1);
    await ok();
    expect(replicas.sandbox.tokenRequests).toBe(2);
    expect(await readiness(replicas)).toMatchObject({ status: "ready", redis: "down" });
    expect(logs.text()).toContain("Redis");
    expect(logs.text()).not.toContain(token);

    // Once Redis is back, the cache is used again.
    await redis.server!.restart();
    const back = Date.now();
    while ((await readiness(replicas)).redis !== "ok" && Date.now() - back < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const before = lists(replicas).length;
    await ok();
    await ok();
    expect(lists(replicas)).toHaveLength(before + 1);
  });

  it("starts and serves when Redis cannot be reached at all", async () => {
    const logs = logCapture();
    const port = redis.server!.port;
    await redis.server!.stop();
    replicas = await startReplicas(
      2,
      {
        ...REFRESH_ENV,
        REDIS_URL: `redis://127.0.0.1:${port}`,
        ATTACHMENT_CACHE_TTL_SECONDS: "60",
        LOG_LEVEL: "warn",
      },
      {},
      logs,
    );
    for (const index of [0, 1, 0]) {
      const { body } = await replicas.gql(index, AttachmentNamesDocument, vars, asServer);
      expect(body.errors).toBeUndefined();
    }
    expect(lists(replicas)).toHaveLength(3);
    expect(replicas.sandbox.tokenRequests).toBe(2);
    expect(await readiness(replicas)).toMatchObject({ status: "ready", redis: "down" });
    expect(logs.text()).toContain("starting without it");
  });
});
