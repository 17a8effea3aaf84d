import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttachmentPage } from "../../src/bigin/attachments.js";
import { RedisAttachmentCache } from "../../src/cache/redis-attachment-cache.js";
import { createLogger } from "../../src/logger.js";
import { connectRedis, type SharedRedis } from "../../src/redis.js";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startRedis } from "../helpers/redis.js";
import { startReplicas, type Replicas } from "../helpers/replicas.js";

const redis = await startRedis();
const rich = { module: "Contacts" as const, id: IDS.rich };

let replicas: Replicas | undefined;
let shared: SharedRedis | undefined;
let inspect: Redis | undefined;
afterEach(async () => {
  await replicas?.close();
  replicas = undefined;
  await shared?.close();
  shared = undefined;
});
afterAll(async () => {
  inspect?.disconnect();
  await redis.server?.stop();
});

const page: AttachmentPage = {
  data: [{ id: "1", File_Name: "a.pdf" }],
  info: {
    perPage: 200,
    page: 1,
    count: 1,
    moreRecords: false,
    nextPageToken: null,
    previousPageToken: null,
    pageTokenExpiry: null,
  },
};

describe.skipIf(redis.skip !== undefined)("the attachment cache in Redis", () => {
  beforeEach(async () => {
    inspect ??= new Redis(redis.server!.url);
    await inspect.flushall();
  });

  it("is shared by replicas, and an invalidation on one reaches the others", async () => {
    replicas = await startReplicas(2, {
      REDIS_URL: redis.server!.url,
      ATTACHMENT_CACHE_TTL_SECONDS: "60",
    });
    await replicas.gql(0, AttachmentNamesDocument, rich);
    const { body } = await replicas.gql(1, AttachmentNamesDocument, rich);
    expect(body.errors).toBeUndefined();
    expect(body.data!.record!.attachments!.nodes.length).toBeGreaterThan(0);
    expect(replicas.biginCalls()).toHaveLength(1);
    await replicas.servers[1]!.services.attachmentCache!.invalidateRecord("Contacts", IDS.rich);
    await replicas.gql(0, AttachmentNamesDocument, rich);
    expect(replicas.biginCalls()).toHaveLength(2);
  });

  it("keys entries by hashes: no token or page token in a key", async () => {
    replicas = await startReplicas(1, {
      REDIS_URL: redis.server!.url,
      ATTACHMENT_CACHE_TTL_SECONDS: "60",
    });
    await replicas.gql(0, AttachmentNamesDocument, rich);
    for (const key of await inspect!.keys("*")) expect(key).not.toContain("sandbox-demo-token");
    // The call budget keeps keys of its own (bigin-attachments:budget:…, :credits).
    const keys = await inspect!.keys("bigin-attachments:pages:*");
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith("bigin-attachments:pages:{Contacts:")).toBe(true);
    expect(
      Math.max(...(await Promise.all(keys.map((key) => inspect!.pttl(key))))),
    ).toBeLessThanOrEqual(60_000);
  });

  it("does not keep a page fetched before the record was invalidated", async () => {
    shared = connectRedis(redis.server!.url, createLogger("silent"));
    await shared.ready(2_000);
    const cache = new RedisAttachmentCache(shared, { ttlSeconds: 60 });
    const address = {
      credentialKey: "k",
      module: "Contacts",
      recordId: "1",
      first: 200,
      page: 1,
      after: undefined,
    };
    const { version } = await cache.lookup(address, ["id"]);
    await cache.invalidateRecord("Contacts", "1");
    await cache.store(address, ["File_Name", "id"], page, version);
    expect((await cache.lookup(address, ["id"])).page).toBeUndefined();
    // A page fetched after the invalidation is kept.
    const again = await cache.lookup(address, ["id"]);
    await cache.store(address, ["File_Name", "id"], page, again.version);
    expect((await cache.lookup(address, ["id"])).page).toEqual(page);
    expect((await cache.lookup(address, ["Size", "id"])).page).toBeUndefined();
  });
});
