import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { CONTROL_PREFIX, handleControl } from "./control.js";
import { BiginErrorCode, BiginHttpError, biginErrors } from "./errors.js";
import { type FaultInjector, FaultRules } from "./faults.js";
import {
  DEFAULT_OAUTH_CLIENTS,
  type OAuthThrottle,
  SandboxOAuth,
  type SandboxOAuthClient,
  ZOHO_TOKEN_THROTTLE,
} from "./oauth.js";
import { FileFolder } from "./file-folder.js";
import { PageTokens } from "./page-tokens.js";
import { RequestLog, type SandboxRequest } from "./request-log.js";
import { errorResponse, faultResponse, isGone, sleep, writeResponse } from "./respond.js";
import { type SandboxState, route } from "./router.js";
import { createRoutes } from "./routes/index.js";
import { DEFAULT_TOKENS, TokenTable } from "./scopes.js";
import { seedDemoData, seedDemoPhotos } from "./seed.js";
import { SandboxStore } from "./store.js";

export type { SandboxRequest } from "./request-log.js";

export interface StartSandboxOptions {
  /** Default 0 (a random free port). */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Extra token → scopes entries, merged over DEFAULT_TOKENS. */
  tokens?: Record<string, readonly string[]>;
  /** Default true: load the demo data (seed.ts). */
  seed?: boolean;
  /** Lifetime of page tokens; default 24 h. */
  pageTokenTtlMs?: number;
  /** Requests beyond this many in flight get 429 TOO_MANY_REQUESTS. Default: no limit. */
  maxConcurrency?: number;
  /** OAuth clients of `POST /oauth/v2/token`, merged over DEFAULT_OAUTH_CLIENTS (the demo client). */
  oauthClients?: readonly SandboxOAuthClient[];
  /** `expires_in` of issued access tokens, in seconds; default 3600. */
  accessTokenTtlSeconds?: number;
  /** `api_domain` of token answers; default this sandbox's URL. */
  oauthApiDomain?: string;
  /** New access tokens per refresh token per window; default Zoho's 10 per 10 minutes. */
  oauthThrottle?: OAuthThrottle;
  /** Called with every access token issued (e.g. to make another sandbox accept it too). */
  onTokenIssued?: (token: string, scopes: readonly string[], expiresAt: number) => void;
  /** Largest attachment accepted, in bytes; default Bigin's 100 MB. */
  maxAttachmentBytes?: number;
}

/** Bigin's attachment size limit (bigin-api.md §3.2). */
export const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;

export interface Sandbox {
  /** "http://127.0.0.1:PORT": the API domain; Bigin's paths live under /bigin/v2. */
  readonly url: string;
  readonly port: number;
  /** Every Bigin API request received (not /__sandbox calls), in arrival order. */
  readonly requests: SandboxRequest[];
  readonly inFlight: number;
  /** Most Bigin API requests in flight at once since the last resetStats(). */
  readonly peakInFlight: number;
  /** Clears `requests` and `peakInFlight`. */
  resetStats(): void;
  readonly faults: FaultInjector;
  readonly store: SandboxStore;
  /** The temp folder holding file bytes; close() removes it. */
  readonly fileFolder: string;
  /** Adds or replaces a token. `expiresAt` is epoch ms. */
  addToken(token: string, scopes: readonly string[], expiresAt?: number): void;
  /** Requests to `POST /oauth/v2/token` received so far (any outcome). */
  readonly tokenRequests: number;
  /** Closes the server and destroys open sockets (hung requests too). */
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function splitUrl(rawUrl: string): { path: string; query: Record<string, string> } {
  const q = rawUrl.indexOf("?");
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const [name, value] of new URLSearchParams(rawUrl.slice(q + 1))) query[name] ??= value;
  }
  return { path: q < 0 ? rawUrl : rawUrl.slice(0, q), query };
}

function checkOptions(options: StartSandboxOptions): void {
  const positive = (name: string, value: number | undefined, min: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
      throw new RangeError(`startSandbox: ${name} must be an integer >= ${min}, got ${value}`);
    }
  };
  positive("maxConcurrency", options.maxConcurrency, 1);
  positive("pageTokenTtlMs", options.pageTokenTtlMs, 1);
  positive("accessTokenTtlSeconds", options.accessTokenTtlSeconds, 1);
  positive("oauthThrottle.limit", options.oauthThrottle?.limit, 0);
  positive("oauthThrottle.windowMs", options.oauthThrottle?.windowMs, 1);
  positive("maxAttachmentBytes", options.maxAttachmentBytes, 1);
}

