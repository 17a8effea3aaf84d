import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import type { Logger } from "../logger.js";

/** How long a signed link works. */
export const SIGNED_URL_TTL_SECONDS = 5 * 60;

export type Verified =
  | { ok: true; token: string | undefined }
  | { ok: false; reason: "missing" | "invalid" | "expired" };

/** A signed link and the moment it stops working. */
export interface SignedLink {
  url: string;
  /** Epoch milliseconds (a whole second): the link is refused from then on. */
  expiresAt: number;
}

export interface SignedUrls {
  /**
   * The absolute URL (PUBLIC_URL + `path`) that serves `path` without any header until it
   * expires; `token`, when given, travels sealed (AES-256-GCM) and bound to this path.
   */
  sign(path: string, token: string | undefined): string;
  /** As `sign`, with the link's expiry. */
  link(path: string, token: string | undefined): SignedLink;
  /** Checks the `expires`, `sig` and `cred` parameters of a request for `path`. Never throws. */
  verify(path: string, query: Record<string, unknown>): Verified;
}

export interface SignedUrlOptions {
  /** DOWNLOAD_URL_SECRET; when absent a random key is made, valid for this process only. */
  secret: string | undefined;
  /** PUBLIC_URL, read when a link is made (known only once the server listens on port 0). */
  publicUrl: () => string;
  logger: Logger;
  ttlSeconds?: number;
  now?: () => number;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

const derive = (master: Buffer, purpose: string) =>
  Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `bigin-download-url/${purpose}`, 32));

/** Signed, expiring download links (design.md §4). The keys never leave this closure. */
export function createSignedUrls(options: SignedUrlOptions): SignedUrls {
  if (options.secret === undefined) {
    options.logger.warn(
      "DOWNLOAD_URL_SECRET is not set: download links are signed with a random key of this process; replicas must share one secret, or links from one will fail on another",
    );
  }
  const master = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret);
  const macKey = derive(master, "hmac");
  const sealKey = derive(master, "seal");
  const ttl = options.ttlSeconds ?? SIGNED_URL_TTL_SECONDS;
  const now = options.now ?? Date.now;

  const mac = (path: string, expires: string, cred: string) =>
    createHmac("sha256", macKey).update(`${path}\n${expires}\n${cred}`).digest();

  function seal(token: string, path: string, expires: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", sealKey, iv);
    cipher.setAAD(Buffer.from(`${path}\n${expires}`));
    const sealed = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString("base64url");
  }

  function unseal(value: string, path: string, expires: string): string | undefined {
    try {
      const raw = Buffer.from(value, "base64url");
      if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
      const decipher = createDecipheriv("aes-256-gcm", sealKey, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(`${path}\n${expires}`));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return plain.toString("utf8");
    } catch {
      return undefined;
    }
  }

  function link(path: string, token: string | undefined): SignedLink {
    const expiresAt = Math.floor(now() / 1000) + ttl;
    const expires = String(expiresAt);
    const cred = token === undefined ? "" : seal(token, path, expires);
    const query = new URLSearchParams({ expires });
    if (cred !== "") query.set("cred", cred);
    query.set("sig", mac(path, expires, cred).toString("base64url"));
    return {
      url: `${options.publicUrl()}${path}?${query.toString()}`,
      expiresAt: expiresAt * 1000,
    };
  }

  return {
    link,
    sign: (path, token) => link(path, token).url,
    verify(path, query) {
      const { expires, sig } = query;
      const cred = query.cred ?? "";
      if (expires === undefined && sig === undefined) return { ok: false, reason: "missing" };
      if (typeof expires !== "string" || typeof sig !== "string" || typeof cred !== "string") {
        return { ok: false, reason: "invalid" };
      }
      const want = mac(path, expires, cred);
      const got = Buffer.from(sig, "base64url");
      if (got.length !== want.length || !timingSafeEqual(got, want)) {
        return { ok: false, reason: "invalid" };
      }
      if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now()) {
        return { ok: false, reason: "expired" };
      }
      if (cred === "") return { ok: true, token: undefined };
      const token = unseal(cred, path, expires);
      return token === undefined ? { ok: false, reason: "invalid" } : { ok: true, token };
    },
  };
}
