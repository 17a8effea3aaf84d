import { Field, Int, ObjectType } from "type-graphql";
import { Attachment } from "./attachment.type.js";
import { DateTimeScalar } from "./date-time.scalar.js";

@ObjectType({ description: "Where a page of attachments sits in the whole list." })
export class AttachmentPageInfo {
  @Field(() => Int, { description: "This page's number (1-based)." })
  page!: number;

  @Field(() => Int, { description: "The page size asked for (`first`)." })
  perPage!: number;

  @Field(() => Int, { description: "How many attachments this page holds." })
  count!: number;

  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "Pass as `after` to read the next page (needed past 2000 attachments).",
  })
  nextPageToken!: string | null;

  @Field(() => String, { nullable: true })
  previousPageToken!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the page tokens expire." })
  pageTokenExpiry!: string | null;
}

@ObjectType({ description: "One page of a record's attachments." })
export class AttachmentConnection {
  @Field(() => [Attachment])
  nodes!: Attachment[];

  @Field(() => AttachmentPageInfo)
  pageInfo!: AttachmentPageInfo;
}
