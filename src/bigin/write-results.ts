import { BiginApiError } from "./errors.js";

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
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const item = (
    Array.isArray(record.data) && typeof record.data[0] === "object" && record.data[0] !== null
      ? record.data[0]
      : record
  ) as Record<string, unknown>;
  if (item.status === "error" || (typeof item.code === "string" && item.code !== "SUCCESS")) {
    throw new BiginApiError({
      status,
      code: typeof item.code === "string" ? item.code : undefined,
      message: typeof item.message === "string" ? item.message : undefined,
      details:
        typeof item.details === "object" && item.details !== null
          ? (item.details as Record<string, unknown>)
          : undefined,
      method,
      path,
    });
  }
  const details = item.details;
  return typeof details === "object" && details !== null
    ? (details as Record<string, unknown>)
    : {};
}
