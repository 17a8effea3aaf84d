import { describe, expect, it } from "vitest";
import { createSignedUrls } from "../../src/http/signed-urls.js";
import { contentDisposition, fileNameFrom } from "../../src/http/content-disposition.js";
import { createLogger } from "../../src/logger.js";

const PATH = "/files/Contacts/2034020000000100001/photo";
const SECRET = "x".repeat(40);

function signer(now = () => 1_800_000_000_000, secret: string | null = SECRET) {
  const lines: string[] = [];
  const logger = createLogger("warn", { write: (line: string) => void lines.push(line) });
  return {
    lines,
    urls: createSignedUrls({
      secret: secret ?? undefined,
      publicUrl: () => "https://api.example",
      logger,
      now,
    }),
  };
}

const query = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe("createSignedUrls", () => {
  it("makes an absolute link under PUBLIC_URL that verifies for its path and gives the token back", () => {
    const { urls } = signer();
    const url = urls.sign(PATH, "secret-token");
    expect(url.startsWith(`https://api.example${PATH}?`)).toBe(true);
    expect(url).not.toContain("secret-token");
    expect(urls.verify(PATH, query(url))).toEqual({ ok: true, token: "secret-token" });
  });

  it("refuses another path, a changed expiry or credential, and a link of another key", () => {
    const { urls } = signer();
    const url = urls.sign(PATH, "t");
    const q = query(url);
    expect(urls.verify(PATH.replace("100001", "100002"), q)).toMatchObject({
      ok: false,
      reason: "invalid",
    });
    expect(urls.verify(PATH, { ...q, expires: String(Number(q.expires) + 1) })).toMatchObject({
      ok: false,
    });
    const cred = q.cred!;
    // A character in the middle (every bit of it counts, unlike the last one's padding bits),
    // changed to a different one.
    const at = Math.floor(cred.length / 2);
    const flipped = cred.slice(0, at) + (cred[at] === "A" ? "B" : "A") + cred.slice(at + 1);
    expect(flipped).not.toBe(cred);
    expect(urls.verify(PATH, { ...q, cred: flipped })).toMatchObject({
      ok: false,
      reason: "invalid",
    });
    expect(signer(undefined, "y".repeat(40)).urls.verify(PATH, q)).toMatchObject({
      ok: false,
      reason: "invalid",
    });
    expect(urls.verify(PATH, {})).toMatchObject({ ok: false, reason: "missing" });
  });

  it("expires after a few minutes", () => {
    let now = 1_800_000_000_000;
    const { urls } = signer(() => now);
    const q = query(urls.sign(PATH, undefined));
    now += 4 * 60_000;
    expect(urls.verify(PATH, q)).toEqual({ ok: true, token: undefined });
    now += 2 * 60_000;
    expect(urls.verify(PATH, q)).toMatchObject({ ok: false, reason: "expired" });
  });

  it("warns, without the key, when DOWNLOAD_URL_SECRET is unset", () => {
    const { lines, urls } = signer(undefined, null);
    expect(lines.join("")).toMatch(/replicas must share/);
    const url = urls.sign(PATH, "t");
    expect(urls.verify(PATH, query(url))).toMatchObject({ ok: true });
  });
});

describe("fileNameFrom and contentDisposition", () => {
  it("reads RFC 5987 names, quoted names and raw UTF-8 names", () => {
    expect(fileNameFrom(`attachment; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf`)).toBe("Grüße.pdf");
    expect(fileNameFrom(`attachment; filename="a \\"b\\".txt"`)).toBe('a "b".txt');
    const raw = Buffer.from('attachment; filename="Grüße.pdf"', "utf8").toString("latin1");
    expect(fileNameFrom(raw)).toBe("Grüße.pdf");
    expect(fileNameFrom(undefined)).toBeUndefined();
  });

  it("writes an ASCII fallback and the exact UTF-8 name", () => {
    expect(contentDisposition("attachment", 'Ünïcode "quote".pdf')).toBe(
      `attachment; filename="Unicode _quote_.pdf"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22quote%22.pdf`,
    );
  });
});
