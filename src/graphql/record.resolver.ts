import { GraphQLError, type GraphQLResolveInfo } from "graphql";
import { BiginApiError } from "../bigin/errors.js";
import { Args, Ctx, FieldResolver, Info, Query, Resolver, Root } from "type-graphql";
import { ATTACHMENT_FIELD_MAP } from "./attachment.type.js";
import { AttachmentConnection } from "./attachment-connection.type.js";
import { BIGIN_ID, MAX_DISCRETE_RECORDS } from "./attachment-cursor.js";
import { BiginCall, SizedBy } from "./cost.directives.js";
import { planPage, type PageCall, type PagePlan } from "./page-plan.js";
import { nextTurn } from "./next-turn.js";
import { needsMore, toConnection, type PageWindow } from "./page-window.js";
import type { Context } from "./context.js";
import { badUserInput, toGraphQLError } from "./errors.js";
import { AttachmentsArgs, RecordArgs } from "./record.args.js";
import { BiginRecord } from "./record.type.js";
import { allBiginFields, connectionFields } from "./selection.js";

/** A list longer than this is built in a turn of the event loop of its own (nextTurn). */
const LONG_LIST = 50;

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
      const window: PageWindow = { pages, calls: [...fixed] };
      for (const call of plan.calls.filter((c) => c.chained)) {
        const token = pages[pages.length - 1]!.info.nextPageToken;
        if (!token || !needsMore(plan, window)) break;
        pages.push(await load(call, token));
        window.calls.push(call);
      }
      // The pages of one batch arrive together: each long list is built (and completed by
      // graphql-js) in a turn of its own, so that other requests are served between a large
      // answer's lists. A short one costs too little to be worth the extra turn.
      if (plan.first > LONG_LIST) await nextTurn(context.sequence);
      return toConnection(plan, window, record);
    } catch (error) {
      throw cursorTokenError(error, plan) ?? toGraphQLError(error);
    }
  }
}
