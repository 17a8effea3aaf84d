import type { AttachmentPage } from "../bigin/attachments.js";
import {
  type AttachmentCache,
  type CacheLookup,
  type PageAddress,
  fieldsTag,
  pageTag,
  recordTag,
} from "./attachment-cache.js";

interface Entry {
  fields: ReadonlySet<string>;
  page: AttachmentPage;
  expiresAt: number;
}

export interface MemoryAttachmentCacheOptions {
  ttlSeconds: number;
  /** Most pages kept; the least recently used go first. */
  maxEntries?: number;
  onLookup?: (hit: boolean) => void;
  now?: () => number;
}

/** An AttachmentCache in this process: a bounded LRU of pages. */
export class MemoryAttachmentCache implements AttachmentCache {
  /** Record tag + page tag → field set → page. Map order is recency: oldest first. */
  private readonly groups = new Map<string, Map<string, Entry>>();
  private size = 0;
  /** Bumped by every invalidation: a page fetched before one is not stored. */
  private version = 0;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: MemoryAttachmentCacheOptions) {
    this.maxEntries = options.maxEntries ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /** Pages held now (expired ones included until they are met or evicted). */
  get entries(): number {
    return this.size;
  }

  async lookup(address: PageAddress, fields: readonly string[]): Promise<CacheLookup> {
    const key = groupKey(address);
    const group = this.groups.get(key);
    let page: AttachmentPage | undefined;
    if (group) {
      const now = this.now();
      for (const [tag, entry] of group) {
        if (now >= entry.expiresAt) {
          group.delete(tag);
          this.size -= 1;
        } else if (page === undefined && fields.every((name) => entry.fields.has(name))) {
          page = entry.page;
        }
      }
      this.groups.delete(key);
      if (group.size > 0) this.groups.set(key, group);
    }
    this.options.onLookup?.(page !== undefined);
    return { page, version: String(this.version) };
  }

  async store(
    address: PageAddress,
    fields: readonly string[],
    page: AttachmentPage,
    version: string,
  ): Promise<void> {
    if (version !== String(this.version)) return;
    const key = groupKey(address);
    const group = this.groups.get(key) ?? new Map<string, Entry>();
    const tag = fieldsTag(fields);
    if (!group.has(tag)) this.size += 1;
    group.set(tag, {
      fields: new Set(fields),
      page,
      expiresAt: this.now() + this.options.ttlSeconds * 1000,
    });
    this.groups.delete(key);
    this.groups.set(key, group);
    for (const [oldest, entries] of this.groups) {
      if (this.size <= this.maxEntries) break;
      this.groups.delete(oldest);
      this.size -= entries.size;
    }
  }

  async invalidateRecord(module: string, recordId: string): Promise<void> {
    this.version += 1;
    const prefix = `${recordTag(module, recordId)}|`;
    for (const [key, group] of this.groups) {
      if (!key.startsWith(prefix)) continue;
      this.groups.delete(key);
      this.size -= group.size;
    }
  }
}

const groupKey = (address: PageAddress) =>
  `${recordTag(address.module, address.recordId)}|${pageTag(address)}`;
