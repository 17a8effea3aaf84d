import type { BiginClient } from "./client.js";
import type { BiginCredential } from "./credential.js";
import { BiginApiError } from "./errors.js";
import type { MultipartBody } from "./multipart.js";

/**
 * The item of a Bigin answer that carries `code`, `details`, `message` and `status`: the body
 * itself (request-level errors, photo answers) or the first entry of `data` (write answers).
 */
export function biginItem(body: unknown): Record<string, unknown> {
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof record.code === "string") return record;
  const first = Array.isArray(record.data) ? record.data[0] : undefined;
  return (typeof first === "object" && first !== null ? first : record) as Record<string, unknown>;
}

/** A BiginApiError from such an item. */
export function errorFromItem(
  item: Record<string, unknown>,
  init: { status: number; method: string; path: string; retryAfterSeconds?: number | undefined },
): BiginApiError {
  return new BiginApiError({
    ...init,
    code: typeof item.code === "string" ? item.code : undefined,
    message: typeof item.message === "string" ? item.message : undefined,
    details:
      typeof item.details === "object" && item.details !== null
        ? (item.details as Record<string, unknown>)
        : undefined,
  });
}

/**
 * The first item of a write answer (`{data:[{code,details,message,status}]}` or, for photos, the
 * item itself). An item with status "error" becomes a BiginApiError, as an HTTP error would.
 */
export function writeResult(
  body: unknown,
  status: number,
  method: string,
  path: string,
): Record<string, unknown> {
  const item = biginItem(body);
  if (item.status === "error" || (typeof item.code === "string" && item.code !== "SUCCESS")) {
    throw errorFromItem(item, { status, method, path });
  }
  const details = item.details;
  return typeof details === "object" && details !== null
    ? (details as Record<string, unknown>)
    : {};
}

/** POSTs a multipart form (never retried: the funnel retries reads only); Bigin's write result. */
export async function postForm(
  client: BiginClient,
  credential: BiginCredential,
  path: string,
  form: MultipartBody,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const { status, body } = await client.json<unknown>({
    method: "POST",
    path,
    body: form.body,
    headers: form.headers,
    credential,
    signal,
  });
  return writeResult(body, status, "POST", path);
}
