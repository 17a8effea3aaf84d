/**
 * `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 / 5987):
 * every browser gets a usable name and modern ones the exact UTF-8 name.
 */
export function contentDisposition(type: "attachment" | "inline", fileName: string): string {
  const clean = fileName.replace(/[\r\n]/g, " ");
  const ascii = clean
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/["\\%]/g, "_")
    .trim();
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii || "file"}"; filename*=UTF-8''${encoded}`;
}

/** The file name of a Content-Disposition header (`filename*` preferred), or undefined. */
export function fileNameFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const extended = /filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)/i.exec(header);
  if (extended?.[2] !== undefined) {
    try {
      const raw = extended[2].trim();
      return extended[1]?.toLowerCase() === "utf-8"
        ? decodeURIComponent(raw)
        : raw.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
            String.fromCharCode(parseInt(hex, 16)),
          );
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
  const value = plain?.[1]?.replace(/\\(.)/g, "$1") ?? plain?.[2]?.trim();
  if (value === undefined || value === "") return undefined;
  // Header values arrive as latin1: raw UTF-8 names (as browsers send them) need decoding again.
  if (/[\x80-\xff]/.test(value) && [...value].every((c) => c.charCodeAt(0) <= 0xff)) {
    const utf8 = Buffer.from(value, "latin1").toString("utf8");
    if (!utf8.includes("\ufffd")) return utf8;
  }
  return value;
}
