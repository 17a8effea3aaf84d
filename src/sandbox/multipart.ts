import { createWriteStream } from "node:fs";
import type { IncomingMessage } from "node:http";
import busboy from "busboy";
import { BiginHttpError, BiginErrorCode } from "./errors.js";
import type { FileFolder } from "./file-folder.js";

/**
 * Browsers write `"`, CR and LF in a multipart filename as `%22`, `%0D` and `%0A` (the HTML
 * standard's encoding); Bigin's own web app uploads that way, so Bigin stores the names decoded
 * (inferred: Bigin's documentation does not say).
 */
const unescapeFileName = (name: string) =>
  name.replace(/%22|%0D|%0A/g, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));

/** The first bytes of an uploaded file are kept for type and resolution checks. */
const HEAD_BYTES = 64 * 1024;

export interface UploadedFile {
  fieldName: string;
  fileName: string;
  contentType: string;
  /** On disk in the sandbox's folder; the caller keeps or discards it. */
  path: string;
  /** Bytes written (up to the limit). */
  size: number;
  /** True when the file was longer than `maxFileBytes` (and was cut there). */
  tooLarge: boolean;
  head: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  file: UploadedFile | undefined;
}

const notMultipart = () =>
  new BiginHttpError(
    400,
    BiginErrorCode.INVALID_DATA,
    "the request body is not multipart/form-data",
  );

/**
 * Streams a multipart/form-data body: the first file part to disk (never held in memory),
 * text fields into `fields`. Further file parts are drained and ignored.
 */
export function parseMultipart(
  req: IncomingMessage,
  folder: FileFolder,
  maxFileBytes: number,
): Promise<MultipartBody> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: "utf8",
      limits: { files: 1, fileSize: maxFileBytes, fields: 20, fieldSize: 8 * 1024 },
    });
  } catch {
    return Promise.reject(notMultipart());
  }
  return new Promise<MultipartBody>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: UploadedFile | undefined;
    let written: Promise<void> = Promise.resolve();
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      void folder.discard(file?.path);
      reject(error instanceof BiginHttpError ? error : notMultipart());
    };
    parser.on("field", (name, value) => {
      fields[name] ??= value;
    });
    parser.on("file", (fieldName, stream, info) => {
      if (file !== undefined) return void stream.resume();
      const path = folder.newPath();
      const current: UploadedFile = {
        fieldName,
        fileName: unescapeFileName(info.filename ?? ""),
        contentType: info.mimeType || "application/octet-stream",
        path,
        size: 0,
        tooLarge: false,
        head: Buffer.alloc(0),
      };
      file = current;
      const heads: Buffer[] = [];
      let headLength = 0;
      stream.on("data", (chunk: Buffer) => {
        current.size += chunk.length;
        if (headLength < HEAD_BYTES) {
          heads.push(chunk.subarray(0, HEAD_BYTES - headLength));
          headLength += Math.min(chunk.length, HEAD_BYTES - headLength);
        }
      });
      stream.on("limit", () => {
        current.tooLarge = true;
      });
      const out = createWriteStream(path);
      written = new Promise<void>((done, error) => {
        out.on("finish", () => {
          current.head = Buffer.concat(heads);
          done();
        });
        out.on("error", error);
      });
      stream.pipe(out);
    });
    parser.on("error", fail);
    parser.on("close", () => {
      written.then(() => !failed && resolve({ fields, file }), fail);
    });
    req.on("error", fail);
    req.pipe(parser);
  });
}
