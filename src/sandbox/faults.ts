import { BiginErrorCode, biginErrorBody } from "./errors.js";

/** What to do to the Bigin API requests a rule matches. See FaultInjector. */
export interface FaultRule {
  /** Match: the HTTP method, case-insensitive. */
  method?: string;
  /** Match: a string the pathname includes, or a RegExp tested against it. */
  path?: string | RegExp;
  /** How many matching requests it applies to (default: unlimited). */
  times?: number;
  /** The share of matching requests it applies to, from 0 to 1 (default 1): for load tests. */
  probability?: number;
  /** Delay before answering (then answer normally, or with the fault below). */
  latencyMs?: number;
  /** Answer with this status and body (object → JSON; string → raw as is). */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Destroy the socket without any response. */
  reset?: boolean;
  /** Never answer (until the client aborts or the sandbox closes). */
  hang?: boolean;
  /** 200, content-type application/json, a body that is not valid JSON. */
  malformed?: boolean;
  /** Answer `status` (default 502) with an HTML body and text/html. */
  html?: boolean;
  /** Send headers and the first half of the body, wait this long, then the rest. */
  slowBodyMs?: number;
}

export interface FaultInjector {
  /** Adds a rule (rules are tried in the order added; the first match applies). Returns a remover. */
  add(rule: FaultRule): () => void;
  clear(): void;
  /** 429 TOO_MANY_REQUESTS with Bigin's body, and a Retry-After header when `retryAfter` is given. */
  rateLimit(opts?: {
    retryAfter?: number | string;
    times?: number;
    path?: string | RegExp;
  }): () => void;
  /** `status` with Bigin's JSON error body `{code, details, message, status: "error"}`. */
  error(
    status: number,
    code: string,
    opts?: {
      message?: string;
      details?: Record<string, unknown>;
      times?: number;
      path?: string | RegExp;
      method?: string;
    },
  ): () => void;
}

const DEFAULT_MESSAGES: Record<string, string> = {
  [BiginErrorCode.INTERNAL_ERROR]: "Internal Server Error",
  [BiginErrorCode.NO_PERMISSION]: "permission denied",
  [BiginErrorCode.TOO_MANY_REQUESTS]: "Too many requests continuously. Please try again later.",
};

interface ActiveRule {
  id: number;
  rule: FaultRule;
  /** Matches left; Infinity when unlimited. */
  remaining: number;
}

/** The sandbox's fault rules. `take()` is what the server calls per request. */
export class FaultRules implements FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  add(rule: FaultRule): () => void {
    const id = this.addRule(rule);
    return () => {
      this.remove(id);
    };
  }

  /** Adds a rule and returns its id (for the control endpoint). */
  addRule(rule: FaultRule): number {
    const id = this.nextId++;
    this.rules.push({ id, rule: { ...rule }, remaining: rule.times ?? Infinity });
    return id;
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  get size(): number {
    return this.rules.length;
  }

  rateLimit(
    opts: { retryAfter?: number | string; times?: number; path?: string | RegExp } = {},
  ): () => void {
    const code = BiginErrorCode.TOO_MANY_REQUESTS;
    return this.add({
      ...(opts.path !== undefined && { path: opts.path }),
      ...(opts.times !== undefined && { times: opts.times }),
      status: 429,
      body: biginErrorBody(code, DEFAULT_MESSAGES[code] ?? code),
      ...(opts.retryAfter !== undefined && { headers: { "Retry-After": String(opts.retryAfter) } }),
    });
  }

  error(
    status: number,
    code: string,
    opts: {
      message?: string;
      details?: Record<string, unknown>;
      times?: number;
      path?: string | RegExp;
      method?: string;
    } = {},
  ): () => void {
    const message = opts.message ?? DEFAULT_MESSAGES[code] ?? code.toLowerCase().replace(/_/g, " ");
    return this.add({
      ...(opts.path !== undefined && { path: opts.path }),
      ...(opts.method !== undefined && { method: opts.method }),
      ...(opts.times !== undefined && { times: opts.times }),
      status,
      body: biginErrorBody(code, message, opts.details ?? {}),
    });
  }

  /** The first rule matching this request, consuming one of its `times`; undefined if none. */
  take(method: string, pathname: string): FaultRule | undefined {
    const active = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        matches(r.rule, method, pathname) &&
        (r.rule.probability === undefined || Math.random() < r.rule.probability),
    );
    if (active === undefined) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.remove(active.id);
    return active.rule;
  }
}

function matches(rule: FaultRule, method: string, pathname: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (typeof rule.path === "string") return pathname.includes(rule.path);
  if (rule.path instanceof RegExp) {
    rule.path.lastIndex = 0;
    return rule.path.test(pathname);
  }
  return true;
}

/**
 * A FaultRule from JSON (the control endpoint): `path` is a string, or `{"pathRegex": "..."}`
 * (also accepted as a top-level `pathRegex`). Throws with a readable message when malformed.
 */
export function faultRuleFromJson(input: unknown): FaultRule {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new Error("a fault rule is a JSON object");
  }
  const { path, pathRegex, ...rest } = input as Record<string, unknown>;
  const rule: Record<string, unknown> = { ...rest };
  const regexSource =
    typeof path === "object" && path !== null
      ? (path as Record<string, unknown>).pathRegex
      : pathRegex;
  if (regexSource !== undefined) {
    if (typeof regexSource !== "string") throw new Error("pathRegex must be a string");
    rule.path = new RegExp(regexSource);
  } else if (path !== undefined) {
    if (typeof path !== "string") throw new Error('path must be a string or {"pathRegex": "..."}');
    rule.path = path;
  }
  if (
    rule.probability !== undefined &&
    (typeof rule.probability !== "number" || !(rule.probability >= 0 && rule.probability <= 1))
  ) {
    throw new Error("probability must be a number from 0 to 1");
  }
  const numbers = ["times", "latencyMs", "status", "slowBodyMs"] as const;
  for (const name of numbers) {
    const value = rule[name];
    if (
      value !== undefined &&
      (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    ) {
      throw new Error(`${name} must be a non-negative number`);
    }
  }
  const flags = ["reset", "hang", "malformed", "html"] as const;
  for (const name of flags) {
    if (rule[name] !== undefined && typeof rule[name] !== "boolean") {
      throw new Error(`${name} must be a boolean`);
    }
  }
  if (rule.method !== undefined && typeof rule.method !== "string") {
    throw new Error("method must be a string");
  }
  const headers = rule.headers;
  if (
    headers !== undefined &&
    (typeof headers !== "object" ||
      headers === null ||
      Object.values(headers).some((v) => typeof v !== "string"))
  ) {
    throw new Error("headers must be an object of strings");
  }
  return rule as FaultRule;
}
