import type { GraphQLResolveInfo } from "graphql";
import { Args, Ctx, FieldResolver, Info, Query, Resolver, Root } from "type-graphql";
import type { AttachmentPage } from "../bigin/attachments.js";
import { ATTACHMENT_FIELD_MAP, toAttachment } from "./attachment.type.js";
import { AttachmentConnection } from "./attachment-connection.type.js";
import { encodeCursor, planPage, type PagePlan } from "./attachment-cursor.js";
import { BiginCall, SizedBy } from "./cost.directives.js";
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

/** The page a plan asked for, cut from its Bigin pages, with a cursor after every node. */
function toConnection(
  plan: PagePlan,
  pages: AttachmentPage[],
  record: BiginRecord,
): AttachmentConnection {
  const all = pages.flatMap((p) => p.data);
  const window = all.slice(plan.skip, plan.skip + plan.first);
  const last = pages[pages.length - 1]!;
  const lastCall = plan.calls[plan.calls.length - 1]!;
  const hasNextPage = all.length > plan.skip + plan.first || last.info.moreRecords;
  // Bigin's next token fits our end only when it was issued for the canonical fields and this
  // page ends where Bigin's page ended.
  const token =
    lastCall.canonical &&
    last.info.nextPageToken !== null &&
    plan.skip + window.length === all.length
      ? { value: last.info.nextPageToken, perPage: lastCall.perPage }
      : undefined;
  const end = plan.offset + window.length;
  const nodes = window.map((raw) => toAttachment(raw, record));
  const cursorAfter = (i: number) =>
    encodeCursor(i === nodes.length - 1 ? { offset: end, token } : { offset: plan.offset + i + 1 });
  const endCursor = nodes.length > 0 ? cursorAfter(nodes.length - 1) : null;
  let edges: AttachmentConnection["edges"] | undefined;
  return {
    // A cursor for every node only when `edges` is selected.
    get edges() {
      return (edges ??= nodes.map((node, i) => ({ node, cursor: cursorAfter(i) })));
    },
    nodes,
    pageInfo: {
      page:
        plan.calls.length === 1
          ? (pages[0]?.info.page ?? plan.calls[0]!.page)
          : plan.calls[0]!.page,
      perPage: plan.first,
      count: window.length,
      hasNextPage,
      hasPreviousPage: plan.offset > 0,
      startCursor: nodes.length > 0 ? cursorAfter(0) : null,
      endCursor,
      nextPageToken: hasNextPage ? endCursor : null,
      previousPageToken: pages[0]?.info.previousPageToken ?? null,
      pageTokenExpiry: token === undefined ? null : last.info.pageTokenExpiry,
    },
  };
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
    try {
      const pages = await Promise.all(
        plan.calls.map((call) =>
          loaders.attachmentPages.load({
            module: record.module,
            recordId: record.id,
            perPage: call.perPage,
            page: call.page,
            pageToken: call.pageToken,
            fields: call.canonical ? CANONICAL_FIELDS : selected,
          }),
        ),
      );
      return toConnection(plan, pages, record);
    } catch (error) {
      throw toGraphQLError(error);
    }
  }
}
