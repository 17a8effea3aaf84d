import type { Route } from "../router.js";
import { ATTACHMENT_MODULES, PHOTO_MODULES } from "../store.js";
import { deleteAttachment } from "./delete-attachment.js";
import { deletePhoto } from "./delete-photo.js";
import { downloadAttachment } from "./download-attachment.js";
import { downloadPhoto } from "./download-photo.js";
import { listAttachments } from "./list-attachments.js";
import { oauthToken } from "./oauth-token.js";
import { uploadAttachment } from "./upload-attachment.js";
import { uploadPhoto } from "./upload-photo.js";

/** Bigin's paths live under this prefix of the API domain. */
export const API_PREFIX = "/bigin/v2";

/**
 * The sandbox's Bigin API. A path not listed is INVALID_URL_PATTERN; a method not listed on a
 * listed path is INVALID_REQUEST_METHOD. Add an endpoint by adding a handler here.
 */
export function createRoutes(): Route[] {
  return [
    {
      pattern: `${API_PREFIX}/:module/:recordId/Attachments`,
      modules: ATTACHMENT_MODULES,
      methods: { GET: listAttachments, POST: uploadAttachment },
    },
    {
      pattern: `${API_PREFIX}/:module/:recordId/Attachments/:attachmentId`,
      modules: ATTACHMENT_MODULES,
      methods: { GET: downloadAttachment, DELETE: deleteAttachment },
    },
    {
      pattern: `${API_PREFIX}/:module/:recordId/photo`,
      modules: PHOTO_MODULES,
      methods: { GET: downloadPhoto, POST: uploadPhoto, DELETE: deletePhoto },
    },
    // Zoho's accounts server, so the sandbox can serve refresh-token mode too.
    { pattern: "/oauth/v2/token", methods: { POST: oauthToken } },
  ];
}
