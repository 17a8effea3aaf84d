import { biginErrors } from "../errors.js";
import { type RouteContext, param } from "../router.js";
import type { SandboxRecord } from "../store.js";

/** The record a file route addresses, or Bigin's INVALID_DATA on the record id. */
export function requireRecord(ctx: RouteContext): SandboxRecord {
  const record = ctx.state.store.getRecord(param(ctx, "module"), param(ctx, "recordId"));
  if (record === undefined) throw biginErrors.invalidRecordId();
  return record;
}

/** `attachment; filename="ascii"; filename*=UTF-8''utf8` as Bigin sends it. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
