import type { IncomingMessage } from "node:http";
import { biginErrors } from "./errors.js";
import type { SandboxOAuth } from "./oauth.js";
import type { FileFolder } from "./file-folder.js";
import type { PageTokens } from "./page-tokens.js";
import type { SandboxResponse } from "./respond.js";
import { type ScopedOperation, type TokenTable, isOperationAllowed } from "./scopes.js";
import type { SandboxStore } from "./store.js";

/** What every route can use. */
export interface SandboxState {
  store: SandboxStore;
  tokens: TokenTable;
  pageTokens: PageTokens;
  now: () => number;
  /** The accounts server behind `POST /oauth/v2/token`. */
  oauth?: {
    server: SandboxOAuth;
    /** `api_domain` of token answers. */
    apiDomain: () => string;
    onTokenIssued?:
      ((token: string, scopes: readonly string[], expiresAt: number) => void) | undefined;
  };
  /** Where file bytes live on disk. */
  files: FileFolder;
  /** Bigin's attachment size limit (100 MB). */
  maxAttachmentBytes: number;
}

export interface RouteContext {
  req: IncomingMessage;
  method: string;
  path: string;
  /** Decoded `:name` segments of the route pattern. */
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string>>;
  /** The token's scopes, for routes with an `operation`; [] otherwise. */
  scopes: readonly string[];
  state: SandboxState;
}

export interface RouteHandler {
  /** When set, the router demands a valid token with the scopes of this operation. */
  operation?: ScopedOperation;
  handle(ctx: RouteContext): SandboxResponse | Promise<SandboxResponse>;
}

export interface Route {
  /** e.g. "/bigin/v2/:module/:recordId/Attachments"; `:name` matches one segment. */
  pattern: string;
  /** When set, `:module` must be one of these, else INVALID_MODULE. */
  modules?: readonly string[];
  /** Handlers by upper-case HTTP method; another method gets INVALID_REQUEST_METHOD. */
  methods: Partial<Record<string, RouteHandler>>;
}

/** A route param the pattern guarantees; a missing one is a bug in the route table. */
export function param(ctx: RouteContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route ${ctx.path} has no :${name}`);
  return value;
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.replace(/\/+$/, "").split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const actual = got[i] ?? "";
    if (segment.startsWith(":")) {
      if (actual === "") return undefined;
      try {
        params[segment.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (segment !== actual) {
      return undefined;
    }
  }
  return params;
}

/** The scopes of the `Authorization: Zoho-oauthtoken <token>` header, or Bigin's 401. */
function authenticate(header: string | undefined, state: SandboxState): readonly string[] {
  const match = /^(\S+)\s+(\S+)$/.exec(header?.trim() ?? "");
  if (match === null || match[1]?.toLowerCase() !== "zoho-oauthtoken") {
    throw biginErrors.authenticationFailure();
  }
  const found = state.tokens.lookup(match[2] ?? "", state.now());
  if (found.kind !== "valid") throw biginErrors.invalidToken();
  return found.scopes;
}

/**
 * Answers one Bigin API request from the route table, checking path, method, module, token and
 * scope in that order. Throws BiginHttpError for Bigin's errors (the caller writes them).
 */
export async function route(
  routes: readonly Route[],
  ctx: Omit<RouteContext, "params" | "scopes">,
): Promise<SandboxResponse> {
  for (const candidate of routes) {
    const params = matchPattern(candidate.pattern, ctx.path);
    if (params === undefined) continue;
    const handler = candidate.methods[ctx.method.toUpperCase()];
    if (handler === undefined) throw biginErrors.invalidRequestMethod();
    const module = params.module;
    if (candidate.modules !== undefined && !candidate.modules.includes(module ?? "")) {
      throw biginErrors.invalidModule();
    }
    let scopes: readonly string[] = [];
    if (handler.operation !== undefined) {
      scopes = authenticate(ctx.req.headers.authorization, ctx.state);
      if (!isOperationAllowed(scopes, handler.operation, module ?? "")) {
        throw biginErrors.scopeMismatch();
      }
    }
    return handler.handle({ ...ctx, params, scopes });
  }
  throw biginErrors.invalidUrlPattern();
}
