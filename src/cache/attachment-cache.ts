import type { AttachmentPage } from "../bigin/attachments.js";
import { tokenKey } from "../bigin/credential.js";

/** Which page of which record, as which caller. */
export interface PageAddress {
  /** `BiginCredential.key` of the caller (already a hash; hashed again for cache keys). */
  credentialKey: string;
  module: string;
  recordId: string;
  first: number;
  page: number;
  after: string | undefined;
}

export interface CacheLookup {
  /** A cached page fetched with at least the fields asked for; undefined on a miss. */
  page: AttachmentPage | undefined;
  /** Give it back to store(): a page fetched before the record was invalidated is not kept. */
  version: string;
}

/**
 * Attachment pages across operations (ATTACHMENT_CACHE_TTL_SECONDS), per caller: two
 * credentials never share an entry. A page fetched with a wider field set serves narrower
 * selections. No method ever rejects: a cache that fails is a miss.
 */
export interface AttachmentCache {
  lookup(address: PageAddress, fields: readonly string[]): Promise<CacheLookup>;
  store(
    address: PageAddress,
    fields: readonly string[],
    page: AttachmentPage,
    version: string,
  ): Promise<void>;
  /**
   * Drops every cached page of the record, for every caller: a change made through this server
   * (upload, link, delete) changes the record for everyone. Mutations call it once Bigin has
   * accepted the change.
   */
  invalidateRecord(module: string, recordId: string): Promise<void>;
}

/** The record's part of a key; module and id are checked names and digits. */
export const recordTag = (module: string, recordId: string) => `${module}:${recordId}`;

/** The caller's and the page arguments' part of a key: a hash, never a token or page token. */
export const pageTag = (address: PageAddress) =>
  `${tokenKey(address.credentialKey)}:${tokenKey(`${address.first}\n${address.page}\n${address.after ?? ""}`)}`;

/** A field set as one string: sorted names, comma-separated (Bigin's names hold no comma). */
export const fieldsTag = (fields: readonly string[]) => [...new Set(fields)].sort().join(",");
