import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What a page token is bound to: a later request must repeat these exactly. */
export interface PageTokenBinding {
  module: string;
  recordId: string;
  perPage: number;
  /** Sorted, without duplicates. */
  fields: readonly string[];
}

export type PageTokenRead =
  | { kind: "valid"; binding: PageTokenBinding; page: number; expiresAt: number }
  | { kind: "invalid" }
  | { kind: "expired" };

interface Payload {
  m: string;
  r: string;
  pp: number;
  f: string[];
  p: number;
  exp: number;
}

/** Opaque page tokens: base64url(JSON payload) + "." + base64url(HMAC-SHA256), secret per sandbox. */
export class PageTokens {
  private readonly secret = randomBytes(32);

  constructor(
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(binding: PageTokenBinding, page: number): { token: string; expiresAt: number } {
    const expiresAt = this.now() + this.ttlMs;
    const payload: Payload = {
      m: binding.module,
      r: binding.recordId,
      pp: binding.perPage,
      f: [...binding.fields],
      p: page,
      exp: expiresAt,
    };
    const encoded = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return { token: `${encoded}.${this.sign(encoded)}`, expiresAt };
  }

  /** Never throws: a token not issued by this sandbox is "invalid". */
  read(token: string): PageTokenRead {
    const [encoded, signature, extra] = token.split(".");
    if (encoded === undefined || signature === undefined || extra !== undefined) {
      return { kind: "invalid" };
    }
    const expected = Buffer.from(this.sign(encoded));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { kind: "invalid" };
    }
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as Payload;
    } catch {
      return { kind: "invalid" };
    }
    if (payload.exp <= this.now()) return { kind: "expired" };
    return {
      kind: "valid",
      binding: { module: payload.m, recordId: payload.r, perPage: payload.pp, fields: payload.f },
      page: payload.p,
      expiresAt: payload.exp,
    };
  }

  private sign(encoded: string): string {
    return createHmac("sha256", this.secret).update(encoded).digest("base64url");
  }
}

export function sameBinding(a: PageTokenBinding, b: PageTokenBinding): boolean {
  return (
    a.module === b.module &&
    a.recordId === b.recordId &&
    a.perPage === b.perPage &&
    a.fields.length === b.fields.length &&
    a.fields.every((field, i) => field === b.fields[i])
  );
}
