import { biginErrors } from "../errors.js";
import { imageInfo } from "../image-info.js";
import { parseMultipart } from "../multipart.js";
import { jsonResponse } from "../respond.js";
import type { RouteHandler } from "../router.js";
import type { SandboxModule } from "../store.js";
import { requireRecord } from "./record-files.js";

/** Bigin's photo limits (bigin-api.md §3.5). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTO_PIXELS = 10_000_000;

/** POST /bigin/v2/{module}/{record_id}/photo (bigin-api.md §3.5): PNG, JPEG, GIF or BMP, ≤ 10 MB, ≤ 10 MP. */
export const uploadPhoto: RouteHandler = {
  operation: "uploadPhoto",
  async handle(ctx) {
    const { store, files } = ctx.state;
    const { file } = await parseMultipart(ctx.req, files, MAX_PHOTO_BYTES);
    try {
      const record = requireRecord(ctx);
      if (file === undefined || file.fieldName !== "file") {
        throw biginErrors.requiredParamMissing("file");
      }
      if (file.tooLarge) throw biginErrors.photoTooLarge(MAX_PHOTO_BYTES);
      const info = imageInfo(file.head);
      if (info === undefined) throw biginErrors.invalidFileType();
      const pixels = (info.width ?? 0) * (info.height ?? 0);
      if (pixels > MAX_PHOTO_PIXELS) throw biginErrors.photoResolutionExceeds(pixels);
      const previous = record.photo?.path;
      store.setPhoto(record.module as SandboxModule, record.id, {
        contentType: info.contentType,
        size: file.size,
        path: file.path,
      });
      await files.discard(previous);
      return jsonResponse(200, {
        code: "SUCCESS",
        details: {},
        message: "Photo uploaded successfully",
        status: "success",
      });
    } catch (error) {
      await files.discard(file?.path);
      throw error;
    }
  },
};
