import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { NO_ATTACHMENTS_TOKEN, READONLY_TOKEN } from "../../src/sandbox/scopes.js";
import { AttachmentNamesDocument, RecordAttachmentsDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startRedis } from "../helpers/redis.js";
import { startStack, type Stack } from "../helpers/stack.js";

const redis = await startRedis();
afterAll(() => redis.server?.stop());

const rich = { module: "Contacts" as const, id: IDS.rich };
const liam = { module: "Contacts" as const, id: IDS.allWithAttachments[1].id };

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function lookups(s: Stack): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${s.server.url}/metrics`)).text();
  const value = (result: string) =>
    Number(
      text
        .split("\n")
        .find((l) => l.startsWith(`attachment_cache_lookups_total{result="${result}"}`))
        ?.split(" ")
        .pop() ?? 0,
    );
  return { hit: value("hit"), miss: value("miss") };
}

const backends = [
  { name: "in memory", kind: "MemoryAttachmentCache", env: () => ({}), skip: false },
  {
    name: "in Redis",
    kind: "RedisAttachmentCache",
    env: () => ({ REDIS_URL: redis.server!.url }),
    skip: redis.skip !== undefined,
  },
];

describe.each(backends)("the attachment cache $name", ({ env, kind, skip }) => {
  const start = async (ttl = "60") => {
    if (redis.server) {
      const client = new Redis(redis.server.url);
      await client.flushall();
      client.disconnect();
    }
    stack = await startStack({ ...env(), ATTACHMENT_CACHE_TTL_SECONDS: ttl });
    expect(stack.server.services.attachmentCache?.constructor.name).toBe(kind);
    return stack;
  };

  it.skipIf(skip)("serves a second identical operation without calling Bigin", async () => {
    const s = await start();
    const first = await s.gql(RecordAttachmentsDocument, rich);
    const second = await s.gql(RecordAttachmentsDocument, rich);
    expect(first.body.errors).toBeUndefined();
    expect(second.body).toEqual(first.body);
    expect(s.calls()).toHaveLength(1);
    expect(await lookups(s)).toEqual({ hit: 1, miss: 1 });
  });

  it.skipIf(skip)("serves a narrower selection from a page cached with more fields", async () => {
    const s = await start();
    const wide = await s.gql(RecordAttachmentsDocument, rich);
    const narrow = await s.gql(AttachmentNamesDocument, rich);
    expect(narrow.body.errors).toBeUndefined();
    expect(narrow.body.data!.record!.attachments!.nodes).toEqual(
      wide.body.data!.record!.attachments!.nodes.map(({ id, fileName }) => ({ id, fileName })),
    );
    expect(s.calls()).toHaveLength(1);
  });

  it.skipIf(skip)("asks Bigin for a wider selection, and for other page arguments", async () => {
    const s = await start();
    await s.gql(AttachmentNamesDocument, rich);
    await s.gql(RecordAttachmentsDocument, rich);
    expect(s.calls()).toHaveLength(2);
    expect(s.calls()[1]!.query.fields).toContain("Created_By");
    await s.gql(AttachmentNamesDocument, { ...rich, first: 2 });
    expect(s.calls()).toHaveLength(3);
    // Both cached field sets now cover the names.
    await s.gql(AttachmentNamesDocument, rich);
    await s.gql(AttachmentNamesDocument, { ...rich, first: 2 });
    expect(s.calls()).toHaveLength(3);
  });

  it.skipIf(skip)(
    "shows a record's change after invalidateRecord, and keeps other records cached",
    async () => {
      const s = await start();
      const names = async (vars: { module: "Contacts"; id: string }) =>
        (await s.gql(AttachmentNamesDocument, vars)).body.data!.record!.attachments!.nodes.map(
          (n) => n.fileName,
        );
      const before = await names(rich);
      await names(liam);
      s.sandbox.store.addAttachment("Contacts", IDS.rich, {
        type: "Link URL",
        linkUrl: "https://example.com/new",
        title: "added elsewhere",
      });
      // Within the TTL the cached page is served: the change was not made through this server.
      expect(await names(rich)).toEqual(before);
      await s.server.services.attachmentCache!.invalidateRecord("Contacts", IDS.rich);
      expect(await names(rich)).toContain("added elsewhere");
      await names(liam);
      expect(s.calls().map((call) => call.path)).toEqual([
        `/bigin/v2/Contacts/${IDS.rich}/Attachments`,
        `/bigin/v2/Contacts/${liam.id}/Attachments`,
        `/bigin/v2/Contacts/${IDS.rich}/Attachments`,
      ]);
    },
  );

  it.skipIf(skip)("never serves one caller's cached page to another token", async () => {
    const s = await start();
    expect((await s.gql(AttachmentNamesDocument, rich)).body.errors).toBeUndefined();
    // A token without the attachments scope still gets Bigin's refusal, not the cached page.
    const refused = await s.gql(AttachmentNamesDocument, rich, { token: NO_ATTACHMENTS_TOKEN });
    expect(refused.body.data!.record!.attachments).toBeNull();
    expect(refused.body.errors![0]!.extensions!.code).toBe("FORBIDDEN");
    const other = await s.gql(AttachmentNamesDocument, rich, { token: READONLY_TOKEN });
    expect(other.body.errors).toBeUndefined();
    expect(s.calls().map((call) => call.authorization)).toEqual([
      "Zoho-oauthtoken sandbox-demo-token",
      `Zoho-oauthtoken ${NO_ATTACHMENTS_TOKEN}`,
      `Zoho-oauthtoken ${READONLY_TOKEN}`,
    ]);
    // Each caller's own entry still serves that caller.
    await s.gql(AttachmentNamesDocument, rich);
    await s.gql(AttachmentNamesDocument, rich, { token: READONLY_TOKEN });
    expect(s.calls()).toHaveLength(3);
  });

  it.skipIf(skip)("calls Bigin again once ATTACHMENT_CACHE_TTL_SECONDS has passed", async () => {
    const s = await start("2");
    await s.gql(AttachmentNamesDocument, rich);
    await s.gql(AttachmentNamesDocument, rich);
    expect(s.calls()).toHaveLength(1);
    await sleep(2_100);
    await s.gql(AttachmentNamesDocument, rich);
    expect(s.calls()).toHaveLength(2);
  });

  it.skipIf(skip)("does not keep Bigin's errors", async () => {
    const s = await start();
    s.sandbox.faults.error(500, "INTERNAL_ERROR", { times: 1, path: "/Attachments" });
    expect((await s.gql(AttachmentNamesDocument, rich)).body.errors![0]!.extensions!.code).toBe(
      "UPSTREAM_ERROR",
    );
    expect((await s.gql(AttachmentNamesDocument, rich)).body.errors).toBeUndefined();
    expect((await s.gql(AttachmentNamesDocument, rich)).body.errors).toBeUndefined();
    expect(s.calls().map((call) => call.status)).toEqual([500, 200]);
  });
});

describe("the attachment cache, off by default", () => {
  it("calls Bigin for every operation when ATTACHMENT_CACHE_TTL_SECONDS is not set", async () => {
    stack = await startStack();
    await stack.gql(AttachmentNamesDocument, rich);
    await stack.gql(AttachmentNamesDocument, rich);
    expect(stack.calls()).toHaveLength(2);
    expect(stack.server.services.attachmentCache).toBeUndefined();
    expect(await lookups(stack)).toEqual({ hit: 0, miss: 0 });
  });
});
