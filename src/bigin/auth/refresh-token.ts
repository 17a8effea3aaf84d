import axios, { isAxiosError } from "axios";
import type { Logger } from "../../logger.js";
import { redactUrl } from "../../redact.js";
import { type BiginCredential, tokenKey } from "../credential.js";
import { type AuthFailure, BiginAuthError } from "../errors.js";
import type { SharedFailure, SharedToken, TokenStore } from "./token-store.js";

export interface RefreshTokenOptions {
  /** Zoho's accounts domain for the data centre, e.g. https://accounts.zoho.eu. */
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  logger: Logger;
  /** Time limit of one token request (default 15 s). */
  timeoutMs?: number;
  /** Token requests allowed per window (default Zoho's 10 per 10 minutes). */
  throttle?: { limit: number; windowMs: number };
  now?: () => number;
  /** Told of each access token obtained (e.g. to count refreshes in metrics). */
  onRefresh?: () => void;
  /**
   * Shares the access token with other processes (Redis with REDIS_URL): one of them refreshes
   * under a lock while the others wait for the token it stores. Without it, one refresh per
   * process.
   */
  store?: TokenStore | undefined;
  /** Told when the store fails and this process refreshes on its own. */
  onStoreError?: (error: unknown) => void;
  /** Lifetime of the store's refresh lock, and the longest wait for its holder (default time-out + 5 s). */
  storeLockMs?: number;
}

type HeldToken = SharedToken;

interface Block {
  until: number;
  reason: AuthFailure;
  oauthError: string | undefined;
  message: (retryInSeconds: number | string) => string;
}

const TEN_MINUTES = 10 * 60 * 1000;
/** How often a process waiting for another's refresh looks for the stored token. */
const STORE_POLL_MS = 50;
const MAX_REFRESH_MARGIN_MS = 60_000;
const DEFAULT_LIFETIME_SECONDS = 3600;
/** How long to wait before asking again after a failure; doubles with each one in a row. */
const BACKOFF: Record<AuthFailure, { firstMs: number; maxMs: number }> = {
  rejected: { firstMs: 5_000, maxMs: 5 * 60_000 },
  throttled: { firstMs: 60_000, maxMs: TEN_MINUTES },
  unavailable: { firstMs: 1_000, maxMs: 60_000 },
};
const CHECK = {
  client:
    "check BIGIN_CLIENT_ID and BIGIN_CLIENT_SECRET, and that BIGIN_DC (or BIGIN_ACCOUNTS_URL) is the data centre the client belongs to",
  refreshToken:
    "check BIGIN_REFRESH_TOKEN (revoked, mistyped, or issued to another client) and that BIGIN_DC (or BIGIN_ACCOUNTS_URL) is its data centre",
  all: "check BIGIN_CLIENT_ID, BIGIN_CLIENT_SECRET, BIGIN_REFRESH_TOKEN and BIGIN_DC (or BIGIN_ACCOUNTS_URL)",
};

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** A number, or a string of digits, as Zoho sends either. */
function count(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  if (typeof value === "string" && /^\d+$/.test(value) && Number(value) > 0) return Number(value);
  return undefined;
}

/**
 * The access token's lifetime: `expires_in_sec` when present (older Zoho services, which then
 * send `expires_in` in milliseconds), else `expires_in` (read as milliseconds when longer than a
 * day), else an hour.
 */
export function lifetimeSeconds(body: Record<string, unknown>): number {
  const inSeconds = count(body.expires_in_sec);
  if (inSeconds !== undefined) return inSeconds;
  const raw = count(body.expires_in);
  if (raw === undefined) return DEFAULT_LIFETIME_SECONDS;
  return raw > 86_400 ? raw / 1000 : raw;
}

function apiDomain(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:"
      ? value.replace(/\/+$/, "")
      : undefined;
  } catch {
    return undefined;
  }
}

