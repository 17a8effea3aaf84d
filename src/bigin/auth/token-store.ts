import { randomUUID } from "node:crypto";
import type { AuthFailure } from "../errors.js";

/** An access token as replicas share it. Times are epoch ms. */
export interface SharedToken {
  token: string;
  apiUrl: string | undefined;
  expiresAt: number;
  /** When to ask for the next one: shortly before expiresAt. */
  refreshAt: number;
}

/**
 * A refresh that Zoho refused, shared so that the other processes back off too instead of each
 * asking again. `message` holds `{retryInSeconds}` where the wait goes; it names what to check,
 * never a secret.
 */
export interface SharedFailure {
  until: number;
  reason: AuthFailure;
  oauthError: string | undefined;
  message: string;
}

/** Releases a refresh lock, if it is still ours. */
export type ReleaseLock = () => Promise<void>;

/**
 * Where the server-held access token is shared between processes, with a short lock so that
 * one of them refreshes while the others wait. Keys are the credential's key (a hash), never a
 * token. Every method rejects when the store cannot be reached; the credential then works alone.
 */
export interface TokenStore {
  read(key: string): Promise<SharedToken | undefined>;
  /** Keeps the token until its expiry. */
  write(key: string, token: SharedToken): Promise<void>;
  /** The failure another process recorded, while it lasts. */
  readFailure(key: string): Promise<SharedFailure | undefined>;
  /** Records a failure until `failure.until`. */
  writeFailure(key: string, failure: SharedFailure): Promise<void>;
  /** Takes the refresh lock for `ttlMs`; resolves its release, or undefined when another holds it. */
  lock(key: string, ttlMs: number): Promise<ReleaseLock | undefined>;
}

/** A TokenStore within one process (credentials sharing a process, and tests). */
export class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, SharedToken>();
  private readonly failures = new Map<string, SharedFailure>();
  private readonly locks = new Map<string, { owner: string; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async read(key: string): Promise<SharedToken | undefined> {
    const token = this.tokens.get(key);
    if (token && this.now() >= token.expiresAt) this.tokens.delete(key);
    return this.tokens.get(key);
  }

  async write(key: string, token: SharedToken): Promise<void> {
    this.tokens.set(key, { ...token });
  }

  async readFailure(key: string): Promise<SharedFailure | undefined> {
    const failure = this.failures.get(key);
    if (failure && this.now() >= failure.until) this.failures.delete(key);
    return this.failures.get(key);
  }

  async writeFailure(key: string, failure: SharedFailure): Promise<void> {
    this.failures.set(key, { ...failure });
  }

  async lock(key: string, ttlMs: number): Promise<ReleaseLock | undefined> {
    const held = this.locks.get(key);
    if (held && this.now() < held.until) return undefined;
    const owner = randomUUID();
    this.locks.set(key, { owner, until: this.now() + ttlMs });
    return async () => {
      if (this.locks.get(key)?.owner === owner) this.locks.delete(key);
    };
  }
}
