import { createHash } from "node:crypto";

/** Modules whose records take attachments (bigin-api.md §2), API names, case-sensitive. */
export const ATTACHMENT_MODULES = [
  "Contacts",
  "Pipelines",
  "Accounts",
  "Products",
  "Tasks",
  "Events",
  "Notes",
] as const;
export type SandboxModule = (typeof ATTACHMENT_MODULES)[number];

/** Modules whose records have a photo. */
export const PHOTO_MODULES: readonly SandboxModule[] = ["Contacts", "Accounts", "Products"];

export function isSandboxModule(name: string): name is SandboxModule {
  return (ATTACHMENT_MODULES as readonly string[]).includes(name);
}

export function hasPhotos(module: string): boolean {
  return (PHOTO_MODULES as readonly string[]).includes(module);
}

/** Every field `fields=` may name (bigin-api.md §4). */
export const ATTACHMENT_FIELDS = [
  "id",
  "File_Name",
  "Size",
  "Parent_Id",
  "$file_id",
  "Created_Time",
  "Modified_Time",
  "Created_By",
  "Modified_By",
  "Owner",
  "$type",
  "$link_url",
  "$editable",
  "$se_module",
  "$sharing_permission",
  "$state",
  "$attachment_type",
  "$field_states",
] as const;
export type AttachmentField = (typeof ATTACHMENT_FIELDS)[number];

export function isAttachmentField(name: string): name is AttachmentField {
  return (ATTACHMENT_FIELDS as readonly string[]).includes(name);
}

export interface SandboxUser {
  id: string;
  name: string;
  email: string;
}

/** Bytes kept for a file: `path` points at them on disk once they exist. */
export interface StoredFile {
  contentType: string;
  size: number;
  path?: string | undefined;
}

export interface SandboxRecord {
  module: SandboxModule;
  id: string;
  /** Display name: Bigin's `Parent_Id.name`. */
  name: string;
  photo?: StoredFile | undefined;
}

export type AttachmentType = "File" | "Link URL";
export type SharingPermission = "full_access" | "read_only";

export interface StoredAttachment {
  id: string;
  module: SandboxModule;
  recordId: string;
  type: AttachmentType;
  /** For links, the title. */
  fileName: string;
  /** Bytes; 0 for links. */
  size: number;
  fileId: string | null;
  linkUrl: string | null;
  /** Files only. */
  contentType: string | null;
  /** Files only: where the bytes are on disk, once they exist. */
  path: string | undefined;
  createdTime: number;
  modifiedTime: number;
  createdBy: SandboxUser;
  modifiedBy: SandboxUser;
  owner: SandboxUser;
  editable: boolean;
  sharingPermission: SharingPermission;
  state: "save";
  attachmentType: number;
}

interface NewAttachmentCommon {
  id?: string;
  createdTime?: number;
  modifiedTime?: number;
  createdBy?: SandboxUser;
  modifiedBy?: SandboxUser;
  owner?: SandboxUser;
  editable?: boolean;
  sharingPermission?: SharingPermission;
}
export type NewAttachment =
  | (NewAttachmentCommon & {
      type: "File";
      fileName: string;
      size: number;
      contentType: string;
      path?: string;
    })
  | (NewAttachmentCommon & { type: "Link URL"; linkUrl: string; title: string });

/** `$attachment_type` values (not documented; a guess kept in one place). */
export const ATTACHMENT_TYPE_CODES: Record<AttachmentType, number> = { File: 1, "Link URL": 3 };

