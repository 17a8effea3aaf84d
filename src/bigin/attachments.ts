import type { Logger } from "../logger.js";
import type { BiginClient, BiginStreamResponse } from "./client.js";
import type { BiginCredential } from "./credential.js";
import { type FileSource, fileFormData, textFormData } from "./multipart.js";
import { postForm, writeResult } from "./write-results.js";

/** One attachment as Bigin sends it: only the requested fields (plus id) are present. */
export type BiginAttachment = Record<string, unknown> & { id?: unknown };

export interface AttachmentPage {
  data: BiginAttachment[];
  info: {
    perPage: number;
    page: number;
    count: number;
    moreRecords: boolean;
    nextPageToken: string | null;
    previousPageToken: string | null;
    pageTokenExpiry: string | null;
  };
}

export interface ListAttachmentsParams {
  module: string;
  recordId: string;
  /** Bigin field API names; the caller keeps this within Bigin's limit of 50. */
  fields: readonly string[];
  page: number;
  perPage: number;
  pageToken?: string | undefined;
}

/** Builds `/{module}/{recordId}/Attachments[/{id}]` from segments checked by the caller. */
export function attachmentsPath(module: string, recordId: string, attachmentId?: string): string {
  const base = `/${encodeURIComponent(module)}/${encodeURIComponent(recordId)}/Attachments`;
  return attachmentId === undefined ? base : `${base}/${encodeURIComponent(attachmentId)}`;
}

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const int = (value: unknown, fallback: number): number => {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
};

/**
 * GET /{module}/{id}/Attachments. An empty list (Bigin's 204, or 200 with no data) is an empty
 * page, not an error. Tolerant of missing `info` keys.
 */
export async function listAttachments(
  client: BiginClient,
  credential: BiginCredential,
  params: ListAttachmentsParams,
  options: { signal?: AbortSignal | undefined; logger?: Logger | undefined } = {},
): Promise<AttachmentPage> {
  const { body } = await client.json<{ data?: unknown; info?: Record<string, unknown> }>({
    method: "GET",
    path: attachmentsPath(params.module, params.recordId),
    query: {
      fields: params.fields.join(","),
      ...(params.pageToken !== undefined
        ? { page_token: params.pageToken }
        : { page: params.page }),
      per_page: params.perPage,
    },
    credential,
    signal: options.signal,
    logger: options.logger,
  });
  const data = Array.isArray(body?.data)
    ? (body.data.filter((item) => typeof item === "object" && item !== null) as BiginAttachment[])
    : [];
  const info = body?.info ?? {};
  return {
    data,
    info: {
      perPage: int(info.per_page, params.perPage),
      page: int(info.page, params.page),
      count: int(info.count, data.length),
      moreRecords: info.more_records === true,
      nextPageToken: str(info.next_page_token),
      previousPageToken: str(info.previous_page_token),
      pageTokenExpiry: str(info.page_token_expiry),
    },
  };
}

export interface AttachmentTarget {
  module: string;
  recordId: string;
}

/**
 * POST /{module}/{id}/Attachments with the file streamed as the `file` part. Never retried.
 * Resolves with Bigin's `details` of the new attachment (id, created and modified fields).
 */
export async function uploadAttachment(
  client: BiginClient,
  credential: BiginCredential,
  target: AttachmentTarget,
  file: FileSource,
  signal?: AbortSignal,
): Promise<BiginAttachment> {
  const path = attachmentsPath(target.module, target.recordId);
  return postForm(client, credential, path, fileFormData("file", file), signal);
}

/** POST /{module}/{id}/Attachments with `attachmentUrl` (and `title`) as form fields. Never retried. */
export async function attachLink(
  client: BiginClient,
  credential: BiginCredential,
  target: AttachmentTarget,
  link: { url: string; title?: string | undefined },
  signal?: AbortSignal,
): Promise<BiginAttachment> {
  const path = attachmentsPath(target.module, target.recordId);
  const form = textFormData({
    attachmentUrl: link.url,
    ...(link.title !== undefined && { title: link.title }),
  });
  return postForm(client, credential, path, form, signal);
}

/** DELETE /{module}/{id}/Attachments/{attachmentId}. Resolves with the deleted id. */
export async function deleteAttachment(
  client: BiginClient,
  credential: BiginCredential,
  target: AttachmentTarget,
  attachmentId: string,
  signal?: AbortSignal,
): Promise<string> {
  const path = attachmentsPath(target.module, target.recordId, attachmentId);
  const { status, body } = await client.json<unknown>({
    method: "DELETE",
    path,
    credential,
    signal,
  });
  const details = writeResult(body, status, "DELETE", path);
  return typeof details.id === "string" ? details.id : attachmentId;
}

/** GET /{module}/{id}/Attachments/{attachmentId}: the bytes as a stream; body undefined on 204. */
export function downloadAttachment(
  client: BiginClient,
  credential: BiginCredential,
  target: AttachmentTarget,
  attachmentId: string,
  signal?: AbortSignal,
): Promise<BiginStreamResponse> {
  return client.stream({
    method: "GET",
    path: attachmentsPath(target.module, target.recordId, attachmentId),
    credential,
    signal,
  });
}
