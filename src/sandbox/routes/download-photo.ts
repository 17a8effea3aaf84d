import { noContent } from "../respond.js";
import type { RouteHandler } from "../router.js";
import { requireRecord } from "./record-files.js";

/** GET /bigin/v2/{module}/{record_id}/photo (bigin-api.md §3.6): the image, or 204 when there is none. */
export const downloadPhoto: RouteHandler = {
  operation: "downloadPhoto",
  handle(ctx) {
    const { photo } = requireRecord(ctx);
    if (photo?.path === undefined) return noContent();
    return {
      status: 200,
      headers: { "Content-Type": photo.contentType, "Content-Length": String(photo.size) },
      body: ctx.state.files.read(photo.path),
    };
  },
};