/** Zoho's `error` value, if it is the short code it should be (never echo anything else). */
function errorCode(value: unknown): string | undefined {
  return typeof value === "string" && /^[\w .-]{1,64}$/.test(value) ? value : undefined;
}

function isThrottle(body: Record<string, unknown>, error: string): boolean {
  const description = typeof body.error_description === "string" ? body.error_description : "";
  return /access.denied/i.test(error) || /too many requests/i.test(description);
}

/**
 * The server-held credential (design.md §5): access tokens from
 * `POST {accounts}/oauth/v2/token` with the refresh token. One refresh in flight at a time,
 * ahead of expiry and once when Bigin says INVALID_TOKEN; `api_domain` is adopted. After a
 * failure it backs off (and says so in the log) instead of asking again per request, and it
 * never asks more often than Zoho's throttle allows. Errors are BiginAuthError; no secret or
 * token ever reaches an error or the log.
 */
export class RefreshTokenCredential implements BiginCredential {
  readonly key: string;
  private held: HeldToken | undefined;
  private inflight: Promise<HeldToken> | undefined;
  private block: Block | undefined;
  private failuresInARow = 0;
  /** When we asked for a token, within the throttle window. */
  private asked: number[] = [];
  private readonly now: () => number;
  private readonly throttle: { limit: number; windowMs: number };

  constructor(private readonly options: RefreshTokenOptions) {
    this.key = `oauth:${tokenKey(`${options.clientId}\n${options.refreshToken}`)}`;
    this.now = options.now ?? Date.now;
    this.throttle = options.throttle ?? { limit: 10, windowMs: TEN_MINUTES };
  }

  async accessToken(): Promise<{ token: string; apiUrl?: string }> {
    const held = this.held;
    if (held && this.now() < held.refreshAt) return view(held);
    try {
      return view(await this.refresh());
    } catch (error) {
      // Only due for renewal, not expired: keep using it while Zoho says no.
      const still = this.held;
      if (still && this.now() < still.expiresAt) return view(still);
      throw error;
    }
  }

  /** Refreshes once for a token Bigin rejected; rejects with BiginAuthError when it cannot. */
  async onInvalidToken(rejectedToken?: string): Promise<boolean> {
    if (this.inflight) {
      await this.inflight;
      return true;
    }
    const held = this.held;
    // Another call already replaced the token this one was rejected with.
    if (held && rejectedToken !== undefined && held.token !== rejectedToken) return true;
    this.held = undefined;
    await this.refresh(rejectedToken ?? held?.token);
    return true;
  }

