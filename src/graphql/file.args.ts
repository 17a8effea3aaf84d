import GraphQLUpload from "graphql-upload/GraphQLUpload.mjs";
import type { FileUpload } from "graphql-upload/processRequest.mjs";
import { ArgsType, Field, ID } from "type-graphql";
import { BiginModule } from "./enums.js";

@ArgsType()
export class RecordTargetArgs {
  @Field(() => BiginModule)
  module!: BiginModule;

  @Field(() => ID, { description: "The record's id: a numeric string of 1 to 19 digits." })
  recordId!: string;
}

@ArgsType()
export class AttachLinkArgs extends RecordTargetArgs {
  @Field(() => String, { description: "An http(s) URL of at most 3000 characters." })
  url!: string;

  @Field(() => String, {
    nullable: true,
    description: "The title shown in Bigin; Bigin uses the page's title when absent.",
  })
  title?: string | null;
}

@ArgsType()
export class DeleteAttachmentArgs extends RecordTargetArgs {
  @Field(() => ID, { description: "The attachment's id." })
  id!: string;
}

@ArgsType()
export class UploadArgs extends RecordTargetArgs {
  @Field(() => GraphQLUpload, {
    description: "The file, as a GraphQL multipart request part.",
  })
  file!: Promise<FileUpload>;
}
