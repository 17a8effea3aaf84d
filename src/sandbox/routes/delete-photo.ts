import { jsonResponse, noContent } from "../respond.js";
import type { RouteHandler } from "../router.js";
import { requireRecord } from "./record-files.js";

/** DELETE /bigin/v2/{module}/{record_id}/photo (bigin-api.md §3.7); 204 when there is no photo. */
export const deletePhoto: RouteHandler = {
  operation: "deletePhoto",
  async handle(ctx) {
    const record = requireRecord(ctx);
    const path = record.photo?.path;
    if (!ctx.state.store.deletePhoto(record.module, record.id)) return noContent();
    await ctx.state.files.discard(path);
    return jsonResponse(200, {
      code: "SUCCESS",
      details: {},
      message: "Photo deleted successfully",
      status: "success",
    });
  },
};
