import { describe, expect, it } from "vitest";
import type { AttachmentPage } from "../../src/bigin/attachments.js";
import type { PageAddress } from "../../src/cache/attachment-cache.js";
import { MemoryAttachmentCache } from "../../src/cache/memory-attachment-cache.js";

const page = (name: string): AttachmentPage => ({
  data: [{ id: "1", File_Name: name }],
  info: {
    perPage: 200,
    page: 1,
    count: 1,
    moreRecords: false,
    nextPageToken: null,
    previousPageToken: null,
    pageTokenExpiry: null,
  },
});
const address = (recordId: string, credentialKey = "caller-a"): PageAddress => ({
  credentialKey,
  module: "Contacts",
  recordId,
  first: 200,
  page: 1,
  after: undefined,
});

describe("MemoryAttachmentCache", () => {
  it("keeps at most maxEntries pages, dropping the least recently used", async () => {
    const cache = new MemoryAttachmentCache({ ttlSeconds: 60, maxEntries: 3 });
    for (const id of ["1", "2", "3"]) {
      const { version } = await cache.lookup(address(id), ["id"]);
      await cache.store(address(id), ["id"], page(id), version);
    }
    // Record 1 is used again, so record 2 is now the oldest.
    expect((await cache.lookup(address("1"), ["id"])).page).toBeDefined();
    const { version } = await cache.lookup(address("4"), ["id"]);
    await cache.store(address("4"), ["id"], page("4"), version);
    expect(cache.entries).toBe(3);
    expect((await cache.lookup(address("2"), ["id"])).page).toBeUndefined();
    for (const id of ["1", "3", "4"]) {
      expect((await cache.lookup(address(id), ["id"])).page?.data[0]?.File_Name).toBe(id);
    }
  });

  it("does not keep a page fetched before the record was invalidated", async () => {
    const cache = new MemoryAttachmentCache({ ttlSeconds: 60 });
    const { version } = await cache.lookup(address("1"), ["id"]);
    // A mutation lands while the page is being fetched.
    await cache.invalidateRecord("Contacts", "1");
    await cache.store(address("1"), ["id"], page("stale"), version);
    expect((await cache.lookup(address("1"), ["id"])).page).toBeUndefined();
  });

  it("tells hits and misses, and separates callers", async () => {
    const seen: boolean[] = [];
    const cache = new MemoryAttachmentCache({ ttlSeconds: 60, onLookup: (hit) => seen.push(hit) });
    const { version } = await cache.lookup(address("1"), ["File_Name", "id"]);
    await cache.store(address("1"), ["File_Name", "id"], page("a"), version);
    await cache.lookup(address("1"), ["id"]);
    await cache.lookup(address("1", "caller-b"), ["id"]);
    await cache.lookup(address("1"), ["Size", "id"]);
    expect(seen).toEqual([false, true, false, false]);
  });
});
