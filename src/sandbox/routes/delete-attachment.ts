import { biginErrors } from "../errors.js";
import { jsonResponse } from "../respond.js";
import { type RouteHandler, param } from "../router.js";
import { requireRecord } from "./record-files.js";

/** DELETE /bigin/v2/{module}/{record_id}/Attachments/{id} (bigin-api.md §3.4). */
export const deleteAttachment: RouteHandler = {
  operation: "deleteAttachment",
  async handle(ctx) {
    const record = requireRecord(ctx);
    const id = param(ctx, "attachmentId");
    const attachment = ctx.state.store.getAttachment(record.module, record.id, id);
    if (
      attachment === undefined ||
      !ctx.state.store.deleteAttachment(record.module, record.id, id)
    ) {
      throw biginErrors.invalidAttachmentId();
    }
    await ctx.state.files.discard(attachment.path);
    return jsonResponse(200, {
      data: [{ code: "SUCCESS", details: { id }, message: "record deleted", status: "success" }],
    });
  },
};
