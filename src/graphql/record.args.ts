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
    defaultValue: 1,
    description: "Page number from 1; page × first may not pass 2000 without `after`.",
  })
  page?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "A page token from `pageInfo.nextPageToken`, to read past 2000 attachments.",
  })
  after?: string | null;
}
