import { GraphQLError } from "graphql";
import { ErrorCode, badUserInput } from "./errors.js";

/** Bigin's page size limit (`per_page`). */
export const MAX_PER_PAGE = 200;
/** Bigin serves only this many attachments by page number; past them, only by page token. */
export const MAX_DISCRETE_RECORDS = 2000;
const MAX_CURSOR_LENGTH = 4096;
const MAX_OFFSET = 1_000_000;

/**
 * Where a cursor points: after `offset` attachments of the list. Past Bigin's first 2000, Bigin
 * can only continue from a page token, so a page's end cursor there also carries the token Bigin
 * issued for the page after it, and the page size it is bound to.
 */
export interface Cursor {
  offset: number;
  token?: { value: string; perPage: number } | undefined;
}

export function encodeCursor(cursor: Cursor): string {
  const json = cursor.token
    ? { o: cursor.offset, t: cursor.token.value, pp: cursor.token.perPage }
    : { o: cursor.offset };
  return Buffer.from(JSON.stringify(json)).toString("base64url");
}

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
  if (typeof json !== "object" || json === null) return undefined;
  const { o, t, pp } = json as Record<string, unknown>;
  if (!Number.isSafeInteger(o) || (o as number) < 0 || (o as number) > MAX_OFFSET) return undefined;
  if (t === undefined && pp === undefined) return { offset: o as number };
  const perPageOk = Number.isInteger(pp) && (pp as number) >= 1 && (pp as number) <= MAX_PER_PAGE;
  if (typeof t !== "string" || t.length === 0 || !perPageOk) return undefined;
  return { offset: o as number, token: { value: t, perPage: pp as number } };
}

/** One Bigin list call of a plan. */
export interface PageCall {
  perPage: number;
  page: number;
  pageToken?: string | undefined;
  /**
   * Asks Bigin for the canonical field set, whatever the selection: a call made with a page
   * token (bound to the fields it was issued for), and the last page Bigin serves by number
   * before one is needed (so the token it issues is bound to the canonical set too).
   */
  canonical: boolean;
}

/** How one `attachments(first, page, after)` is served: its Bigin calls, and the window in them. */
export interface PagePlan {
  /** Attachments before the first node of this page. */
  offset: number;
  first: number;
  calls: PageCall[];
  /** Nodes to drop from the start of the calls' concatenated data. */
  skip: number;
}

/** Whether the page after this one can only be had with a page token. */
const isLastByNumber = (page: number, perPage: number) =>
  (page + 1) * perPage > MAX_DISCRETE_RECORDS;

const byNumber = (page: number, perPage: number): PageCall => ({
  perPage,
  page,
  canonical: isLastByNumber(page, perPage),
});

/**
 * Plans the Bigin calls of one attachments page, checking the arguments first. Throws a
 * BAD_USER_INPUT GraphQLError naming the argument at fault; makes no call itself.
 */
export function planPage(args: {
  first?: number | null | undefined;
  page?: number | null | undefined;
  after?: string | null | undefined;
}): PagePlan {
  const first = args.first ?? MAX_PER_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PER_PAGE) {
    throw badUserInput(`\`first\` must be from 1 to ${MAX_PER_PAGE} (got ${first})`, "first");
  }
  const hasPage = args.page !== null && args.page !== undefined;
  if (hasPage && (!Number.isInteger(args.page) || args.page! < 1)) {
    throw badUserInput(`\`page\` must be 1 or more (got ${args.page})`, "page");
  }
  const after = args.after ?? undefined;
  if (after === undefined) {
    const page = args.page ?? 1;
    if (page * first > MAX_DISCRETE_RECORDS) {
      throw badUserInput(
        `Bigin serves only the first ${MAX_DISCRETE_RECORDS} attachments by page number (page × first = ${page * first}); continue with \`after: pageInfo.endCursor\``,
        "page",
      );
    }
    return { offset: (page - 1) * first, first, calls: [byNumber(page, first)], skip: 0 };
  }
  if (hasPage) {
    throw new GraphQLError(
      "`page` and `after` cannot be used together: `page` asks for a page by number, `after` for the attachments after a cursor. Pass one of them.",
      {
        extensions: {
          code: ErrorCode.BAD_USER_INPUT,
          argumentName: "page",
          argumentNames: ["page", "after"],
        },
      },
    );
  }
  const cursor = decodeCursor(after);
  if (cursor === undefined) {
    throw badUserInput(
      "`after` must be a cursor this API gave: `pageInfo.endCursor` or an edge's `cursor`",
      "after",
    );
  }
  const { offset } = cursor;
  if (offset + first <= MAX_DISCRETE_RECORDS) {
    if (offset % first === 0) {
      return { offset, first, calls: [byNumber(offset / first + 1, first)], skip: 0 };
    }
    // Not on a page boundary of this size: the window spans two of Bigin's pages.
    const page = Math.floor(offset / first) + 1;
    if ((page + 1) * first <= MAX_DISCRETE_RECORDS) {
      return {
        offset,
        first,
        calls: [byNumber(page, first), byNumber(page + 1, first)],
        skip: offset - (page - 1) * first,
      };
    }
  }
  if (cursor.token === undefined) {
    throw badUserInput(
      `\`after\` points past attachment ${offset}, where Bigin (which serves only its first ${MAX_DISCRETE_RECORDS} attachments by page number) can only continue from a page's \`pageInfo.endCursor\` with the same \`first\``,
      "after",
    );
  }
  if (cursor.token.perPage !== first) {
    throw badUserInput(
      `\`first\` changed from ${cursor.token.perPage} to ${first}: past Bigin's first ${MAX_DISCRETE_RECORDS} attachments the next page must have the size the cursor's page had (first: ${cursor.token.perPage})`,
      "first",
    );
  }
  return {
    offset,
    first,
    calls: [
      {
        perPage: first,
        page: Math.floor(offset / first) + 1,
        pageToken: cursor.token.value,
        canonical: true,
      },
    ],
    skip: 0,
  };
}
