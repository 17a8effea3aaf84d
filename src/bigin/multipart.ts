import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";

/** A file to send: its bytes as a stream, never buffered here. */
export interface FileSource {
  stream: Readable;
  fileName: string;
  contentType: string;
  /** Bytes, when known: the body then gets a Content-Length. */
  size?: number | undefined;
}

export interface MultipartBody {
  body: Readable | Buffer;
  headers: Record<string, string>;
}

/** A quoted-string parameter as browsers write it: UTF-8 as is, quote and line breaks escaped. */
const quoted = (value: string) =>
  `"${value.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}"`;

const newBoundary = () => `----bigin-graphql-${randomBytes(12).toString("hex")}`;

/** multipart/form-data with one file part named `field`, streamed from `file.stream`. */
export function fileFormData(field: string, file: FileSource): MultipartBody {
  const boundary = newBoundary();
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(field)}; filename=${quoted(file.fileName)}\r\n` +
      `Content-Type: ${file.contentType.replace(/[\r\n]/g, "")}\r\n\r\n`,
    "utf8",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, "utf8");
  async function* parts() {
    yield head;
    for await (const chunk of file.stream) yield chunk as Buffer;
    yield tail;
  }
  return {
    body: Readable.from(parts(), { objectMode: false }),
    headers: {
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
      ...(file.size !== undefined && {
        "Content-Length": String(head.length + file.size + tail.length),
      }),
    },
  };
}

/** multipart/form-data with text fields only (small: built in memory). */
export function textFormData(fields: Record<string, string>): MultipartBody {
  const boundary = newBoundary();
  const body = Buffer.from(
    Object.entries(fields)
      .map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`,
      )
      .join("") + `--${boundary}--\r\n`,
    "utf8",
  );
  return {
    body,
    headers: {
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
      "Content-Length": String(body.length),
    },
  };
}
