/** Bigin's page size limit (`per_page`). */
export const MAX_PER_PAGE = 200;
/** Bigin serves only this many attachments by page number; past them, only by page token. */
export const MAX_DISCRETE_RECORDS = 2000;
const MAX_CURSOR_LENGTH = 4096;
const MAX_OFFSET = 1_000_000;
/** Bigin ids (records, attachments) are 64-bit numbers sent as strings. */
export const BIGIN_ID = /^\d{1,19}$/;

/**
 * A stretch of the list past Bigin's first 2000 attachments that Bigin serves only by page
 * token: the token of the Bigin page that starts at `start`, in pages of `perPage`.
 */
export interface ChunkToken {
  start: number;
  perPage: number;
  token: string;
  /** When Bigin said the token expires (its `page_token_expiry`), when it said. */
  expiresAt?: string | undefined;
}

/**
 * Where a cursor points: after `offset` attachments of the list, right after the attachment
 * whose id is `anchor`. Inside Bigin's first 2000 the next page is looked for around that
 * position, so that attachments inserted or deleted before it neither repeat nor skip one.
 * Past them Bigin continues only from a page token, which `chunk` carries.
 */
export interface Cursor {
  offset: number;
  anchor?: string | undefined;
  chunk?: ChunkToken | undefined;
}

export function encodeCursor(cursor: Cursor): string {
  const { offset: o, anchor: a, chunk } = cursor;
  const json = chunk
    ? { o, a, c: chunk.start, t: chunk.token, pp: chunk.perPage, x: chunk.expiresAt }
    : { o, a };
  return Buffer.from(JSON.stringify(json)).toString("base64url");
}

const isCount = (value: unknown, max = MAX_OFFSET): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;

/** Never throws: anything that is not a cursor of ours is undefined. */
export function decodeCursor(value: string): Cursor | undefined {
  if (value.length === 0 || value.length > MAX_CURSOR_LENGTH || !/^[\w-]+$/.test(value)) {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const { o, a, c, t, pp, x } = json as Record<string, unknown>;
  if (!isCount(o)) return undefined;
  if (a !== undefined && (typeof a !== "string" || !BIGIN_ID.test(a))) return undefined;
  if (x !== undefined && typeof x !== "string") return undefined;
  if (t === undefined && pp === undefined && c === undefined) return { offset: o, anchor: a };
  // Cursors made before anchors had no `c`: their token was for the page starting at `o`.
  const start = c ?? o;
  if (typeof t !== "string" || t.length === 0 || !isCount(pp, MAX_PER_PAGE) || pp === 0) {
    return undefined;
  }
  if (!isCount(start) || start > o || o - start > pp) return undefined;
  return { offset: o, anchor: a, chunk: { start, perPage: pp, token: t, expiresAt: x } };
}
