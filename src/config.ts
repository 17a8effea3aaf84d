import { DATA_CENTRES, isDataCentre, type DataCentre } from "./bigin/data-centres.js";
import { parseCorsOrigins, type CorsOrigins } from "./http/cors-policy.js";
import { redactUrl } from "./redact.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Which credential Bigin calls use: the caller's, the server's, or the caller's when sent. */
export const AUTH_MODES = ["passthrough", "server", "either"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** GRAPHQL_LANDING_PAGE: Apollo Sandbox (GraphiQL when it cannot load), GraphiQL only, or none. */
export type LandingPage = "sandbox" | "offline" | "off";

export interface Config {
  port: number;
  host: string | undefined;
  /** Base of the absolute links this server hands out; no trailing slash. */
  publicUrl: string;
  /** Where Bigin is: a data centre's domains, explicit URLs, or the embedded sandbox. */
  upstream:
    | { kind: "bigin"; apiUrl: string; accountsUrl: string; dc: DataCentre | undefined }
    | { kind: "sandbox"; port: number };
  oauth: { clientId: string; clientSecret: string; refreshToken: string } | undefined;
  /** AUTH_MODE: `either` unless set. */
  authMode: AuthMode;
  /** BIGIN_CONCURRENCY: per process, or for the whole deployment with REDIS_URL. */
  concurrency: number;
  /** BIGIN_CONCURRENCY_LOCAL_FALLBACK: calls at once per process while Redis is unreachable. */
  concurrencyLocalFallback: number | undefined;
  /** BIGIN_DAILY_CREDIT_BUDGET: credits over the rolling 24 h past which calls are refused. */
  dailyCreditBudget: number | undefined;
  queueLimit: number;
  timeoutMs: number;
  retries: number;
  maxCallsPerOperation: number;
  /** BIGIN_MAX_NODES_PER_OPERATION: list items (`first` per `edges`/`nodes`) one operation may ask for. */
  maxNodesPerOperation: number;
  downloadUrlSecret: string | undefined;
  /** Largest attachment accepted for upload, in bytes. */
  maxAttachmentBytes: number;
  logLevel: LogLevel;
  introspection: boolean;
  landingPage: LandingPage;
  /** REDIS_URL: shares the access token and the response cache between replicas. */
  redisUrl: string | undefined;
  /** ATTACHMENT_CACHE_TTL_SECONDS: how long attachment pages are cached; 0 (default) is off. */
  attachmentCacheTtlSeconds: number;
  /** CORS_ORIGINS: `*` or the origins allowed; unset, the default depends on the credential. */
  corsOrigins: CorsOrigins | undefined;
  /** How slowly a request body may arrive before it is cut off with 408. */
  requestBody: {
    /**
     * REQUEST_IDLE_TIMEOUT_MS: the longest pause, and the stretch the rate is measured over;
     * also the longest an answer may wait for the client to take any of it.
     */
    idleTimeoutMs: number;
    /** REQUEST_MIN_BYTES_PER_SECOND: the least average rate over each such stretch; 0: none. */
    minBytesPerSecond: number;
  };
}

/**
 * List items one operation may ask for. A frontend's page of 20 records with 20 attachments each
 * is 400; a gateway's list of 25 records with a full page (200) each is 5000.
 */
const DEFAULT_MAX_NODES = 5000;

/** Thrown when the environment holds values we cannot run with; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Reads and validates the environment (design.md §7). Throws ConfigError naming each bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(
        `${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`,
      );
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean, expected = "true or false") => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["true", "1", "yes", "on"].includes(raw)) return true;
    if (["false", "0", "no", "off"].includes(raw)) return false;
    problems.push(`${name}=${JSON.stringify(raw)}: expected ${expected}`);
    return fallback;
  };
  const url = (name: string) => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
      return raw.replace(/\/+$/, "");
    } catch {
      problems.push(`${name}=${JSON.stringify(redactUrl(raw))}: expected an absolute http(s) URL`);
      return undefined;
    }
  };

  const port = int("PORT", 4000, 0, 65535);
  const production = read("NODE_ENV") === "production";

  const dcRaw = read("BIGIN_DC")?.toLowerCase();
  let dc: DataCentre | undefined;
  if (dcRaw !== undefined) {
    if (isDataCentre(dcRaw)) dc = dcRaw;
    else
      problems.push(
        `BIGIN_DC=${JSON.stringify(dcRaw)}: expected one of ${Object.keys(DATA_CENTRES).join(", ")}`,
      );
  }
  const apiUrl = url("BIGIN_API_URL");
  // The HTTP client would send a URL's user and password as Basic auth, in place of the
  // Zoho-oauthtoken header every Bigin call needs.
  if (apiUrl !== undefined && /^[a-z]+:\/\/[^/]*@/i.test(apiUrl)) {
    problems.push(
      `BIGIN_API_URL=${JSON.stringify(redactUrl(apiUrl))}: expected no user name or password (Bigin calls carry the access token instead)`,
    );
  }
  const accountsUrl = url("BIGIN_ACCOUNTS_URL");
  const sandboxPort = int("SANDBOX_PORT", 4010, 0, 65535);
  const wantsBigin = dcRaw !== undefined || read("BIGIN_API_URL") !== undefined;
  const upstream: Config["upstream"] = wantsBigin
    ? {
        kind: "bigin",
        dc,
        apiUrl: apiUrl ?? DATA_CENTRES[dc ?? "us"].apiUrl,
        accountsUrl: accountsUrl ?? DATA_CENTRES[dc ?? "us"].accountsUrl,
      }
    : // npm start: a free loopback port unless SANDBOX_PORT pins one.
      { kind: "sandbox", port: read("SANDBOX_PORT") === undefined ? 0 : sandboxPort };

  const clientId = read("BIGIN_CLIENT_ID");
  const clientSecret = read("BIGIN_CLIENT_SECRET");
  const refreshToken = read("BIGIN_REFRESH_TOKEN");
  const oauthSet = [clientId, clientSecret, refreshToken].filter((v) => v !== undefined).length;
  if (oauthSet > 0 && oauthSet < 3) {
    problems.push(
      "BIGIN_CLIENT_ID, BIGIN_CLIENT_SECRET and BIGIN_REFRESH_TOKEN: set all three (refresh-token mode) or none",
    );
  }
  const oauth =
    clientId && clientSecret && refreshToken ? { clientId, clientSecret, refreshToken } : undefined;

  const authModeRaw = read("AUTH_MODE")?.toLowerCase() ?? "either";
  let authMode: AuthMode = "either";
  if ((AUTH_MODES as readonly string[]).includes(authModeRaw)) authMode = authModeRaw as AuthMode;
  else {
    problems.push(
      `AUTH_MODE=${JSON.stringify(authModeRaw)}: expected one of ${AUTH_MODES.join(", ")}`,
    );
  }
  if (authMode === "server" && oauthSet === 0) {
    problems.push(
      "AUTH_MODE=server: needs BIGIN_CLIENT_ID, BIGIN_CLIENT_SECRET and BIGIN_REFRESH_TOKEN",
    );
  }

  const logLevelRaw = read("LOG_LEVEL")?.toLowerCase() ?? "info";
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelRaw)
    ? (logLevelRaw as LogLevel)
    : (problems.push(
        `LOG_LEVEL=${JSON.stringify(logLevelRaw)}: expected one of ${LOG_LEVELS.join(", ")}`,
      ),
      "info" as const);

  const secret = read("DOWNLOAD_URL_SECRET");
  if (secret !== undefined && secret.length < 32) {
    problems.push("DOWNLOAD_URL_SECRET: expected at least 32 characters");
  }

  const redisUrl = read("REDIS_URL");
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) {
    // Never echo the value: it can hold a password.
    problems.push("REDIS_URL: expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379");
  }

  const landingRaw = read("GRAPHQL_LANDING_PAGE")?.toLowerCase();
  const landingPage: LandingPage =
    landingRaw === "offline"
      ? "offline"
      : bool("GRAPHQL_LANDING_PAGE", !production, "true, false or offline")
        ? "sandbox"
        : "off";
  const concurrency = int("BIGIN_CONCURRENCY", 5, 1, 100);
  const optionalInt = (name: string, min: number, max: number) =>
    read(name) === undefined ? undefined : int(name, min, min, max);

  const corsRaw = read("CORS_ORIGINS");
  const cors = corsRaw === undefined ? undefined : parseCorsOrigins(corsRaw);
  if (cors && !cors.ok) problems.push(cors.problem);

  const config: Config = {
    port,
    host: read("HOST"),
    publicUrl: url("PUBLIC_URL") ?? `http://localhost:${port}`,
    upstream,
    oauth,
    authMode,
    concurrency,
    concurrencyLocalFallback: optionalInt("BIGIN_CONCURRENCY_LOCAL_FALLBACK", 1, concurrency),
    dailyCreditBudget: optionalInt("BIGIN_DAILY_CREDIT_BUDGET", 1, 100_000_000),
    queueLimit: int("BIGIN_QUEUE_LIMIT", 1000, 0, 1_000_000),
    timeoutMs: int("BIGIN_TIMEOUT_MS", 15_000, 1, 600_000),
    retries: int("BIGIN_RETRIES", 2, 0, 10),
    maxCallsPerOperation: int("BIGIN_MAX_CALLS_PER_OPERATION", 100, 1, 100_000),
    maxNodesPerOperation: int("BIGIN_MAX_NODES_PER_OPERATION", DEFAULT_MAX_NODES, 1, 1_000_000),
    downloadUrlSecret: secret,
    maxAttachmentBytes: int("BIGIN_MAX_ATTACHMENT_MB", 100, 1, 100_000) * 1024 * 1024,
    logLevel,
    introspection: bool("GRAPHQL_INTROSPECTION", !production),
    landingPage,
    redisUrl,
    attachmentCacheTtlSeconds: int("ATTACHMENT_CACHE_TTL_SECONDS", 0, 0, 86_400),
    corsOrigins: cors?.ok ? cors.origins : undefined,
    requestBody: {
      idleTimeoutMs: int("REQUEST_IDLE_TIMEOUT_MS", 20_000, 100, 600_000),
      minBytesPerSecond: int("REQUEST_MIN_BYTES_PER_SECOND", 1024, 0, 1_000_000_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
