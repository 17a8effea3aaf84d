import type { GraphQLResolveInfo } from "graphql";
import { Args, Ctx, FieldResolver, Info, Query, Resolver, Root } from "type-graphql";
import { ATTACHMENT_FIELD_MAP, toAttachment } from "./attachment.type.js";
import { AttachmentConnection } from "./attachment-connection.type.js";
import type { Context } from "./context.js";
import { badUserInput, toGraphQLError } from "./errors.js";
import { AttachmentsArgs, RecordArgs } from "./record.args.js";
import { BiginRecord } from "./record.type.js";
import { connectionFields } from "./selection.js";

/** Bigin ids are 64-bit numbers sent as strings. */
export const BIGIN_ID = /^\d{1,19}$/;
const MAX_PER_PAGE = 200;
const MAX_DISCRETE_RECORDS = 2000;

export function checkId(value: string, argumentName: string): string {
  if (!BIGIN_ID.test(value)) {
    throw badUserInput(
      `\`${argumentName}\` must be a Bigin id: a numeric string of 1 to 19 digits (got ${JSON.stringify(value.slice(0, 40))})`,
      argumentName,
    );
  }
  return value;
}

@Resolver(() => BiginRecord)
export class RecordResolver {
  @Query(() => BiginRecord, {
    description: "A record addressed by module and id. Resolving it makes no Bigin call.",
  })
  record(@Args() { module, id }: RecordArgs): BiginRecord {
    return { module, id: checkId(id, "id") };
  }

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
    const first = args.first ?? 200;
    const page = args.page ?? 1;
    const after = args.after;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PER_PAGE) {
      throw badUserInput(`\`first\` must be from 1 to ${MAX_PER_PAGE} (got ${first})`, "first");
    }
    if (!Number.isInteger(page) || page < 1) {
      throw badUserInput(`\`page\` must be 1 or more (got ${page})`, "page");
    }
    if (after !== null && after !== undefined && (after.length === 0 || after.length > 2048)) {
      throw badUserInput("`after` must be a page token from `pageInfo.nextPageToken`", "after");
    }
    if ((after === null || after === undefined) && page * first > MAX_DISCRETE_RECORDS) {
      throw badUserInput(
        `Bigin serves only the first ${MAX_DISCRETE_RECORDS} attachments by page number (page × first = ${page * first}); continue with \`after: pageInfo.nextPageToken\``,
        "page",
      );
    }
    const loaders = context.loaders();
    try {
      const result = await loaders.attachmentPages.load({
        module: record.module,
        recordId: record.id,
        first,
        page,
        after: after ?? undefined,
        fields: connectionFields(info, ATTACHMENT_FIELD_MAP),
      });
      return {
        nodes: result.data.map((raw) => toAttachment(raw, record)),
        pageInfo: {
          page: result.info.page,
          perPage: result.info.perPage,
          count: result.info.count,
          hasNextPage: result.info.moreRecords,
          nextPageToken: result.info.nextPageToken,
          previousPageToken: result.info.previousPageToken,
          pageTokenExpiry: result.info.pageTokenExpiry,
        },
      };
    } catch (error) {
      throw toGraphQLError(error);
    }
  }
}
