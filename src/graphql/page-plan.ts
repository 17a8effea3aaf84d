import { GraphQLError } from "graphql";
import { decodeCursor, MAX_DISCRETE_RECORDS, MAX_PER_PAGE } from "./attachment-cursor.js";
import { ErrorCode, badUserInput } from "./errors.js";

/**
 * How far an anchored cursor's attachment may have moved between two reads (attachments
 * inserted or deleted before it) and still be found: the page after a cursor is looked for in
 * a window this many attachments wider on each side.
 */
export const ANCHOR_MARGIN = 10;

/** One Bigin list call of a plan. */
export interface PageCall {
  perPage: number;
  /** Bigin's page number; for a call by token, its place in pages of `perPage` (informative). */
  page: number;
  /** Attachments of the list before this call's first one. */
  start: number;
  /** A page token of Bigin's: from the cursor, or (`chained`) the previous call's next one. */
  pageToken?: string | undefined;
  chained?: boolean;
  /**
   * Asks Bigin for the canonical field set, whatever the selection: every call by page token
   * (a token is bound to the fields it was issued for) and page 10 of 200, the last Bigin
   * serves by number, whose token continues the list past 2000.
   */
  canonical: boolean;
}

/** How one `attachments(first, page, after)` is served: its Bigin calls, and where the page is. */
export interface PagePlan {
  first: number;
  /** Attachments before the page's first one, when nothing moved since the cursor was made. */
  offset: number;
  /** The attachment the page follows: wherever it is in the calls' window, the page starts after it. */
  anchor?: string | undefined;
  /** In order; together they cover one stretch of the list, starting at `calls[0].start`. */
  calls: PageCall[];
  /** When the cursor's page token expires, if it carries one and Bigin said. */
  tokenExpiresAt?: string | undefined;
}

/** Page 10 of 200: its next_page_token is the way past Bigin's first 2000 attachments. */
const LAST_PAGE_BY_NUMBER = MAX_DISCRETE_RECORDS / MAX_PER_PAGE;

const byNumber = (page: number, perPage: number): PageCall => ({
  perPage,
  page,
  start: (page - 1) * perPage,
  canonical: perPage === MAX_PER_PAGE && page === LAST_PAGE_BY_NUMBER,
});

/**
 * The fewest Bigin calls by page number (then the fewest attachments) that cover the
 * attachments [start, end) of the list; end ≤ 2000. One page size for all, so they are
 * consecutive pages.
 */
function coverByNumber(start: number, end: number): PageCall[] {
  let best: { perPage: number; first: number; count: number } | undefined;
  for (let perPage = MAX_PER_PAGE; perPage >= 1; perPage -= 1) {
    const first = Math.floor(start / perPage);
    const last = Math.floor((end - 1) / perPage);
    if ((last + 1) * perPage > MAX_DISCRETE_RECORDS) continue;
    const count = last - first + 1;
    if (
      best === undefined ||
      count < best.count ||
      (count === best.count && count * perPage < best.count * best.perPage)
    ) {
      best = { perPage, first, count };
    }
  }
  const { perPage, first, count } = best!;
  return Array.from({ length: count }, (_, i) => byNumber(first + i + 1, perPage));
}

/** Calls by token, each after the one before, from `start` in pages of `perPage` until `end`. */
function chainedCalls(start: number, end: number, perPage: number): PageCall[] {
  const count = Math.max(0, Math.ceil((end - start) / perPage));
  return Array.from({ length: count }, (_, i) => ({
    perPage,
    page: (start + i * perPage) / perPage + 1,
    start: start + i * perPage,
    chained: true,
    canonical: true,
  }));
}

/** The calls for the attachments [start, end) inside Bigin's first 2000, or crossing them. */
function coverFromNumber(start: number, end: number): PageCall[] {
  if (end <= MAX_DISCRETE_RECORDS) return coverByNumber(start, end);
  // Past 2000 only page 10 of 200's token leads on, in pages of 200.
  const firstPage = Math.floor(start / MAX_PER_PAGE) + 1;
  const pages = Array.from({ length: LAST_PAGE_BY_NUMBER - firstPage + 1 }, (_, i) =>
    byNumber(firstPage + i, MAX_PER_PAGE),
  );
  return [...pages, ...chainedCalls(MAX_DISCRETE_RECORDS, end, MAX_PER_PAGE)];
}

/**
 * Plans the Bigin calls of one attachments page, checking the arguments first. Throws a
 * BAD_USER_INPUT GraphQLError naming the argument at fault (and saying what would work); makes
 * no call itself.
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
    return { first, offset: (page - 1) * first, calls: [byNumber(page, first)] };
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
  const { offset, anchor, chunk } = cursor;
  if (chunk !== undefined) {
    // Past 2000: from the Bigin page the cursor's token starts, on with the tokens that follow.
    const calls = chainedCalls(chunk.start, offset + first, chunk.perPage);
    calls[0] = { ...calls[0]!, pageToken: chunk.token, chained: false };
    return { first, offset, calls, tokenExpiresAt: chunk.expiresAt };
  }
  if (offset > MAX_DISCRETE_RECORDS) {
    throw badUserInput(
      `\`after\` points past attachment ${offset}, where Bigin serves attachments only from a page token, and this cursor carries none: continue from a cursor of a page read past attachment ${MAX_DISCRETE_RECORDS} (e.g. read \`page: 10, first: 200\` and follow its \`pageInfo.endCursor\`)`,
      "after",
    );
  }
  // Look for the anchor up to ANCHOR_MARGIN places either side of where it was.
  const margin = anchor === undefined ? 0 : ANCHOR_MARGIN;
  const start = Math.max(0, offset - (anchor === undefined ? 0 : 1 + margin));
  return { first, offset, anchor, calls: coverFromNumber(start, offset + first + margin) };
}
