import { randomUUID } from "node:crypto";
import { pipeline } from "node:stream/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { GraphQLError } from "graphql";
import { downloadAttachment } from "../bigin/attachments.js";
import type { BiginStreamResponse } from "../bigin/client.js";
import type { BiginCredential } from "../bigin/credential.js";
import { BiginAbortError } from "../bigin/errors.js";
import { PHOTO_MODULES, downloadPhoto } from "../bigin/photos.js";
import { createContext, type Services } from "../graphql/context.js";
import { BiginModule } from "../graphql/enums.js";
import { ErrorCode, toGraphQLError } from "../graphql/errors.js";
import { BIGIN_ID } from "../graphql/attachment-cursor.js";
import { pathOf } from "../redact.js";
import type { StallGuard } from "./answer-stalls.js";
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

interface FileParams {
  module: string;
  recordId: string;
  attachmentId?: string;
}
type FileRequest = FastifyRequest<{ Params: FileParams }>;

/** The path parameters, checked: never spliced raw into a Bigin URL. */
function target(req: FileRequest, photo: boolean): { module: string; recordId: string } {
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
export function registerFileRoutes(
  app: FastifyInstance,
  services: Services,
  guardAnswer: StallGuard,
): void {
  /**
   * The credential of this request: its header, else the one sealed in a valid signed link.
   * Without the header a valid signature is the only way in, in every mode: a bare path never
   * borrows the server-held credential, or any page could use it (an `<img>` needs no CORS).
   */
  function credentialFor(req: FileRequest, signal: AbortSignal): BiginCredential {
    let authorization = req.headers.authorization;
    if (authorization === undefined) {
      const path = pathOf(req.url);
      const verified = services.files.signedUrls.verify(path, req.query as Record<string, unknown>);
      if (!verified.ok) {
        throw new FileRouteError(
          403,
          ErrorCode.FORBIDDEN,
          verified.reason === "expired"
            ? "This download link has expired; ask the API for a fresh one"
            : verified.reason === "missing"
              ? "Send `Authorization: Zoho-oauthtoken <token>`, or use the signed link the API gives (downloadUrl, photoUrl)"
              : "This download link is not valid",
        );
      }
      if (verified.token !== undefined) {
        authorization = `Zoho-oauthtoken ${verified.token}`;
      }
    }
    // Whatever the GraphQL layer would use for this Authorization (or for none).
    return createContext({ requestId: randomUUID(), services, signal, authorization }).credential();
  }

  async function serve(
    req: FileRequest,
    reply: FastifyReply,
    fetchFile: (credential: BiginCredential, signal: AbortSignal) => Promise<BiginStreamResponse>,
    fallbackName: (contentType: string) => string,
    disposition: "attachment" | "inline",
  ): Promise<FastifyReply> {
    const controller = new AbortController();
    const res = reply.raw;
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
      // From here on the answer is Bigin's bytes, written by hand as they arrive; headers set
      // on the reply before (request id, CORS) go out with them.
      reply.hijack();
      guardAnswer(res);
      for (const [header, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) res.setHeader(header, value);
      }
      res.statusCode = 200;
      res.setHeader("Content-Type", contentType);
      if (length !== undefined && /^\d+$/.test(length)) res.setHeader("Content-Length", length);
      res.setHeader("Content-Disposition", contentDisposition(disposition, name));
      res.setHeader("X-Content-Type-Options", "nosniff");
      // Should a browser render it all the same (a file opened from its tab, an HTML "photo"):
      // no script, no form, no same-origin access.
      res.setHeader("Content-Security-Policy", "sandbox");
      res.setHeader("Cache-Control", "private, no-store");
      if (req.method === "HEAD") {
        // Headers only: stop Bigin's body instead of reading it to the end.
        upstream.body.destroy();
        res.end();
        return reply;
      }
      await pipeline(upstream.body, res);
      return reply;
    } catch (error) {
      if (controller.signal.aborted || error instanceof BiginAbortError) return reply;
      if (res.headersSent) {
        services.logger.warn({ err: error, path: pathOf(req.url) }, "download broke off");
        res.destroy();
        return reply;
      }
      if (reply.sent) {
        // Failed before the first byte: no answer can be sent any more.
        res.destroy();
        return reply;
      }
      const { status, code, message } = describe(error);
      if (status >= 500 && code === ErrorCode.INTERNAL_SERVER_ERROR) {
        services.logger.error({ err: error, path: pathOf(req.url) }, "download failed");
      }
      if (error instanceof GraphQLError && typeof error.extensions.retryAfterSeconds === "number") {
        reply.header("Retry-After", String(error.extensions.retryAfterSeconds));
      }
      return reply.code(status).send({ code, message });
    }
  }

  // HEAD is its own route: Fastify's automatic one would read Bigin's whole body and send a
  // Content-Length of 0.
  app.route<{ Params: FileParams }>({
    method: ["GET", "HEAD"],
    url: "/files/:module/:recordId/attachments/:attachmentId",
    exposeHeadRoute: false,
    handler(req, reply) {
      const attachmentId = String(req.params.attachmentId);
      return serve(
        req,
        reply,
        (credential, signal) =>
          downloadAttachment(services.client, credential, target(req, false), attachmentId, signal),
        () => `attachment-${attachmentId}`,
        "attachment",
      );
    },
  });

  app.route<{ Params: FileParams }>({
    method: ["GET", "HEAD"],
    url: "/files/:module/:recordId/photo",
    exposeHeadRoute: false,
    handler: (req, reply) =>
      serve(
        req,
        reply,
        (credential, signal) =>
          downloadPhoto(services.client, credential, target(req, true), signal),
        (contentType) =>
          `${String(req.params.module)}-${String(req.params.recordId)}.${PHOTO_EXTENSIONS[contentType] ?? "img"}`,
        "inline",
      ),
  });
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
