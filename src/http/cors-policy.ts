import type { Config } from "../config.js";

/**
 * Which foreign origins may read this server's answers (CORS), independent of the HTTP framework:
 * the options below use the names that both `cors` (Express) and `@fastify/cors` take.
 */

/** `*` (every origin) or the exact origins allowed, e.g. `["https://app.example.com"]`. */
export type CorsOrigins = "*" | readonly string[];

/** Request headers a browser may send (the preflight lists them). */
export const CORS_ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "x-request-id",
  // Sent by Apollo Client when an app names itself (`clientAwareness`), for usage reporting.
  "apollographql-client-name",
  "apollographql-client-version",
] as const;

/** Response headers page scripts may read, besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  "x-request-id",
  "content-disposition",
  "content-length",
  "retry-after",
] as const;

/** How long a browser may reuse a preflight answer, in seconds (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 7200;

/** `/graphql` answers hold signed links carrying a sealed token: no shared cache may keep them. */
export const GRAPHQL_CACHE_CONTROL = "private, no-store";

const SCHEME = /^[a-z][a-z\d+.-]*:$/;

/** One origin as browsers send it in `Origin` (lower-case host, no default port), or undefined. */
function normaliseOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!SCHEME.test(url.protocol) || url.host === "") return undefined;
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    return undefined;
  }
  if (url.pathname !== "" && url.pathname !== "/") return undefined;
  // `new URL("https://x/")` adds the slash; an origin has none, and one typed in is tolerated.
  if (!/^[a-z][a-z\d+.-]*:\/\/[^/?#]+\/?$/i.test(value)) return undefined;
  // URL.origin is "null" for schemes other than http(s) (e.g. capacitor://localhost).
  return url.protocol === "http:" || url.protocol === "https:"
    ? url.origin
    : `${url.protocol}//${url.host}`;
}

/**
 * Parses `CORS_ORIGINS`: `*`, or comma-separated origins (`scheme://host[:port]`). Never throws:
 * a bad value gives a problem naming the variable, the value and what it accepts.
 */
export function parseCorsOrigins(
  raw: string,
): { ok: true; origins: CorsOrigins } | { ok: false; problem: string } {
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const accepts =
    "expected * or comma-separated origins (scheme://host[:port], no path), e.g. https://app.example.com,http://localhost:5173";
  if (entries.length === 1 && entries[0] === "*") return { ok: true, origins: "*" };
  if (entries.length === 0) {
    return { ok: false, problem: `CORS_ORIGINS=${JSON.stringify(raw)}: ${accepts}` };
  }
  const origins: string[] = [];
  for (const entry of entries) {
    const origin = entry === "*" ? undefined : normaliseOrigin(entry);
    if (origin === undefined) {
      const what = entry === "*" ? "* stands alone" : `${JSON.stringify(entry)} is not an origin`;
      return {
        ok: false,
        problem: `CORS_ORIGINS=${JSON.stringify(raw)}: ${what}; ${accepts}`,
      };
    }
    if (!origins.includes(origin)) origins.push(origin);
  }
  return { ok: true, origins };
}

/** The options `cors` and `@fastify/cors` both accept. */
export interface CorsOptions {
  /**
   * `*`, or the origins to reflect. A list (even an empty one), never `false`: with `false` both
   * libraries skip the preflight answer and leave OPTIONS to the routes (Apollo's CSRF check).
   * With a list they answer it, reflect only a listed Origin and add `Vary: Origin`; `*` needs
   * no Vary (a function here would make @fastify/cors add it to every answer).
   */
  origin: "*" | string[];
  methods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  maxAge: number;
  credentials: false;
  optionsSuccessStatus: 204;
  preflightContinue: false;
}

export interface CorsPolicy {
  origins: CorsOrigins;
  /** True when `CORS_ORIGINS` is unset and the default applies. */
  defaulted: boolean;
  /** Whether a server-held credential answers requests that bring none. */
  serverCredential: boolean;
  options: CorsOptions;
}

/**
 * The CORS policy of a configuration. Without a server-held credential every caller brings its
 * own token, so every origin is allowed by default; with one (refresh-token mode, unless
 * AUTH_MODE=passthrough), any page a user opens could act as the server's Zoho user, so no
 * foreign origin is allowed unless `CORS_ORIGINS` lists it.
 */
export function createCorsPolicy(
  config: Pick<Config, "corsOrigins" | "oauth" | "authMode">,
): CorsPolicy {
  const serverCredential = config.oauth !== undefined && config.authMode !== "passthrough";
  const origins: CorsOrigins = config.corsOrigins ?? (serverCredential ? [] : "*");
  return {
    origins,
    defaulted: config.corsOrigins === undefined,
    serverCredential,
    options: {
      origin: origins === "*" ? "*" : [...origins],
      methods: ["GET", "POST"],
      allowedHeaders: [...CORS_ALLOWED_HEADERS],
      exposedHeaders: [...CORS_EXPOSED_HEADERS],
      maxAge: CORS_MAX_AGE_SECONDS,
      credentials: false,
      optionsSuccessStatus: 204,
      preflightContinue: false,
    },
  };
}