/** Bigin's date-time format: ISO-8601 to the second with the offset, e.g. 2025-12-11T11:34:53+05:30. */
export function formatBiginTime(epochMs: number, offsetMinutes = 330): string {
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${local}${offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An opaque, stable `$file_id` for an attachment id. */
export function fileIdFor(attachmentId: string): string {
  return createHash("sha1").update(`bigin-file:${attachmentId}`).digest("hex");
}

export interface SandboxStoreOptions {
  now?: () => number;
  /** The user who uploads through the API (Created_By of new attachments). */
  currentUser?: SandboxUser;
  /** Offset of every date-time the sandbox prints, in minutes (default 330, +05:30). */
  timeZoneOffsetMinutes?: number;
}

const key = (module: string, id: string) => `${module}/${id}`;
const biginUser = (user: SandboxUser) => ({ name: user.name, id: user.id, email: user.email });

/** In-memory Bigin records and their attachments. Lists keep insertion order. */
export class SandboxStore {
  currentUser: SandboxUser;
  readonly timeZoneOffsetMinutes: number;
  private readonly now: () => number;
  private readonly records = new Map<string, SandboxRecord>();
  private readonly attachments = new Map<string, StoredAttachment[]>();
  private idCounter = 2034020000005000000n;

  constructor(options: SandboxStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.currentUser = options.currentUser ?? {
      id: "2034020000000112000",
      name: "Sandbox User",
      email: "user@sandbox.example",
    };
    this.timeZoneOffsetMinutes = options.timeZoneOffsetMinutes ?? 330;
  }

  /** A fresh 19-digit id, never one the seed uses. */
  nextId(): string {
    this.idCounter += 1n;
    return this.idCounter.toString();
  }

  addRecord(module: SandboxModule, record: { id?: string; name: string }): SandboxRecord {
    const id = record.id ?? this.nextId();
    if (this.records.has(key(module, id))) throw new Error(`${module} ${id} already exists`);
    const stored: SandboxRecord = { module, id, name: record.name };
    this.records.set(key(module, id), stored);
    this.attachments.set(key(module, id), []);
    return stored;
  }

  getRecord(module: string, id: string): SandboxRecord | undefined {
    return this.records.get(key(module, id));
  }

  listRecords(module?: SandboxModule): SandboxRecord[] {
    const all = [...this.records.values()];
    return module === undefined ? all : all.filter((r) => r.module === module);
  }

  /** Attachments of a record, oldest first; [] for an unknown record. */
  listAttachments(module: string, recordId: string): readonly StoredAttachment[] {
    return this.attachments.get(key(module, recordId)) ?? [];
  }

  getAttachment(
    module: string,
    recordId: string,
    attachmentId: string,
  ): StoredAttachment | undefined {
    return this.listAttachments(module, recordId).find((a) => a.id === attachmentId);
  }

  /**
   * Adds a File or Link attachment, last unless `at` (an index) says where: Bigin's own order
   * can put a new or changed attachment before others. Throws when the record does not exist.
   */
  addAttachment(
    module: SandboxModule,
    recordId: string,
    input: NewAttachment,
    at?: number,
  ): StoredAttachment {
    const list = this.attachments.get(key(module, recordId));
    if (list === undefined) throw new Error(`${module} ${recordId} does not exist`);
    const id = input.id ?? this.nextId();
    const createdTime = input.createdTime ?? this.now();
    const createdBy = input.createdBy ?? this.currentUser;
    const isFile = input.type === "File";
    const attachment: StoredAttachment = {
      id,
      module,
      recordId,
      type: input.type,
      fileName: isFile ? input.fileName : input.title,
      size: isFile ? input.size : 0,
      fileId: isFile ? fileIdFor(id) : null,
      linkUrl: isFile ? null : input.linkUrl,
      contentType: isFile ? input.contentType : null,
      path: isFile ? input.path : undefined,
      createdTime,
      modifiedTime: input.modifiedTime ?? createdTime,
      createdBy,
      modifiedBy: input.modifiedBy ?? createdBy,
      owner: input.owner ?? createdBy,
      editable: input.editable ?? true,
      sharingPermission: input.sharingPermission ?? "full_access",
      state: "save",
      attachmentType: ATTACHMENT_TYPE_CODES[input.type],
    };
    list.splice(at ?? list.length, 0, attachment);
    return attachment;
  }

  /** Removes an attachment; false when there was none with that id on that record. */
  deleteAttachment(module: string, recordId: string, attachmentId: string): boolean {
    const list = this.attachments.get(key(module, recordId));
    const index = list?.findIndex((a) => a.id === attachmentId) ?? -1;
    if (list === undefined || index < 0) return false;
    list.splice(index, 1);
    return true;
  }

  /** Sets a record's photo. Throws for a module without photos or an unknown record. */
  setPhoto(module: SandboxModule, recordId: string, photo: StoredFile): void {
    const record = this.getRecord(module, recordId);
    if (!hasPhotos(module) || record === undefined) {
      throw new Error(`${module} ${recordId} cannot have a photo`);
    }
    record.photo = photo;
  }

  deletePhoto(module: string, recordId: string): boolean {
    const record = this.getRecord(module, recordId);
    if (record?.photo === undefined) return false;
    record.photo = undefined;
    return true;
  }

  /** The attachment as Bigin sends it, every §4 field present. */
  toBigin(attachment: StoredAttachment): Record<AttachmentField, unknown> {
    const parent = this.getRecord(attachment.module, attachment.recordId);
    const time = (ms: number) => formatBiginTime(ms, this.timeZoneOffsetMinutes);
    return {
      id: attachment.id,
      File_Name: attachment.fileName,
      Size: String(attachment.size),
      Parent_Id: { name: parent?.name ?? null, id: attachment.recordId },
      $file_id: attachment.fileId,
      Created_Time: time(attachment.createdTime),
      Modified_Time: time(attachment.modifiedTime),
      Created_By: biginUser(attachment.createdBy),
      Modified_By: biginUser(attachment.modifiedBy),
      Owner: biginUser(attachment.owner),
      $type: attachment.type,
      $link_url: attachment.linkUrl,
      $editable: attachment.editable,
      $se_module: attachment.module,
      $sharing_permission: attachment.sharingPermission,
      $state: attachment.state,
      $attachment_type: attachment.attachmentType,
      $field_states: null,
    };
  }
}
