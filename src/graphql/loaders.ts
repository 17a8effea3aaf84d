import DataLoader from "dataloader";
import { listAttachments, type AttachmentPage } from "../bigin/attachments.js";
import type { BiginClient } from "../bigin/client.js";
import type { BiginCredential } from "../bigin/credential.js";
import type { AttachmentCache, PageAddress } from "../cache/attachment-cache.js";
import type { Logger } from "../logger.js";

/** One Bigin page of one record's attachments, with the Bigin fields a selection needs. */
export interface PageRequest {
  module: string;
  recordId: string;
  perPage: number;
  page: number;
  /** Bigin's page token; `page` is then only informative. */
  pageToken: string | undefined;
  fields: readonly string[];
}

const pageKey = (r: PageRequest) =>
  `${r.module}/${r.recordId}?per_page=${r.perPage}&page=${r.page}&page_token=${r.pageToken ?? ""}`;

export interface Loaders {
  attachmentPages: DataLoader<PageRequest, AttachmentPage>;
  /** Forgets every page of a record fetched so far (after a write to it). */
  forgetRecord(module: string, recordId: string): void;
}

/**
 * Per-request loaders. Requests for the same record page share one Bigin call asking for the
 * union of their fields; a page already fetched with a superset of the fields is reused.
 */
export function createLoaders(
  client: BiginClient,
  credential: BiginCredential,
  options: {
    signal?: AbortSignal | undefined;
    logger?: Logger | undefined;
    /**
     * Told, per batch, how many page loads were asked for and how many Bigin calls (or response
     * cache look-ups) made for them: the difference is what batching and reuse saved.
     */
    onBatch?: ((requested: number, made: number) => void) | undefined;
    /** Pages across operations (ATTACHMENT_CACHE_TTL_SECONDS), looked up before Bigin. */
    cache?: AttachmentCache | undefined;
  } = {},
): Loaders {
  const fetched = new Map<
    string,
    Array<{ fields: ReadonlySet<string>; page: Promise<AttachmentPage> }>
  >();

  const attachmentPages = new DataLoader<PageRequest, AttachmentPage>(
    async (requests) => {
      const groups = new Map<string, { request: PageRequest; fields: Set<string> }>();
      for (const request of requests) {
        const key = pageKey(request);
        const group = groups.get(key);
        if (group) for (const field of request.fields) group.fields.add(field);
        else groups.set(key, { request, fields: new Set(request.fields) });
      }
      const pages = new Map<string, Promise<AttachmentPage>>();
      let made = 0;
      for (const [key, { request, fields }] of groups) {
        // A page fetched earlier in this operation with every field asked for now.
        const earlier = fetched.get(key)?.find((f) => [...fields].every((n) => f.fields.has(n)));
        if (earlier) {
          pages.set(key, earlier.page);
          continue;
        }
        const sorted = [...fields].sort();
        const fetch = () =>
          listAttachments(
            client,
            credential,
            {
              module: request.module,
              recordId: request.recordId,
              fields: sorted,
              page: request.page,
              perPage: request.perPage,
              pageToken: request.pageToken,
            },
            { signal: options.signal, logger: options.logger },
          );
        const page = options.cache
          ? throughCache(options.cache, addressOf(credential, request), sorted, fetch)
          : fetch();
        made += 1;
        pages.set(key, page);
        const list = fetched.get(key) ?? [];
        list.push({ fields, page });
        fetched.set(key, list);
      }
      options.onBatch?.(requests.length, made);
      // One entry per key, in key order; a failed page fails only the requests for it.
      return Promise.all(
        requests.map((request) =>
          pages
            .get(pageKey(request))!
            .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        ),
      );
    },
    {
      // Every load reaches the batch function, which shares pages itself (`fetched`): so each
      // load served without a call of its own is counted, whatever asked for it twice (aliases,
      // fragments, _entities representations of one record).
      cache: false,
      // Wait for the whole execution level (all sibling resolvers) before calling Bigin.
      batchScheduleFn: (callback) => setImmediate(callback),
    },
  );

  return {
    attachmentPages,
    forgetRecord(module, recordId) {
      const prefix = `${module}/${recordId}?`;
      for (const key of fetched.keys()) if (key.startsWith(prefix)) fetched.delete(key);
    },
  };
}

const addressOf = (credential: BiginCredential, request: PageRequest): PageAddress => ({
  credentialKey: credential.key,
  module: request.module,
  recordId: request.recordId,
  first: request.perPage,
  page: request.page,
  after: request.pageToken,
});

/** A cached page covering `fields`, else Bigin's (kept for the next operations). */
async function throughCache(
  cache: AttachmentCache,
  address: PageAddress,
  fields: readonly string[],
  fetch: () => Promise<AttachmentPage>,
): Promise<AttachmentPage> {
  const { page, version } = await cache.lookup(address, fields);
  if (page) return page;
  const fresh = await fetch();
  // Stored before answering, so the caller's next operation finds it.
  await cache.store(address, fields, fresh, version);
  return fresh;
}
