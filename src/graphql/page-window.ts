import type { AttachmentPage, BiginAttachment } from "../bigin/attachments.js";
import { encodeCursor, MAX_DISCRETE_RECORDS, type ChunkToken } from "./attachment-cursor.js";
import type { AttachmentConnection } from "./attachment-connection.type.js";
import { toAttachment } from "./attachment.type.js";
import { ANCHOR_MARGIN, type PageCall, type PagePlan } from "./page-plan.js";
import type { BiginRecord } from "./record.type.js";

/** Bigin's pages of a plan, in order, and where the first one starts in the list. */
export interface PageWindow {
  pages: AttachmentPage[];
  calls: PageCall[];
}

/**
 * Bigin's page tokens a window holds, by the list position their page starts at: those its
 * calls used, and the next one after each canonical call (page 10 of 200, and every token page).
 */
function chunkTokens(window: PageWindow, plan: PagePlan): ChunkToken[] {
  const tokens: ChunkToken[] = [];
  window.pages.forEach((page, i) => {
    const call = window.calls[i]!;
    const used = call.pageToken ?? (i > 0 ? window.pages[i - 1]!.info.nextPageToken : null);
    if (call.pageToken !== undefined || call.chained) {
      const issuer = i > 0 ? window.pages[i - 1]!.info.pageTokenExpiry : plan.tokenExpiresAt;
      if (used)
        tokens.push({
          start: call.start,
          perPage: call.perPage,
          token: used,
          expiresAt: issuer ?? undefined,
        });
    }
    if (call.canonical && page.info.nextPageToken) {
      tokens.push({
        start: call.start + call.perPage,
        perPage: call.perPage,
        token: page.info.nextPageToken,
        expiresAt: page.info.pageTokenExpiry ?? undefined,
      });
    }
  });
  return tokens;
}

/**
 * Where the page starts in a window's attachments: right after the cursor's attachment,
 * wherever it is now; where it was when it is gone; after `offset` for a cursor naming none.
 */
function locate(plan: PagePlan, all: readonly BiginAttachment[], windowStart: number) {
  const found =
    plan.anchor === undefined ? -1 : all.findIndex((item) => String(item.id) === plan.anchor);
  if (found >= 0) return { skip: found + 1, anchorFound: true };
  const position = plan.anchor === undefined ? plan.offset : plan.offset - 1;
  return { skip: Math.max(0, position - windowStart), anchorFound: false };
}

/** Whether a window lacks attachments the page needs: its own, or a moved anchor's place. */
export function needsMore(plan: PagePlan, window: PageWindow): boolean {
  const all = window.pages.flatMap((p) => p.data);
  const windowStart = window.calls[0]!.start;
  const { skip, anchorFound } = locate(plan, all, windowStart);
  const anchorMayBeAhead =
    plan.anchor !== undefined &&
    !anchorFound &&
    windowStart + all.length < plan.offset + ANCHOR_MARGIN;
  return anchorMayBeAhead || skip + plan.first > all.length;
}

/** The page a plan asked for, cut from its Bigin pages, with a cursor after every node. */
export function toConnection(
  plan: PagePlan,
  window: PageWindow,
  record: BiginRecord,
): AttachmentConnection {
  const all = window.pages.flatMap((p) => p.data);
  const windowStart = window.calls[0]!.start;
  const { skip } = locate(plan, all, windowStart);
  const start = windowStart + skip;
  const slice = all.slice(skip, skip + plan.first);
  const last = window.pages[window.pages.length - 1]!;
  const hasNextPage = all.length > skip + plan.first || last.info.moreRecords;
  const tokens = chunkTokens(window, plan);
  // Past 2000 a cursor carries the token of the Bigin page it continues in.
  const chunkAt = (offset: number) =>
    offset <= MAX_DISCRETE_RECORDS
      ? undefined
      : tokens.findLast((t) => t.start <= offset && offset - t.start <= t.perPage);
  const nodes = slice.map((raw) => toAttachment(raw, record));
  const cursorAfter = (i: number): string => {
    const offset = start + i + 1;
    return encodeCursor({ offset, anchor: nodes[i]!.id, chunk: chunkAt(offset) });
  };
  const endCursor = nodes.length > 0 ? cursorAfter(nodes.length - 1) : null;
  const endChunk = chunkAt(start + nodes.length);
  let edges: AttachmentConnection["edges"] | undefined;
  return {
    // A cursor for every node only when `edges` is selected.
    get edges() {
      return (edges ??= nodes.map((node, i) => ({ node, cursor: cursorAfter(i) })));
    },
    nodes,
    pageInfo: {
      page: Math.floor(start / plan.first) + 1,
      perPage: plan.first,
      count: nodes.length,
      hasNextPage,
      hasPreviousPage: start > 0,
      startCursor: nodes.length > 0 ? cursorAfter(0) : null,
      endCursor,
      nextPageToken: hasNextPage ? endCursor : null,
      previousPageToken: window.pages[0]?.info.previousPageToken ?? null,
      pageTokenExpiry: endChunk?.expiresAt ?? null,
    },
  };
}
