import type { GraphQLError } from "graphql";
import { GraphQLSafeInt } from "graphql-scalars";
import { Ctx, Field, ID, ObjectType } from "type-graphql";
import {
  BiginComputedField,
  BiginField,
  biginFieldMap,
  biginReader,
  type BiginItem,
} from "./bigin-field.js";
import type { Context } from "./context.js";
import type { SignedLink } from "../http/signed-urls.js";
import { DateTimeScalar, isoTime } from "./date-time.scalar.js";
import { AttachmentType, BiginModule, toBiginModule } from "./enums.js";
import { unrepresentable } from "./errors.js";
import type { FieldMap } from "./selection.js";

@ObjectType({
  simpleResolvers: true,
  description: "A Bigin user: who created, changed or owns an attachment.",
})
export class BiginUser {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: "Absent in some Bigin answers." })
  email!: string | null;
}

@ObjectType("BiginAttachmentParent", {
  simpleResolvers: true,
  description: "The record an attachment belongs to.",
})
export class AttachmentParent {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: "The record's display name." })
  name!: string | null;

  @Field(() => BiginModule, { nullable: true })
  module!: BiginModule | null;
}

const text = (value: unknown): string | null =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : null;

function user(value: unknown): BiginUser | null {
  if (typeof value !== "object" || value === null) return null;
  const raw = value as Record<string, unknown>;
  const id = text(raw.id);
  return id === null ? null : { id, name: text(raw.name), email: text(raw.email) };
}

/**
 * Bigin's `Size`, a string of digits: the byte count, null when absent, and a field error when
 * it is not a byte count SafeInt can hold (never a silent null).
 */
function size(value: unknown): number | null | GraphQLError {
  if (value === undefined || value === null || value === "") return null;
  const digits = typeof value === "string" ? value.trim() : value;
  const n =
    typeof digits === "string" && /^\d+$/.test(digits)
      ? Number(digits)
      : typeof digits === "number" && digits >= 0
        ? digits
        : undefined;
  if (n !== undefined && Number.isSafeInteger(n)) return n;
  return unrepresentable(
    "Size",
    value,
    n === undefined
      ? "not a byte count"
      : `above ${Number.MAX_SAFE_INTEGER}, the largest byte count SafeInt holds exactly`,
  );
}

function attachmentType(value: unknown): AttachmentType | null {
  if (typeof value !== "string") return null;
  if (/link/i.test(value)) return AttachmentType.LINK;
  if (/file/i.test(value)) return AttachmentType.FILE;
  return null;
}

function parent(value: unknown, module: unknown): AttachmentParent | null {
  if (typeof value !== "object" || value === null) return null;
  const raw = value as Record<string, unknown>;
  const id = text(raw.id);
  return id === null ? null : { id, name: text(raw.name), module: toBiginModule(module) };
}

/** The path of an attachment's download route (design.md §4). */
export function attachmentFilePath(module: string, recordId: string, id: string): string {
  return `/files/${encodeURIComponent(module)}/${encodeURIComponent(recordId)}/attachments/${encodeURIComponent(id)}`;
}

/**
 * Each field is declared once, with its Bigin API names and its conversion: the `fields` map
 * for Bigin calls and toAttachment are derived from these declarations.
 */
@ObjectType("BiginAttachment", {
  simpleResolvers: true,
  description: "A file or link attached to a Bigin record.",
})
export class Attachment {
  @BiginField(() => ID, { bigin: ["id"], read: (value) => text(value) ?? "" })
  id!: string;

  @BiginField(() => String, {
    nullable: true,
    description: "The file name; for links, the title.",
    bigin: ["File_Name"],
    read: text,
  })
  fileName?: string | null;

  @BiginField(() => GraphQLSafeInt, {
    nullable: true,
    description:
      "Size in bytes (0 for links); null when Bigin does not say. A size Bigin sends that is not a byte count up to 2^53 − 1 is this field's error (UNREPRESENTABLE_VALUE), not null.",
    bigin: ["Size"],
    read: size,
  })
  /** A GraphQLError here is the field's error: graphql-js reports an Error value as such. */
  size?: number | null | GraphQLError;

  @BiginField(() => String, {
    nullable: true,
    description: "Bigin's file id; null for links.",
    bigin: ["$file_id"],
    read: text,
  })
  fileId?: string | null;

  @BiginField(() => AttachmentType, { nullable: true, bigin: ["$type"], read: attachmentType })
  type?: AttachmentType | null;

  @BiginField(() => String, {
    nullable: true,
    description: "The URL of a link attachment.",
    bigin: ["$link_url"],
    read: text,
  })
  linkUrl?: string | null;

  @BiginField(() => Boolean, {
    nullable: true,
    bigin: ["$editable"],
    read: (value) => (typeof value === "boolean" ? value : null),
  })
  editable?: boolean | null;

  @BiginField(() => String, {
    nullable: true,
    description: 'e.g. "full_access", "read_only".',
    bigin: ["$sharing_permission"],
    read: text,
  })
  sharingPermission?: string | null;

  @BiginField(() => AttachmentParent, {
    nullable: true,
    bigin: ["Parent_Id"],
    subfields: { module: { bigin: ["$se_module"] } },
    read: (value, item) => parent(value, item.$se_module),
  })
  parent?: AttachmentParent | null;

  @BiginField(() => DateTimeScalar, { nullable: true, bigin: ["Created_Time"], read: text })
  createdTime?: string | null;

  @BiginField(() => DateTimeScalar, { nullable: true, bigin: ["Modified_Time"], read: text })
  modifiedTime?: string | null;

  @BiginField(() => BiginUser, { nullable: true, bigin: ["Created_By"], read: user })
  createdBy?: BiginUser | null;

  @BiginField(() => BiginUser, { nullable: true, bigin: ["Modified_By"], read: user })
  modifiedBy?: BiginUser | null;

  @BiginField(() => BiginUser, { nullable: true, bigin: ["Owner"], read: user })
  owner?: BiginUser | null;

  @BiginComputedField(() => String, {
    nullable: true,
    description:
      "Signed link to this server's download route, usable without any header until `downloadUrlExpiresAt` (5 minutes). Null for links, and when the request had no credential (the download could only fail).",
    needs: ["id", "$type"],
  })
  downloadUrl(@Ctx() context: Context): string | null {
    return this.downloadLink(context)?.url ?? null;
  }

  @BiginComputedField(() => DateTimeScalar, {
    nullable: true,
    description: "When `downloadUrl` stops working; null when it is null.",
    needs: ["id", "$type"],
  })
  downloadUrlExpiresAt(@Ctx() context: Context): string | null {
    const link = this.downloadLink(context);
    return link ? isoTime(link.expiresAt) : null;
  }

  private downloadLink(context: Context): SignedLink | null {
    if (this.type === AttachmentType.LINK || !this.record || !this.id) return null;
    return context.signedLink(attachmentFilePath(this.record.module, this.record.id, this.id));
  }

  /** The record this attachment was read from (not a GraphQL field): for `downloadUrl`. */
  record?: { module: string; id: string } | undefined;
}

/** Which Bigin fields (API names for `fields=`) each GraphQL field of Attachment needs. */
export const ATTACHMENT_FIELD_MAP: FieldMap = biginFieldMap(Attachment);

const readAttachment = biginReader(Attachment);

/** Bigin's JSON → Attachment. Tolerant: a missing or odd-shaped field becomes null. */
export function toAttachment(raw: BiginItem, record?: { module: string; id: string }): Attachment {
  const attachment = readAttachment(raw);
  attachment.record = record;
  return attachment;
}
