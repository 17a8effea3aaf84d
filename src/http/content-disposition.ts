import { create, parse } from "content-disposition";

/** A name's plain-ASCII look-alike, for browsers that read only `filename`. */
function asciiFallback(fileName: string): string {
  const ascii = fileName
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    // Some browsers decode a `%XX` in `filename`, and lax parsers end it at a quote: none of
    // these in the fallback (browsers that read `filename*` get the exact name).
    .replace(/["\\%]/g, "_")
    .trim();
  return ascii || "file";
}

/**
 * `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 / 8187),
 * written by the `content-disposition` library: whatever the name holds (quotes, `;`,
 * `filename*=`, line breaks), it stays one parameter value.
 */
export function contentDisposition(type: "attachment" | "inline", fileName: string): string {
  return create(fileName, { type, fallback: asciiFallback(fileName) });
}

/**
 * The file name of a Content-Disposition header as browsers read it (`filename*` preferred,
 * quoted strings honoured), or undefined.
 */
export function fileNameFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = parse(header).parameters.filename;
  if (value === undefined || value === "") return undefined;
  // Header values arrive as latin1: raw UTF-8 names (as browsers send them) need decoding again.
  if (/[\x80-\xff]/.test(value) && [...value].every((c) => c.charCodeAt(0) <= 0xff)) {
    const utf8 = Buffer.from(value, "latin1").toString("utf8");
    if (!utf8.includes("\ufffd")) return utf8;
  }
  return value;
}