  /** One refresh in flight in this process; with a store, one across the processes sharing it. */
  private refresh(rejectedToken?: string): Promise<HeldToken> {
    const store = this.options.store;
    this.inflight ??= (
      store ? this.refreshShared(store, rejectedToken) : this.fetchToken()
    ).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Takes a token another process stored, or takes the store's lock and refreshes, or waits
   * (polling, up to the lock's lifetime) for the holder's token. When the store fails, or the
   * holder takes too long, this process refreshes on its own.
   */
  private async refreshShared(store: TokenStore, rejectedToken?: string): Promise<HeldToken> {
    const key = this.key;
    const lockMs = this.options.storeLockMs ?? (this.options.timeoutMs ?? 15_000) + 5_000;
    const usable = (stored: SharedToken | undefined) =>
      stored && stored.token !== rejectedToken && this.now() < stored.refreshAt
        ? stored
        : undefined;
    const deadline = Date.now() + lockMs;
    try {
      for (;;) {
        const stored = usable(await store.read(key));
        if (stored) return this.adopt(stored);
        const failure = await store.readFailure(key);
        if (failure && this.now() < failure.until) throw this.adoptFailure(failure);
        const release = await store.lock(key, lockMs);
        if (release) return await this.refreshUnderLock(store, release, usable);
        if (Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, STORE_POLL_MS));
      }
      this.options.logger.warn(
        "another process has held the token refresh lock too long; refreshing here",
      );
    } catch (error) {
      if (error instanceof BiginAuthError) throw error;
      this.options.onStoreError?.(error);
    }
    return this.fetchToken();
  }

  private async refreshUnderLock(
    store: TokenStore,
    release: () => Promise<void>,
    usable: (stored: SharedToken | undefined) => SharedToken | undefined,
  ): Promise<HeldToken> {
    try {
      // Another process may have stored one between our look and our lock.
      const stored = usable(await store.read(this.key));
      if (stored) return this.adopt(stored);
      let held: HeldToken;
      try {
        held = await this.fetchToken();
      } catch (error) {
        // Zoho said no: the other processes back off for as long as this one does.
        const block = this.block;
        if (error instanceof BiginAuthError && block) {
          await store.writeFailure(this.key, shareable(block)).catch((storeError: unknown) => {
            this.options.onStoreError?.(storeError);
          });
        }
        throw error;
      }
      await store.write(this.key, held).catch((error: unknown) => {
        this.options.onStoreError?.(error);
      });
      return held;
    } finally {
      await release().catch((error: unknown) => {
        this.options.onStoreError?.(error);
      });
    }
  }

  /** Backs off as another process does after Zoho refused it; no token request is made. */
  private adoptFailure(failure: SharedFailure): BiginAuthError {
    this.block = {
      until: failure.until,
      reason: failure.reason,
      oauthError: failure.oauthError,
      message: (s) => failure.message.replaceAll(RETRY_IN, String(s)),
    };
    this.options.logger.debug(
      { oauth: { reason: failure.reason } },
      "another process could not refresh the Bigin access token; backing off as it does",
    );
    return this.blockedError(this.block, this.now());
  }

  private adopt(stored: SharedToken): HeldToken {
    this.held = { ...stored };
    this.block = undefined;
    this.failuresInARow = 0;
    this.options.logger.debug("using the Bigin access token another process obtained");
    return this.held;
  }

  private async fetchToken(): Promise<HeldToken> {
    const now = this.now();
    if (this.block && now < this.block.until) throw this.blockedError(this.block, now);

    const { limit, windowMs } = this.throttle;
    this.asked = this.asked.filter((at) => now - at < windowMs);
    if (this.asked.length >= limit) {
      const until = (this.asked[0] ?? now) + windowMs;
      throw this.fail(now, {
        until,
        reason: "throttled",
        oauthError: undefined,
        message: (s) =>
          `The server has asked Zoho for ${limit} access tokens in the last ${seconds(windowMs)} s, Zoho's limit for one refresh token; it asks again in ${s} s`,
      });
    }
    this.asked.push(now);

    const body = await this.post(now);
    const token = body.access_token;
    if (typeof token === "string" && token !== "") {
      const lifetimeMs = lifetimeSeconds(body) * 1000;
      const apiUrl = apiDomain(body.api_domain);
      if (apiUrl !== undefined && apiUrl !== this.held?.apiUrl) {
        this.options.logger.info({ apiDomain: apiUrl }, "Zoho names the Bigin API domain");
      }
      this.options.logger.info(
        { expiresInSeconds: Math.round(lifetimeMs / 1000) },
        "obtained a Bigin access token with the refresh token",
      );
      this.block = undefined;
      this.failuresInARow = 0;
      this.options.onRefresh?.();
      this.held = {
        token,
        apiUrl,
        expiresAt: now + lifetimeMs,
        refreshAt: now + lifetimeMs - Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 10),
      };
      return this.held;
    }

    const error = errorCode(body.error);
    if (error !== undefined && isThrottle(body, error)) {
      throw this.fail(now, {
        until: now + this.backoffMs("throttled"),
        reason: "throttled",
        oauthError: error,
        message: (s) =>
          `Zoho is throttling new access tokens for the server's refresh token (at most 10 per 10 minutes); the server asks again in ${s} s`,
      });
    }
    const check =
      error === "invalid_code"
        ? CHECK.refreshToken
        : error === "invalid_client" || error === "invalid_client_secret"
          ? CHECK.client
          : CHECK.all;
    const what = error === undefined ? "answered without an access token" : `refused (${error})`;
    throw this.fail(now, {
      until: now + this.backoffMs("rejected"),
      reason: "rejected",
      oauthError: error,
      message: () =>
        `Zoho's accounts server ${what} when the server refreshed its Bigin access token: ${check}`,
    });
  }

