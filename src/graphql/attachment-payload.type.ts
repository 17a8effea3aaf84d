import { Field, ID, ObjectType } from "type-graphql";
import { Attachment } from "./attachment.type.js";
import { BiginRecord } from "./record.type.js";

const RECORD_AFTER_WRITE =
  "The record written to: its `attachments` (and `photoUrl`) selected here are read after the write, so a client cache can follow in the same round trip.";

@ObjectType("BiginUploadAttachmentPayload", {
  simpleResolvers: true,
  description: "What `uploadAttachment` changed.",
})
export class UploadAttachmentPayload {
  @Field(() => Attachment, { description: "The new attachment." })
  attachment!: Attachment;

  @Field(() => BiginRecord, { description: RECORD_AFTER_WRITE })
  record!: BiginRecord;
}

@ObjectType("BiginAttachLinkPayload", {
  simpleResolvers: true,
  description: "What `attachLink` changed.",
})
export class AttachLinkPayload {
  @Field(() => Attachment, { description: "The new link attachment." })
  attachment!: Attachment;

  @Field(() => BiginRecord, { description: RECORD_AFTER_WRITE })
  record!: BiginRecord;
}

@ObjectType("BiginDeleteAttachmentPayload", {
  simpleResolvers: true,
  description: "What `deleteAttachment` changed.",
})
export class DeleteAttachmentPayload {
  @Field(() => ID, { description: "The id of the attachment deleted." })
  deletedId!: string;

  @Field(() => BiginRecord, { description: RECORD_AFTER_WRITE })
  record!: BiginRecord;
}
