/** What Bigin accepts as a record photo, told by the file's first bytes (not its name). */
export interface ImageInfo {
  contentType: "image/png" | "image/jpeg" | "image/gif" | "image/bmp";
  /** Pixel dimensions when the header says them. */
  width?: number;
  height?: number;
}

function jpegSize(head: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < head.length) {
    if (head[i] !== 0xff) return undefined;
    const marker = head[i + 1] ?? 0;
    const length = head.readUInt16BE(i + 2);
    // SOF0..SOF15 carry the size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: head.readUInt16BE(i + 5), width: head.readUInt16BE(i + 7) };
    }
    i += 2 + length;
  }
  return undefined;
}

/** The image type and size from a file's first bytes; undefined when it is none of Bigin's types. */
export function imageInfo(head: Buffer): ImageInfo | undefined {
  if (head.length >= 24 && head.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex"))) {
    return {
      contentType: "image/png",
      width: head.readUInt32BE(16),
      height: head.readUInt32BE(20),
    };
  }
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return { contentType: "image/jpeg", ...jpegSize(head) };
  }
  if (head.length >= 10 && /^GIF8[79]a$/.test(head.subarray(0, 6).toString("latin1"))) {
    return { contentType: "image/gif", width: head.readUInt16LE(6), height: head.readUInt16LE(8) };
  }
  if (head.length >= 26 && head.subarray(0, 2).toString("latin1") === "BM") {
    return {
      contentType: "image/bmp",
      width: Math.abs(head.readInt32LE(18)),
      height: Math.abs(head.readInt32LE(22)),
    };
  }
  return undefined;
}