  /** One token request; resolves with the JSON object Zoho answered, whatever its status. */
  private async post(now: number): Promise<Record<string, unknown>> {
    const { accountsUrl, clientId, clientSecret, refreshToken } = this.options;
    const unavailable = (detail: string) =>
      this.fail(now, {
        until: now + this.backoffMs("unavailable"),
        reason: "unavailable",
        oauthError: undefined,
        message: () =>
          `Could not get a Bigin access token from Zoho's accounts server at ${redactUrl(accountsUrl)} (${detail}): check BIGIN_DC (or BIGIN_ACCOUNTS_URL) and the network`,
      });
    let status: number;
    let text: string;
    try {
      const response = await axios.post<string>(
        `${accountsUrl}/oauth/v2/token`,
        new URLSearchParams({
          grant_type: "refresh_token",
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: refreshToken,
        }).toString(),
        {
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json",
          },
          timeout: this.options.timeoutMs ?? 15_000,
          validateStatus: () => true,
          maxRedirects: 0,
          proxy: false,
          responseType: "text",
          transitional: { silentJSONParsing: false, forcedJSONParsing: false },
        },
      );
      status = response.status;
      text = typeof response.data === "string" ? response.data : "";
    } catch (error) {
      // Never pass the axios error on: its config holds the form body with the secrets.
      const code = isAxiosError(error) ? error.code : undefined;
      throw unavailable(code ?? "no answer");
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (typeof body !== "object" || body === null || Array.isArray(body) || status >= 500) {
      throw unavailable(`HTTP ${status} without Zoho's JSON`);
    }
    return body as Record<string, unknown>;
  }

  private backoffMs(reason: AuthFailure): number {
    const { firstMs, maxMs } = BACKOFF[reason];
    return Math.min(maxMs, firstMs * 2 ** Math.min(this.failuresInARow, 20));
  }

  /** Records a failure: no token request until `block.until`; logs it once. */
  private fail(now: number, block: Block): BiginAuthError {
    this.block = block;
    this.failuresInARow += 1;
    const retryInSeconds = seconds(block.until - now);
    this.options.logger.warn(
      {
        oauth: {
          reason: block.reason,
          ...(block.oauthError !== undefined && { error: block.oauthError }),
          retryInSeconds,
        },
      },
      `could not refresh the Bigin access token; backing off for ${retryInSeconds} s`,
    );
    return this.blockedError(block, now);
  }

  private blockedError(block: Block, now: number): BiginAuthError {
    const retryAfterSeconds = seconds(block.until - now);
    return new BiginAuthError(
      block.reason,
      block.message(retryAfterSeconds),
      block.oauthError,
      block.reason === "rejected" ? undefined : retryAfterSeconds,
    );
  }
}

const RETRY_IN = "{retryInSeconds}";

function shareable(block: Block): SharedFailure {
  return {
    until: block.until,
    reason: block.reason,
    oauthError: block.oauthError,
    message: block.message(RETRY_IN),
  };
}

function view(held: HeldToken): { token: string; apiUrl?: string } {
  return held.apiUrl === undefined
    ? { token: held.token }
    : { token: held.token, apiUrl: held.apiUrl };
}

export function createRefreshTokenCredential(options: RefreshTokenOptions): RefreshTokenCredential {
  return new RefreshTokenCredential(options);
}
