import { GraphQLError, type GraphQLResolveInfo } from "graphql";
import { BiginApiError } from "../bigin/errors.js";
import { Args, Ctx, FieldResolver, Info, Query, Resolver, Root } from "type-graphql";
import type { AttachmentPage, BiginAttachment } from "../bigin/attachments.js";
import { ATTACHMENT_FIELD_MAP, toAttachment } from "./attachment.type.js";
import { AttachmentConnection } from "./attachment-connection.type.js";
import { encodeCursor, MAX_DISCRETE_RECORDS, type ChunkToken } from "./attachment-cursor.js";
import { BiginCall, SizedBy } from "./cost.directives.js";
import { ANCHOR_MARGIN, planPage, type PageCall, type PagePlan } from "./page-plan.js";
import type { Context } from "./context.js";
import { badUserInput, toGraphQLError } from "./errors.js";
import { AttachmentsArgs, RecordArgs } from "./record.args.js";
import { BiginRecord } from "./record.type.js";
import { allBiginFields, connectionFields } from "./selection.js";

/** Bigin ids are 64-bit numbers sent as strings. */
export const BIGIN_ID = /^\d{1,19}$/;

/** The fields of every call made with, or issuing, a page token: one set, whatever the selection. */
const CANONICAL_FIELDS = allBiginFields(ATTACHMENT_FIELD_MAP);

export function checkId(value: string, argumentName: string): string {
  if (!BIGIN_ID.test(value)) {
    throw badUserInput(
      `\`${argumentName}\` must be a Bigin id: a numeric string of 1 to 19 digits (got ${JSON.stringify(value.slice(0, 40))})`,
      argumentName,
    );
  }
  return value;
}

/** Bigin's pages of a plan, in order, and where the first one starts in the list. */
interface Window {
  pages: AttachmentPage[];
  calls: PageCall[];
}

/**
 * Bigin's page tokens a window holds, by the list position their page starts at: those its
 * calls used, and the next one after each canonical call (page 10 of 200, and every token page).
 */
function chunkTokens(window: Window, plan: PagePlan): ChunkToken[] {
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
function needsMore(plan: PagePlan, window: Window): boolean {
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
function toConnection(plan: PagePlan, window: Window, record: BiginRecord): AttachmentConnection {
  const all = window.pages.flatMap((p) => p.data);
  const windowStart = window.calls[0]!.start;
  const { skip } = locate(plan, all, windowStart);
  const start = windowStart + skip;
  const slice = all.slice(skip, skip + plan.first);
  const last = window.pages[window.pages.length - 1]!;
  const hasNextPage = all.length > skip + plan.first || last.info.moreRecords;
  const tokens = chunkTokens(window, plan);
  const nodes = slice.map((raw) => toAttachment(raw, record));
  const cursorAfter = (i: number): string => {
    const offset = start + i + 1;
    const anchor = nodes[i]!.id;
    if (offset <= MAX_DISCRETE_RECORDS) return encodeCursor({ offset, anchor });
    // Past 2000 a cursor carries the token of the Bigin page it continues in.
    const chunk = tokens.findLast((t) => t.start <= offset && offset - t.start <= t.perPage);
    return encodeCursor({ offset, anchor, chunk });
  };
  const endCursor = nodes.length > 0 ? cursorAfter(nodes.length - 1) : null;
  const end = start + nodes.length;
  const endChunk =
    end > MAX_DISCRETE_RECORDS
      ? tokens.findLast((t) => t.start <= end && end - t.start <= t.perPage)
      : undefined;
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

/**
 * Bigin's refusal of the page token a cursor carries (it expired, or no longer fits), as a
 * refusal of `after` saying what works instead; undefined for any other error.
 */
function cursorTokenError(error: unknown, plan: PagePlan): GraphQLError | undefined {
  if (plan.calls[0]?.pageToken === undefined || !(error instanceof BiginApiError)) return;
  if (error.code !== "EXPIRED_VALUE" && error.code !== "TOKEN_BOUND_DATA_MISMATCH") return;
  const mapped = toGraphQLError(error) as GraphQLError;
  const why = error.code === "EXPIRED_VALUE" ? "has expired" : "no longer fits the list";
  return new GraphQLError(
    `\`after\`: the cursor's Bigin page token ${why} (${error.code}). Past Bigin's first ${MAX_DISCRETE_RECORDS} attachments a cursor lasts until \`pageInfo.pageTokenExpiry\`; read again from \`page: 10, first: 200\` and follow its \`pageInfo.endCursor\`.`,
    { extensions: { ...mapped.extensions, argumentName: "after" } },
  );
}

@Resolver(() => BiginRecord)
export class RecordResolver {
  @Query(() => BiginRecord, {
    nullable: true,
    description:
      "A record addressed by module and id. Resolving it makes no Bigin call; a malformed id nulls only this record (BAD_USER_INPUT naming `id`).",
  })
  record(@Args() { module, id }: RecordArgs): BiginRecord {
    return { module, id: checkId(id, "id") };
  }

  @BiginCall()
  @SizedBy()
  @FieldResolver(() => AttachmentConnection, {
    nullable: true,
    description: "One page of the record's attachments; null, with an error, when Bigin refuses.",
  })
  async attachments(
    @Root() record: BiginRecord,
    @Args() args: AttachmentsArgs,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<AttachmentConnection> {
    const plan = planPage(args);
    const selected = connectionFields(info, ATTACHMENT_FIELD_MAP);
    const loaders = context.loaders();
    const load = (call: PageCall, pageToken: string | undefined) =>
      loaders.attachmentPages.load({
        module: record.module,
        recordId: record.id,
        perPage: call.perPage,
        page: call.page,
        pageToken,
        fields: call.canonical ? CANONICAL_FIELDS : selected,
      });
    try {
      const fixed = plan.calls.filter((call) => !call.chained);
      const pages = await Promise.all(fixed.map((call) => load(call, call.pageToken)));
      // Past 2000 each Bigin page's token is in the answer before it: ask for the next one
      // only while the page (or the search for its anchor) needs it.
      const window: Window = { pages, calls: [...fixed] };
      for (const call of plan.calls.filter((c) => c.chained)) {
        const token = pages[pages.length - 1]!.info.nextPageToken;
        if (!token || !needsMore(plan, window)) break;
        pages.push(await load(call, token));
        window.calls.push(call);
      }
      return toConnection(plan, window, record);
    } catch (error) {
      throw cursorTokenError(error, plan) ?? toGraphQLError(error);
    }
  }
}
