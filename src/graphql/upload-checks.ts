import type { Readable } from "node:stream";
import { GraphQLError } from "graphql";
import type { FileUpload } from "graphql-upload/processRequest.mjs";
import { badUserInput, ErrorCode } from "./errors.js";

/**
 * Names Bigin refuses (bigin-api.md §3.2): `.exe`, also with what Windows drops from the end of a
 * name (dots, spaces) and invisible format characters after it.
 */
export const EXECUTABLE_NAME = /\.exe[\s.\p{Cf}]*$/iu;

/** Bigin's photo limit (bigin-api.md §3.5). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const HEAD_BYTES = 32;

export interface InspectedUpload {
  upload: FileUpload;
  size: number;
  /** The first bytes, for type checks. */
  head: Buffer;
}

/**
 * What the client gets when its file did not arrive whole (a multipart body truncated, broken
 * off or malformed after its head): BAD_USER_INPUT naming it, HTTP 400. A fault of this
 * server's own (e.g. its disk, `syscall` set) is passed on as is.
 */
function brokenUpload(error: unknown): unknown {
  if (error instanceof GraphQLError || (error as { syscall?: unknown }).syscall !== undefined) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GraphQLError(`The file did not arrive whole: ${message}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, argumentName: "file", http: { status: 400 } },
  });
}

/** The upload of a `file` argument, once its part has begun; a broken one is BAD_USER_INPUT. */
export async function receiveUpload(file: Promise<FileUpload>): Promise<FileUpload> {
  try {
    return await file;
  } catch (error) {
    throw brokenUpload(error);
  }
}

/**
 * Reads the uploaded file once (from graphql-upload's disk buffer, not memory) to learn its size
 * and first bytes, so limits are checked before any byte goes to Bigin. Throws BAD_USER_INPUT
 * (argument `file`) when it is larger than `maxBytes`.
 */
export async function inspectUpload(
  upload: FileUpload,
  maxBytes: number,
  limitName: string,
): Promise<InspectedUpload> {
  const tooLarge = () =>
    badUserInput(
      `The file is larger than ${limitName} (${Math.floor(maxBytes / (1024 * 1024))} MB)`,
      "file",
    );
  let stream: Readable | undefined;
  let size = 0;
  const heads: Buffer[] = [];
  try {
    // Throws at once when the file has already failed (e.g. its body ended too soon).
    stream = upload.createReadStream();
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (size < HEAD_BYTES) heads.push(chunk.subarray(0, HEAD_BYTES - size));
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
    }
  } catch (error) {
    stream?.destroy();
    // graphql-upload's own size limit ends the stream with HTTP 413.
    if ((error as { status?: unknown }).status === 413) throw tooLarge();
    throw brokenUpload(error);
  }
  return { upload, size, head: Buffer.concat(heads) };
}

/** What the HTML standard's multipart/form-data encoding writes for `"`, CR and LF in a name. */
const BROWSER_ESCAPES: Record<string, string> = { "%22": '"', "%0D": " ", "%0A": " " };

/**
 * The name of an uploaded file as its user named it. Browsers write `"`, CR and LF in a
 * multipart filename as `%22`, `%0D` and `%0A` (the HTML standard's encoding, which leaves `%`
 * itself alone); those are decoded, line breaks becoming spaces, as a name is one line.
 * Surrounding spaces are trimmed; an empty name is undefined.
 */
export function uploadedFileName(raw: string): string | undefined {
  const name = raw.replace(/%22|%0D|%0A/g, (escape) => BROWSER_ESCAPES[escape]!).trim();
  return name === "" ? undefined : name;
}

/** The image type Bigin accepts for photos, told by magic bytes; undefined for anything else. */
export function photoContentType(head: Buffer): string | undefined {
  if (head.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex"))) return "image/png";
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (/^GIF8[79]a$/.test(head.subarray(0, 6).toString("latin1"))) return "image/gif";
  if (head.subarray(0, 2).toString("latin1") === "BM") return "image/bmp";
  return undefined;
}
