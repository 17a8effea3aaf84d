import { BiginErrorCode, BiginHttpError, biginErrors } from "../errors.js";
import { parseMultipart } from "../multipart.js";
import { jsonResponse } from "../respond.js";
import type { RouteHandler } from "../router.js";
import { type StoredAttachment, formatBiginTime } from "../store.js";
import { requireRecord } from "./record-files.js";

const MAX_LINK_LENGTH = 3000;

function isHttpUrl(value: string): boolean {
  if (value.length > MAX_LINK_LENGTH) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Bigin's success body of an upload: the new id and who and when. */
function created(attachment: StoredAttachment, offsetMinutes: number) {
  const time = formatBiginTime(attachment.createdTime, offsetMinutes);
  const by = { name: attachment.createdBy.name, id: attachment.createdBy.id };
  return {
    data: [
      {
        code: "SUCCESS",
        details: {
          Modified_Time: time,
          Modified_By: by,
          Created_Time: time,
          id: attachment.id,
          Created_By: by,
        },
        message: "attachment uploaded successfully",
        status: "success",
      },
    ],
  };
}

/**
 * POST /bigin/v2/{module}/{record_id}/Attachments (bigin-api.md §3.2): a `file` part, or a link
 * as `attachmentUrl` (+ `title`) in the form or the query. Files go to disk as they arrive.
 */
export const uploadAttachment: RouteHandler = {
  operation: "uploadAttachment",
  async handle(ctx) {
    const { store, files, maxAttachmentBytes } = ctx.state;
    const body = await parseMultipart(ctx.req, files, maxAttachmentBytes);
    const { file } = body;
    try {
      const record = requireRecord(ctx);
      const linkUrl = body.fields.attachmentUrl ?? ctx.query.attachmentUrl;
      const title = body.fields.title ?? ctx.query.title;
      if (file !== undefined && linkUrl !== undefined) {
        throw new BiginHttpError(400, BiginErrorCode.INVALID_DATA, "send either a file or a link", {
          param_name: "attachmentUrl",
        });
      }
      let attachment: StoredAttachment;
      if (linkUrl !== undefined) {
        if (!isHttpUrl(linkUrl)) throw biginErrors.invalidAttachmentUrl();
        attachment = store.addAttachment(record.module, record.id, {
          type: "Link URL",
          linkUrl,
          title: title?.trim() || new URL(linkUrl).hostname,
        });
      } else if (file !== undefined && file.fieldName === "file") {
        if (file.tooLarge) throw biginErrors.attachmentTooLarge();
        if (/\.exe$/i.test(file.fileName.trim())) throw biginErrors.invalidFileType(400);
        attachment = store.addAttachment(record.module, record.id, {
          type: "File",
          fileName: file.fileName || "file",
          size: file.size,
          contentType: file.contentType,
          path: file.path,
        });
      } else {
        throw biginErrors.requiredParamMissing("file");
      }
      return jsonResponse(200, created(attachment, store.timeZoneOffsetMinutes));
    } catch (error) {
      await files.discard(file?.path);
      throw error;
    }
  },
};
