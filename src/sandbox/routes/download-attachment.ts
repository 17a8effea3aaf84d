import { biginErrors } from "../errors.js";
import { noContent } from "../respond.js";
import { type RouteHandler, param } from "../router.js";
import { contentDisposition, requireRecord } from "./record-files.js";

/** GET /bigin/v2/{module}/{record_id}/Attachments/{id} (bigin-api.md §3.3): the bytes, from disk. */
export const downloadAttachment: RouteHandler = {
  operation: "downloadAttachment",
  async handle(ctx) {
    const record = requireRecord(ctx);
    const attachment = ctx.state.store.getAttachment(
      record.module,
      record.id,
      param(ctx, "attachmentId"),
    );
    if (attachment === undefined) return noContent();
    if (attachment.type !== "File") throw biginErrors.downloadNotAllowed();
    const contentType = attachment.contentType ?? "application/octet-stream";
    if (attachment.path === undefined) {
      // A seeded file: its bytes are made on first download.
      const made = await ctx.state.files.materialise(
        attachment.id,
        contentType,
        attachment.fileName,
        attachment.size,
      );
      attachment.path = made.path;
      attachment.size = made.size;
    }
    return {
      status: 200,
      headers: {
        "Content-Type": contentType,
        "Content-Length": String(attachment.size),
        "Content-Disposition": contentDisposition(attachment.fileName),
      },
      body: ctx.state.files.read(attachment.path),
    };
  },
};
