import { randomUUID } from "node:crypto";
import { pipeline } from "node:stream/promises";
import express, { type Request, type Response } from "express";
import { GraphQLError } from "graphql";
import { downloadAttachment } from "../bigin/attachments.js";
import type { BiginStreamResponse } from "../bigin/client.js";
import type { BiginCredential } from "../bigin/credential.js";
import { BiginAbortError } from "../bigin/errors.js";
import { PHOTO_MODULES, downloadPhoto } from "../bigin/photos.js";
import { createContext, type Services } from "../graphql/context.js";
import { BiginModule } from "../graphql/enums.js";
import { ErrorCode, toGraphQLError } from "../graphql/errors.js";
import { BIGIN_ID } from "../graphql/record.resolver.js";
import { contentDisposition, fileNameFrom } from "./content-disposition.js";

/** HTTP status of each error code (design.md §3, §4). */
const STATUS: Record<string, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.UPSTREAM_ERROR]: 502,
  [ErrorCode.UPSTREAM_UNAVAILABLE]: 503,
};

class FileRouteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MODULES = new Set<string>(Object.values(BiginModule));
const PHOTO_EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/bmp": "bmp",
};

/** The path parameters, checked: never spliced raw into a Bigin URL. */
function target(req: Request, photo: boolean): { module: string; recordId: string } {
  const module = String(req.params.module);
  const recordId = String(req.params.recordId);
  if (!MODULES.has(module)) {
    throw new FileRouteError(
      404,
      ErrorCode.NOT_FOUND,
      `No Bigin module named ${JSON.stringify(module.slice(0, 40))}`,
    );
  }
  if (photo && !PHOTO_MODULES.includes(module)) {
    throw new FileRouteError(404, ErrorCode.NOT_FOUND, `Records of ${module} have no photo`);
  }
  for (const [name, value] of [
    ["recordId", recordId],
    [
      "attachmentId",
      req.params.attachmentId === undefined ? undefined : String(req.params.attachmentId),
    ],
  ] as const) {
    if (value !== undefined && !BIGIN_ID.test(value)) {
      throw new FileRouteError(
        400,
        ErrorCode.BAD_USER_INPUT,
        `${name} must be a numeric string of 1 to 19 digits`,
      );
    }
  }
  return { module, recordId };
}

/**
 * GET /files/{module}/{recordId}/attachments/{attachmentId} and GET /files/{module}/{recordId}/photo
 * (design.md §4): Bigin's bytes piped through, authorised by the Authorization header or a signed link.
 */
export function createFilesRouter(services: Services): express.Router {
  const router = express.Router();

  /** The credential of this request: its header, else the one sealed in a valid signed link. */
  function credentialFor(req: Request, signal: AbortSignal): BiginCredential {
    let authorization = req.get("authorization");
    if (authorization === undefined) {
      const path = `${req.baseUrl}${req.path}`;
      const verified = services.files.signedUrls.verify(path, req.query as Record<string, unknown>);
      if (!verified.ok && verified.reason !== "missing") {
        throw new FileRouteError(
          403,
          ErrorCode.FORBIDDEN,
          verified.reason === "expired"
            ? "This download link has expired; ask the API for a fresh one"
            : "This download link is not valid",
        );
      }
      if (verified.ok && verified.token !== undefined) {
        authorization = `Zoho-oauthtoken ${verified.token}`;
      }
    }
    // Whatever the GraphQL layer would use for this Authorization (or for none).
    return createContext({ requestId: randomUUID(), services, signal, authorization }).credential();
  }

  async function serve(
    req: Request,
    res: Response,
    fetchFile: (credential: BiginCredential, signal: AbortSignal) => Promise<BiginStreamResponse>,
    fallbackName: (contentType: string) => string,
    disposition: "attachment" | "inline",
  ): Promise<void> {
    const controller = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) controller.abort(new Error("client went away"));
    });
    try {
      const credential = credentialFor(req, controller.signal);
      const upstream = await fetchFile(credential, controller.signal);
      if (upstream.body === undefined || upstream.status === 204) {
        throw new FileRouteError(404, ErrorCode.NOT_FOUND, "Bigin has no such file");
      }
      const contentType = upstream.headers["content-type"] ?? "application/octet-stream";
      const length = upstream.headers["content-length"];
      const name =
        fileNameFrom(upstream.headers["content-disposition"]) ?? fallbackName(contentType);
      res.status(200);
      res.setHeader("Content-Type", contentType);
      if (length !== undefined && /^\d+$/.test(length)) res.setHeader("Content-Length", length);
      res.setHeader("Content-Disposition", contentDisposition(disposition, name));
      res.setHeader("X-Content-Type-Options", "nosniff");
      res.setHeader("Cache-Control", "private, no-store");
      if (req.method === "HEAD") {
        // Headers only: stop Bigin's body instead of reading it to the end.
        upstream.body.destroy();
        res.end();
        return;
      }
      await pipeline(upstream.body, res);
    } catch (error) {
      if (controller.signal.aborted || error instanceof BiginAbortError) return;
      if (res.headersSent) {
        services.logger.warn({ err: error, path: req.path }, "download broke off");
        res.destroy();
        return;
      }
      const { status, code, message } = describe(error);
      if (status >= 500 && code === ErrorCode.INTERNAL_SERVER_ERROR) {
        services.logger.error({ err: error, path: req.path }, "download failed");
      }
      if (error instanceof GraphQLError && typeof error.extensions.retryAfterSeconds === "number") {
        res.setHeader("Retry-After", String(error.extensions.retryAfterSeconds));
      }
      res.status(status).json({ code, message });
    }
  }

  router.get("/:module/:recordId/attachments/:attachmentId", (req, res) => {
    const attachmentId = String(req.params.attachmentId);
    return serve(
      req,
      res,
      (credential, signal) =>
        downloadAttachment(services.client, credential, target(req, false), attachmentId, signal),
      () => `attachment-${attachmentId}`,
      "attachment",
    );
  });

  router.get("/:module/:recordId/photo", (req, res) =>
    serve(
      req,
      res,
      (credential, signal) => downloadPhoto(services.client, credential, target(req, true), signal),
      (contentType) =>
        `${String(req.params.module)}-${String(req.params.recordId)}.${PHOTO_EXTENSIONS[contentType] ?? "img"}`,
      "inline",
    ),
  );

  return router;
}

/** Any failure → the status and JSON body of design.md §3/§4. Messages carry no secrets. */
function describe(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof FileRouteError) {
    return { status: error.status, code: error.code, message: error.message };
  }
  const mapped = toGraphQLError(error);
  if (mapped instanceof GraphQLError) {
    const code = String(mapped.extensions.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
    const status =
      code === ErrorCode.UPSTREAM_UNAVAILABLE && mapped.extensions.reason === "timeout"
        ? 504
        : (STATUS[code] ?? 500);
    return status === 500
      ? { status, code: ErrorCode.INTERNAL_SERVER_ERROR, message: "Internal server error" }
      : { status, code, message: mapped.message };
  }
  return { status: 500, code: ErrorCode.INTERNAL_SERVER_ERROR, message: "Internal server error" };
}
