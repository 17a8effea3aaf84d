import type { BiginClient, BiginStreamResponse } from "./client.js";
import type { BiginCredential } from "./credential.js";
import type { AttachmentTarget } from "./attachments.js";
import { type FileSource, fileFormData } from "./multipart.js";
import { postForm, writeResult } from "./write-results.js";

/** Modules whose records have a photo (bigin-api.md §2). */
export const PHOTO_MODULES: readonly string[] = ["Contacts", "Accounts", "Products"];

export function photoPath(module: string, recordId: string): string {
  return `/${encodeURIComponent(module)}/${encodeURIComponent(recordId)}/photo`;
}

/** POST /{module}/{id}/photo with the image streamed as the `file` part. Never retried. */
export async function uploadPhoto(
  client: BiginClient,
  credential: BiginCredential,
  target: AttachmentTarget,
  file: FileSource,
  signal?: AbortSignal,
): Promise<void> {
  const path = photoPath(target.module, target.recordId);
  await postForm(client, credential, path, fileFormData("file", file), signal);
}

/** DELETE /{module}/{id}/photo. Resolves false when Bigin says there was no photo (204). */
export async function deletePhoto(
  client: BiginClient,
  credential: BiginCredential,
  target: AttachmentTarget,
  signal?: AbortSignal,
): Promise<boolean> {
  const path = photoPath(target.module, target.recordId);
  const { status, body } = await client.json<unknown>({
    method: "DELETE",
    path,
    credential,
    signal,
  });
  if (status === 204 || body === undefined) return false;
  writeResult(body, status, "DELETE", path);
  return true;
}

/** GET /{module}/{id}/photo: the image as a stream; body undefined on 204 (no photo). */
export function downloadPhoto(
  client: BiginClient,
  credential: BiginCredential,
  target: AttachmentTarget,
  signal?: AbortSignal,
): Promise<BiginStreamResponse> {
  return client.stream({
    method: "GET",
    path: photoPath(target.module, target.recordId),
    credential,
    signal,
  });
}
