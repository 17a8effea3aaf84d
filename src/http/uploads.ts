import type { FastifyReply, FastifyRequest } from "fastify";
import { GraphQLError } from "graphql";
import processRequest from "graphql-upload/processRequest.mjs";
import Upload from "graphql-upload/Upload.mjs";
import { createContext, type Services } from "../graphql/context.js";
import { negotiatedMediaType } from "../graphql/request-error-status.plugin.js";
import { bodyFailure, requestBody, RequestBodyError } from "./request-bodies.js";

export interface UploadLimits {
  /** Largest file accepted (BIGIN_MAX_ATTACHMENT_MB). */
  maxFileBytes: number;
  /** Largest `operations` and `map` field each. */
  maxFieldBytes: number;
}

/** The most a GraphQL multipart request may send: its one file, and its two JSON fields. */
export function maxUploadRequestBytes(limits: UploadLimits): number {
  // Part headers and boundaries: a few hundred bytes each; 64 KiB is ample.
  return limits.maxFileBytes + 2 * limits.maxFieldBytes + 64 * 1024;
}

const BOUNDARY = /;\s*boundary\s*=\s*(?:"[^"]+"|[^\s;"]+)/i;

/**
 * A refusal of an operation that never ran, as the others are answered (README: Refusals through
 * a gateway): 401 as `application/graphql-response+json`, 200 as `application/json`.
 */
function answerUnauthenticated(request: FastifyRequest, reply: FastifyReply, error: GraphQLError) {
  const type = negotiatedMediaType(request.headers.accept) ?? "application/json";
  return reply
    .code(type === "application/json" ? 200 : 401)
    .header("connection", "close")
    .type(`${type}; charset=utf-8`)
    .send(JSON.stringify({ errors: [{ message: error.message, extensions: error.extensions }] }));
}

/**
 * `onRequest` of a GraphQL multipart request (an upload): refuses it before its body is read
 * when it cannot succeed: no boundary to parse it by, no Bigin credential at all (every upload
 * calls Bigin), or a declared length over the limit. Undefined when it may go on.
 */
export function refuseHopelessUpload(
  request: FastifyRequest,
  reply: FastifyReply,
  services: Services,
  limits: UploadLimits,
): FastifyReply | undefined {
  const refuse = (status: number, code: string, message: string) =>
    reply.code(status).header("connection", "close").send({ code, message });
  if (!BOUNDARY.test(request.headers["content-type"] ?? "")) {
    return refuse(
      400,
      "BAD_REQUEST",
      "A multipart/form-data request needs a boundary: `content-type: multipart/form-data; boundary=...`",
    );
  }
  try {
    createContext({
      requestId: request.id,
      services,
      signal: AbortSignal.abort(),
      authorization: request.headers.authorization,
    }).credential();
  } catch (error) {
    if (error instanceof GraphQLError) return answerUnauthenticated(request, reply, error);
    throw error;
  }
  const declared = Number(request.headers["content-length"]);
  const maxBytes = maxUploadRequestBytes(limits);
  if (declared > maxBytes) {
    return refuse(
      413,
      "PAYLOAD_TOO_LARGE",
      `The request declares ${declared} bytes; an upload may send at most ${maxBytes} (a file of BIGIN_MAX_ATTACHMENT_MB, ${Math.floor(limits.maxFileBytes / (1024 * 1024))} MB, and the operation)`,
    );
  }
  return undefined;
}

const EMPTY_NAME =
  "A file named in the `map` field did not arrive as a file: a file part needs a non-empty filename";

/** Hints for busboy's terse messages. */
const HINTS: Record<string, string> = {
  "Malformed part header":
    "a part's headers must be well-formed and at most 16 KB together, file name included",
  "Unexpected end of form": "the body ends before the closing boundary",
};

/** A failure of processRequest (graphql-upload, busboy) → the 4xx naming it. */
function multipartError(error: unknown): unknown {
  const { status, message } = error as { status?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  if (typeof status === "number" && status >= 500 && status !== 499) return error;
  if (status === 413) return new RequestBodyError(413, "PAYLOAD_TOO_LARGE", text);
  if (status === 499) return new RequestBodyError(400, "BAD_REQUEST", "The request body broke off");
  if (text === "File missing in the request.") {
    return new RequestBodyError(400, "BAD_REQUEST", EMPTY_NAME);
  }
  const hint = HINTS[text];
  return new RequestBodyError(
    400,
    "BAD_REQUEST",
    typeof status === "number"
      ? text
      : `Malformed multipart request: ${text}${hint ? ` (${hint})` : ""}`,
  );
}

/** Every Upload placed in the operations (graphql-upload puts one where `map` says). */
function uploadsIn(value: unknown, found: Upload[] = [], depth = 0): Upload[] {
  if (value instanceof Upload) found.push(value);
  else if (typeof value === "object" && value !== null && depth < 32) {
    for (const child of Object.values(value)) uploadsIn(child, found, depth + 1);
  }
  return found;
}

/**
 * Reads a GraphQL multipart request's `operations` and `map` and waits for the head of each
 * file part, so that anything malformed up to there is a 4xx naming it before the operation
 * runs. The files themselves go on arriving (to a temporary file each) while it runs.
 */
export async function readUploadRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  limits: UploadLimits,
): Promise<unknown> {
  // processRequest reads the request's headers and its body stream: the bounded one.
  const body = requestBody(request);
  const source = body ? (Object.assign(body, { headers: request.headers }) as never) : request.raw;
  try {
    const operations = await processRequest(source, reply.raw, {
      maxFiles: 1,
      maxFileSize: limits.maxFileBytes + 1,
      maxFieldSize: limits.maxFieldBytes,
    });
    const files = await Promise.all(uploadsIn(operations).map((upload) => upload.promise));
    // Browsers send an empty name for a file input left empty; busboy gives it no name at all.
    if (files.some((file) => !file.filename)) {
      throw new RequestBodyError(400, "BAD_REQUEST", EMPTY_NAME);
    }
    return operations;
  } catch (error) {
    if (error instanceof RequestBodyError) throw error;
    throw bodyFailure(request) ?? multipartError(error);
  }
}
