import { randomBytes } from "node:crypto";
import type { SharedRedis } from "../../redis.js";
import type { ReleaseLock, SharedFailure, SharedToken, TokenStore } from "./token-store.js";

const PREFIX = "bigin-attachments:token:";

/** Deletes the lock only if it still holds our value (it may have expired and been retaken). */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

function parse(text: string | null): SharedToken | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SharedToken>;
    if (
      typeof value.token === "string" &&
      typeof value.expiresAt === "number" &&
      typeof value.refreshAt === "number"
    ) {
      return {
        token: value.token,
        apiUrl: typeof value.apiUrl === "string" ? value.apiUrl : undefined,
        expiresAt: value.expiresAt,
        refreshAt: value.refreshAt,
      };
    }
  } catch {
    // Not ours, or damaged: as if absent.
  }
  return undefined;
}

const REASONS = new Set(["rejected", "throttled", "unavailable"]);

function parseFailure(text: string | null): SharedFailure | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SharedFailure>;
    if (
      typeof value.until === "number" &&
      typeof value.reason === "string" &&
      REASONS.has(value.reason) &&
      typeof value.message === "string"
    ) {
      return {
        until: value.until,
        reason: value.reason,
        oauthError: typeof value.oauthError === "string" ? value.oauthError : undefined,
        message: value.message,
      };
    }
  } catch {
    // As if absent.
  }
  return undefined;
}

/**
 * The shared access token in Redis: `SET key json PX <lifetime>`; the refresh lock is
 * `SET key:lock <random> NX PX <ttl>`, released by compare-and-delete.
 */
export class RedisTokenStore implements TokenStore {
  private readonly release;

  constructor(private readonly redis: SharedRedis) {
    this.release = redis.script(RELEASE, 1);
  }

  async read(key: string): Promise<SharedToken | undefined> {
    return parse(await this.redis.client.get(PREFIX + key));
  }

  async write(key: string, token: SharedToken): Promise<void> {
    const ttlMs = Math.max(1, Math.floor(token.expiresAt - Date.now()));
    await this.redis.client.set(PREFIX + key, JSON.stringify(token), "PX", ttlMs);
  }

  async readFailure(key: string): Promise<SharedFailure | undefined> {
    return parseFailure(await this.redis.client.get(`${PREFIX}${key}:failure`));
  }

  async writeFailure(key: string, failure: SharedFailure): Promise<void> {
    const ttlMs = Math.floor(failure.until - Date.now());
    if (ttlMs <= 0) return;
    await this.redis.client.set(`${PREFIX}${key}:failure`, JSON.stringify(failure), "PX", ttlMs);
  }

  async lock(key: string, ttlMs: number): Promise<ReleaseLock | undefined> {
    const lockKey = `${PREFIX}${key}:lock`;
    const owner = randomBytes(16).toString("base64url");
    const taken = await this.redis.client.set(lockKey, owner, "PX", Math.max(1, ttlMs), "NX");
    if (taken !== "OK") return undefined;
    return async () => {
      await this.release(lockKey, owner);
    };
  }
}
