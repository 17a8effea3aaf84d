import { createHash } from "node:crypto";

/** What a Bigin call is made with. The client never sees where the token came from. */
export interface BiginCredential {
  /** A stable, non-secret key for this credential (a hash): keys caches and concurrency caps. */
  readonly key: string;
  /** The access token and, when the token came with one, the API domain to call. */
  accessToken(): Promise<{ token: string; apiUrl?: string }>;
  /**
   * Called once when Bigin says INVALID_TOKEN, with the token it rejected. Resolves true when a
   * fresh token is now available and the call may be retried; may reject with the error that
   * stopped the refresh. Absent for pass-through tokens.
   */
  onInvalidToken?(rejectedToken?: string): Promise<boolean>;
}

/** Hash of a secret, for keys and logs: never reversible to the token. */
export function tokenKey(token: string): string {
  return createHash("sha256").update(token).digest("base64url").slice(0, 22);
}

/** A token the caller brought in its Authorization header. */
export function passThroughCredential(token: string): BiginCredential {
  const result = { token };
  return { key: tokenKey(token), accessToken: async () => result };
}
