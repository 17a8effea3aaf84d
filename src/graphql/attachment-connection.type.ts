import { Field, Int, ObjectType } from "type-graphql";
import { Attachment } from "./attachment.type.js";
import { DateTimeScalar } from "./date-time.scalar.js";

const CURSORS_DO_NOT_EXPIRE =
  "Inside Bigin's first 2000 attachments a cursor does not expire; past them it carries Bigin's page token (see `pageTokenExpiry`).";

@ObjectType("BiginAttachmentPageInfo", {
  simpleResolvers: true,
  description:
    "Where a page of attachments sits in the whole list. Relay-style (`hasNextPage`, `endCursor`), with the page number and size for page-number UIs.",
})
export class AttachmentPageInfo {
  @Field(() => Int, { description: "This page's number (1-based), counted in pages of `first`." })
  page!: number;

  @Field(() => Int, { description: "The page size asked for (`first`)." })
  perPage!: number;

  @Field(() => Int, { description: "How many attachments this page holds." })
  count!: number;

  @Field(() => Boolean, { description: "Whether attachments follow this page." })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: "Whether attachments come before this page." })
  hasPreviousPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "The first edge's cursor; null when the page is empty.",
  })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description: `Pass as \`after\` (with any selection) to read the attachments after this page; the last edge's cursor, null when the page is empty. ${CURSORS_DO_NOT_EXPIRE}`,
  })
  endCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    deprecationReason: "Use `endCursor` (and `hasNextPage`): this is the same cursor.",
    description: "`endCursor` when `hasNextPage`, else null.",
  })
  nextPageToken!: string | null;

  @Field(() => String, {
    nullable: true,
    deprecationReason:
      "Bigin's own page token, which no argument of this API takes; use `page` to go back.",
  })
  previousPageToken!: string | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      "When `endCursor` stops working, if it carries one of Bigin's page tokens (past the first 2000 attachments); null when it does not expire.",
  })
  pageTokenExpiry!: string | null;
}

@ObjectType("BiginAttachmentEdge", {
  simpleResolvers: true,
  description: "An attachment and the cursor right after it.",
})
export class AttachmentEdge {
  @Field(() => String, {
    description: `Pass as \`after\` to read the attachments that follow this one (the last edge's is \`pageInfo.endCursor\`). ${CURSORS_DO_NOT_EXPIRE}`,
  })
  cursor!: string;

  @Field(() => Attachment)
  node!: Attachment;
}

@ObjectType("BiginAttachmentConnection", {
  simpleResolvers: true,
  description:
    "One page of a record's attachments: Relay-style `edges` and `pageInfo`, and the same attachments as `nodes`.",
})
export class AttachmentConnection {
  @Field(() => [AttachmentEdge])
  edges!: AttachmentEdge[];

  @Field(() => [Attachment], { description: "The attachments of `edges`, without cursors." })
  nodes!: Attachment[];

  @Field(() => AttachmentPageInfo)
  pageInfo!: AttachmentPageInfo;
}
