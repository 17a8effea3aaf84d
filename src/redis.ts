import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "./logger.js";

/**
 * The one Redis connection of a process, shared by the token store and the response cache.
 * Redis is an optimisation here, never a dependency: commands fail fast while it is down
 * (no offline queue, short command time-out) and callers fall back to working without it.
 */
export interface SharedRedis {
  readonly client: Redis;
  /** host:port of the server, for logs (never the password). */
  readonly where: string;
  /** "ok" while connected, "down" otherwise. */
  status(): "ok" | "down";
  /**
   * Waits up to `timeoutMs` for the connection (less when it fails outright); resolves whether
   * it is up. Never rejects.
   */
  ready(timeoutMs: number): Promise<boolean>;
  /**
   * Reports a failed command: one warning per outage, naming what falls back, never the
   * command's arguments (they can hold an access token).
   */
  failed(what: string, error: unknown): void;
  /** A Lua script as a function of its keys and then its arguments (EVALSHA, loaded once). */
  script(lua: string, numberOfKeys: number): (...keysThenArgs: string[]) => Promise<unknown>;
  close(): Promise<void>;
}

/** The most a command may take before its caller goes on without Redis. */
const COMMAND_TIMEOUT_MS = 1_000;
/** While Redis stays in trouble, a warning at most this often. */
const WARN_EVERY_MS = 60_000;

function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "6379"}`;
  } catch {
    return "redis";
  }
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // ioredis messages name the host or the reply; cut anything long all the same.
  return message.slice(0, 200);
}

/** Connects to REDIS_URL in the background (reconnecting for ever); see SharedRedis. */
export function connectRedis(url: string, logger: Logger): SharedRedis {
  const where = describe(url);
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
  });
  // When the current trouble was last logged; cleared when the connection is back.
  let warnedAt: number | undefined;
  let wasReady = false;
  const warn = (message: string, error: unknown) => {
    const now = Date.now();
    if (warnedAt !== undefined && now - warnedAt < WARN_EVERY_MS) return;
    warnedAt = now;
    logger.warn({ redis: { at: where, error: reason(error) } }, message);
  };
  client.on("ready", () => {
    logger.info({ redis: { at: where } }, wasReady ? "Redis is back" : "connected to Redis");
    wasReady = true;
    warnedAt = undefined;
  });
  // Without a listener an 'error' event would end the process.
  client.on("error", (error: unknown) => {
    warn("Redis is unreachable: working without it (no shared token, no shared cache)", error);
  });

  return {
    client,
    where,
    status: () => (client.status === "ready" ? "ok" : "down"),
    ready(timeoutMs) {
      if (client.status === "ready") return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          client.off("ready", onReady);
          client.off("error", onError);
          resolve(ok);
        };
        const onReady = () => done(true);
        // Refused or unresolvable: no use waiting for the time-out.
        const onError = () => done(false);
        const timer = setTimeout(() => done(client.status === "ready"), timeoutMs);
        client.on("ready", onReady);
        client.on("error", onError);
      });
    },
    failed(what, error) {
      warn(`Redis command failed: ${what}`, error);
    },
    script(lua, numberOfKeys) {
      const name = `script_${createHash("sha1").update(lua).digest("hex")}`;
      client.defineCommand(name, { lua, numberOfKeys });
      const command = (
        client as unknown as Record<string, (...args: string[]) => Promise<unknown>>
      )[name]!.bind(client);
      return (...keysThenArgs) => command(...keysThenArgs);
    },
    async close() {
      if (client.status === "ready") {
        try {
          await client.quit();
          return;
        } catch {
          // Fall through: drop the connection.
        }
      }
      client.disconnect();
    },
  };
}
