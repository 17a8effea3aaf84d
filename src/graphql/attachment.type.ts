import { Field, ID, Int, ObjectType } from "type-graphql";
import type { BiginAttachment } from "../bigin/attachments.js";
import { DateTimeScalar } from "./date-time.scalar.js";
import { AttachmentType, BiginModule, toBiginModule } from "./enums.js";
import type { FieldMap } from "./selection.js";

@ObjectType({ description: "A Bigin user: who created, changed or owns an attachment." })
export class BiginUser {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: "Absent in some Bigin answers." })
  email!: string | null;
}

@ObjectType({ description: "The record an attachment belongs to." })
export class AttachmentParent {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: "The record's display name." })
  name!: string | null;

  @Field(() => BiginModule, { nullable: true })
  module!: BiginModule | null;
}

@ObjectType({ description: "A file or link attached to a Bigin record." })
export class Attachment {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: "The file name; for links, the title." })
  fileName?: string | null;

  @Field(() => Int, { nullable: true, description: "Size in bytes (0 for links)." })
  size?: number | null;

  @Field(() => String, { nullable: true, description: "Bigin's file id; null for links." })
  fileId?: string | null;

  @Field(() => AttachmentType, { nullable: true })
  type?: AttachmentType | null;

  @Field(() => String, { nullable: true, description: "The URL of a link attachment." })
  linkUrl?: string | null;

  @Field(() => Boolean, { nullable: true })
  editable?: boolean | null;

  @Field(() => String, { nullable: true, description: 'e.g. "full_access", "read_only".' })
  sharingPermission?: string | null;

  @Field(() => AttachmentParent, { nullable: true })
  parent?: AttachmentParent | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdTime?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  modifiedTime?: string | null;

  @Field(() => BiginUser, { nullable: true })
  createdBy?: BiginUser | null;

  @Field(() => BiginUser, { nullable: true })
  modifiedBy?: BiginUser | null;

  @Field(() => BiginUser, { nullable: true })
  owner?: BiginUser | null;

  /** The record this attachment was read from (not a GraphQL field): for `downloadUrl`. */
  record?: { module: string; id: string } | undefined;
}

/**
 * Which Bigin fields (API names for `fields=`) each GraphQL field of Attachment needs.
 * Adding a field to Attachment means adding one line here and one in toAttachment.
 */
export const ATTACHMENT_FIELD_MAP: FieldMap = {
  id: { bigin: ["id"] },
  fileName: { bigin: ["File_Name"] },
  size: { bigin: ["Size"] },
  fileId: { bigin: ["$file_id"] },
  type: { bigin: ["$type"] },
  linkUrl: { bigin: ["$link_url"] },
  editable: { bigin: ["$editable"] },
  sharingPermission: { bigin: ["$sharing_permission"] },
  parent: { bigin: ["Parent_Id"], fields: { module: { bigin: ["$se_module"] } } },
  createdTime: { bigin: ["Created_Time"] },
  modifiedTime: { bigin: ["Modified_Time"] },
  createdBy: { bigin: ["Created_By"] },
  modifiedBy: { bigin: ["Modified_By"] },
  owner: { bigin: ["Owner"] },
  downloadUrl: { bigin: ["id", "$type"] },
};

const text = (value: unknown): string | null =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : null;

function user(value: unknown): BiginUser | null {
  if (typeof value !== "object" || value === null) return null;
  const raw = value as Record<string, unknown>;
  const id = text(raw.id);
  return id === null ? null : { id, name: text(raw.name), email: text(raw.email) };
}

function size(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 && n <= 2 ** 31 - 1 ? n : null;
}

function attachmentType(value: unknown): AttachmentType | null {
  if (typeof value !== "string") return null;
  if (/link/i.test(value)) return AttachmentType.LINK;
  if (/file/i.test(value)) return AttachmentType.FILE;
  return null;
}

function parent(raw: BiginAttachment): AttachmentParent | null {
  const value = raw.Parent_Id;
  if (typeof value !== "object" || value === null) return null;
  const id = text((value as Record<string, unknown>).id);
  if (id === null) return null;
  return {
    id,
    name: text((value as Record<string, unknown>).name),
    module: toBiginModule(raw.$se_module),
  };
}

/** Bigin's JSON → Attachment. Tolerant: a missing or odd-shaped field becomes null. */
export function toAttachment(
  raw: BiginAttachment,
  record?: { module: string; id: string },
): Attachment {
  return {
    record,
    id: text(raw.id) ?? "",
    fileName: text(raw.File_Name),
    size: size(raw.Size),
    fileId: text(raw.$file_id),
    type: attachmentType(raw.$type),
    linkUrl: text(raw.$link_url),
    editable: typeof raw.$editable === "boolean" ? raw.$editable : null,
    sharingPermission: text(raw.$sharing_permission),
    parent: parent(raw),
    createdTime: text(raw.Created_Time),
    modifiedTime: text(raw.Modified_Time),
    createdBy: user(raw.Created_By),
    modifiedBy: user(raw.Modified_By),
    owner: user(raw.Owner),
  };
}
