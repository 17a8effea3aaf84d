import { ArgsType, Field, ID, Int } from "type-graphql";
import { BiginModule } from "./enums.js";

@ArgsType()
export class RecordArgs {
  @Field(() => BiginModule)
  module!: BiginModule;

  @Field(() => ID, { description: "A numeric string of 1 to 19 digits." })
  id!: string;
}

@ArgsType()
export class AttachmentsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 200, description: "Page size, 1 to 200." })
  first?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Page number from 1 (default 1), in pages of `first`; page × first may not pass 2000 (Bigin's limit). Not with `after`.",
  })
  page?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "A cursor (`pageInfo.endCursor` or an edge's `cursor`): the page starts with the attachment after the cursor's attachment, wherever attachments inserted or deleted since have moved it. Any selection and any `first` may follow any cursor. Not with `page`.",
  })
  after?: string | null;
}