/** Starts a Bigin sandbox: a real HTTP server speaking Bigin v2 (see bigin-api.md). */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<Sandbox> {
  checkOptions(options);
  const host = options.host ?? "127.0.0.1";
  const store = new SandboxStore();
  const files = await FileFolder.create();
  if (options.seed ?? true) {
    seedDemoData(store);
    await seedDemoPhotos(store, files);
  }
  const tokens = new TokenTable({ ...DEFAULT_TOKENS, ...options.tokens });
  const state: SandboxState = {
    store,
    tokens,
    pageTokens: new PageTokens(options.pageTokenTtlMs ?? DAY_MS),
    now: Date.now,
    files,
    maxAttachmentBytes: options.maxAttachmentBytes ?? MAX_ATTACHMENT_BYTES,
  };
  const oauth = new SandboxOAuth(
    [...DEFAULT_OAUTH_CLIENTS, ...(options.oauthClients ?? [])],
    options.accessTokenTtlSeconds ?? 3600,
    options.oauthThrottle ?? ZOHO_TOKEN_THROTTLE,
  );
  let ownUrl = "";
  state.oauth = {
    server: oauth,
    apiDomain: () => options.oauthApiDomain ?? ownUrl,
    onTokenIssued: options.onTokenIssued,
  };
  const faults = new FaultRules();
  const log = new RequestLog();
  const routes = createRoutes();
  const closing = new AbortController();
  const signal = closing.signal;

  async function answerBiginRequest(
    req: IncomingMessage,
    res: ServerResponse,
    entry: SandboxRequest,
    end: () => void,
  ): Promise<void> {
    if (options.maxConcurrency !== undefined && log.inFlight > options.maxConcurrency) {
      entry.status = 429;
      return writeResponse(res, errorResponse(biginErrors.tooManyRequests()), { signal });
    }
    const fault = faults.take(entry.method, entry.path);
    if (fault?.latencyMs !== undefined) await sleep(fault.latencyMs, signal);
    if (isGone(res, signal)) return;
    if (fault?.reset) {
      req.socket.resetAndDestroy();
      return end();
    }
    if (fault?.hang) return;

    let response = fault === undefined ? undefined : faultResponse(fault);
    if (response === undefined) {
      try {
        response = await route(routes, {
          req,
          method: entry.method,
          path: entry.path,
          query: entry.query,
          state,
        });
      } catch (error) {
        if (!(error instanceof BiginHttpError)) {
          process.stderr.write(`bigin sandbox: unexpected error: ${String(error)}\n`);
        }
        response = errorResponse(
          error instanceof BiginHttpError
            ? error
            : new BiginHttpError(500, BiginErrorCode.INTERNAL_ERROR, "Internal Server Error"),
        );
      }
    }
    if (fault?.headers !== undefined) {
      response = { ...response, headers: { ...response.headers, ...fault.headers } };
    }
    if (isGone(res, signal)) return;
    entry.status = response.status;
    await writeResponse(res, response, { slowBodyMs: fault?.slowBodyMs, signal });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const { path, query } = splitUrl(req.url ?? "/");
    if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
      const response = await handleControl(req, method, path, { log, faults });
      return writeResponse(res, response, { signal });
    }
    const { entry, end } = log.begin({
      method,
      path,
      query,
      authorization: req.headers.authorization,
    });
    res.on("close", end);
    await answerBiginRequest(req, res, entry, end);
    if (res.writableEnded) end();
    // An answer given before the body was read (e.g. a refused upload): drain the rest.
    if (!req.readableEnded) req.resume();
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      process.stderr.write(`bigin sandbox: ${String(error)}\n`);
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await files.remove();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  ownUrl = url;
  let closed: Promise<void> | undefined;

  return {
    url,
    port,
    get requests() {
      return log.requests;
    },
    get inFlight() {
      return log.inFlight;
    },
    get peakInFlight() {
      return log.peakInFlight;
    },
    resetStats: () => log.reset(),
    faults,
    store,
    fileFolder: files.dir,
    addToken: (token, scopes, expiresAt) => tokens.set(token, scopes, expiresAt),
    get tokenRequests() {
      return oauth.requests;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => void files.remove().then(resolve, resolve));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
