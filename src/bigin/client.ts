import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import { Readable } from "node:stream";
import type { Logger } from "../logger.js";
import type { BiginCredential } from "./credential.js";
import { biginBaseUrl } from "./data-centres.js";
import { type BudgetSlot, type CallBudget, LocalCallBudget } from "./budget/call-budget.js";
import { creditsFor } from "./budget/credits.js";
import {
  BiginAbortError,
  BiginApiError,
  BiginBudgetError,
  BiginQueueFullError,
  BiginTransportError,
} from "./errors.js";
import { biginItem, errorFromItem } from "./write-results.js";

/** The longest Retry-After a call waits for before giving up. */
export const MAX_RETRY_AFTER_MS = 10_000;
/** The first back-off step after a failure worth retrying. */
export const FIRST_BACKOFF_MS = 200;

export interface BiginClientOptions {
  /** The API domain (or a URL ending in /bigin/v2); a credential's own apiUrl wins. */
  apiUrl: string;
  concurrency: number;
  queueLimit: number;
  timeoutMs: number;
  /** Extra attempts for reads that failed in a way worth retrying. */
  retries: number;
  /** Longest Retry-After we wait for before giving up (default MAX_RETRY_AFTER_MS). */
  maxRetryAfterMs?: number;
  /** First backoff step (default FIRST_BACKOFF_MS); doubles each attempt, with full jitter. */
  backoffMs?: number;
  logger: Logger;
  /** Told of every attempt and retry, e.g. to count them in metrics. Must not throw. */
  observer?: BiginObserver;
  /** Slots for calls; default a cap of `concurrency` per credential in this process. */
  budget?: CallBudget;
}

/** One attempt at a Bigin call, as it ended. */
export interface BiginCallEvent {
  /** Low-cardinality name: method and path with module and ids replaced, e.g. `GET /:module/:id/Attachments`. */
  operation: string;
  /** HTTP status, or undefined when no answer came (time-out, reset, abort). */
  status: number | undefined;
  /** Bigin's error code when it sent one. */
  code: string | undefined;
  durationMs: number;
  /** Bigin API credits the attempt cost (bigin-api.md §7); 0 when Bigin did not answer. */
  credits: number;
}

export interface BiginObserver {
  call(event: BiginCallEvent): void;
  retry(event: { operation: string; attempt: number; delayMs: number }): void;
}

/** `/Contacts/123/Attachments/456` → `/:module/:id/Attachments/:id`, for labels and logs. */
export function operationName(method: string, path: string): string {
  const segments = path
    .split("/")
    .map((segment, i) => (i === 1 ? ":module" : /^\d+$/.test(segment) ? ":id" : segment));
  return `${method} ${segments.join("/")}`;
}

export interface BiginRequest {
  method: "GET" | "POST" | "DELETE";
  /** Path below /bigin/v2, built from validated segments, e.g. `/Contacts/123/Attachments`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  credential: BiginCredential;
  signal?: AbortSignal | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  /** Logger of the GraphQL operation (carries its request id). */
  logger?: Logger;
}

export interface BiginJsonResponse<T> {
  status: number;
  /** undefined for a 204 or an empty body. */
  body: T | undefined;
}

export interface BiginStreamResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Readable | undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * The one funnel every Bigin call goes through: base URL, auth header, timeout, retries for
 * reads, and a concurrency cap per access token. Knows nothing of GraphQL.
 */
export class BiginClient {
  private readonly http: AxiosInstance;
  readonly budget: CallBudget;
  private calls = 0;
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(private readonly options: BiginClientOptions) {
    // Idle keep-alive sockets for one full wave of calls (BIGIN_CONCURRENCY), no more. TCP
    // keep-alive probes after 60 s idle: the delay axios sets on every request's socket. With
    // the agent's default (1 s) the two would alternate, 8 setsockopt calls per request.
    const sockets = {
      keepAlive: true,
      keepAliveMsecs: 60_000,
      maxSockets: Math.max(256, options.concurrency),
      maxFreeSockets: options.concurrency,
    };
    this.agents = { http: new http.Agent(sockets), https: new https.Agent(sockets) };
    // One instance, configured once. Each call passes only what differs (method, the URL with
    // its query already encoded, headers, body, response type, signal): no params serialiser,
    // no request or response transforms (bodies are Buffers or streams, answers read as text
    // and parsed once by json()), no interceptors, and no adapter lookup.
    this.http = axios.create({
      adapter: "http",
      httpAgent: this.agents.http,
      httpsAgent: this.agents.https,
      validateStatus: null,
      maxRedirects: 0,
      maxContentLength: -1,
      maxBodyLength: -1,
      transformRequest: [],
      transformResponse: [],
      transitional: { silentJSONParsing: false, forcedJSONParsing: false },
      proxy: false,
    });
    this.budget = options.budget ?? new LocalCallBudget(options.concurrency, options.queueLimit);
  }

  /** Calls currently running and waiting for a slot, over all credentials. */
  stats(): { inFlight: number; queued: number } {
    const { inFlight, queued } = this.budget.status();
    return { inFlight, queued };
  }

  /** Closes idle keep-alive sockets (on shutdown). */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * A JSON call. Resolves with the parsed body (undefined on 204); rejects with BiginApiError,
   * BiginTransportError, BiginAbortError or BiginQueueFullError.
   */
  async json<T>(request: BiginRequest): Promise<BiginJsonResponse<T>> {
    const response = await this.send(request, "text");
    const text = typeof response.data === "string" ? response.data : "";
    if (response.status === 204 || text.trim() === "") {
      return { status: response.status, body: undefined };
    }
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch (cause) {
      throw new BiginTransportError(
        "malformed",
        `Bigin answered HTTP ${response.status} with a body that is not JSON`,
        request.method,
        request.path,
        response.status,
        { cause },
      );
    }
  }

  /** A call whose success body is a byte stream (downloads). Errors are as for json(). */
  async stream(request: BiginRequest): Promise<BiginStreamResponse> {
    const response = await this.send(request, "stream");
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    }
    return {
      status: response.status,
      headers,
      body: response.status === 204 ? undefined : (response.data as Readable),
    };
  }

  private async send(
    request: BiginRequest,
    responseType: "text" | "stream",
  ): Promise<AxiosResponse> {
    const retries = request.method === "GET" ? this.options.retries : 0;
    let refreshed = false;
    for (let attempt = 0; ; attempt += 1) {
      // The token this attempt used, so a credential can tell a stale rejection from a new one.
      const used: { token?: string } = {};
      try {
        const slot = await this.budget.acquire(request.credential.key, request.signal);
        return await this.attempt(request, responseType, slot, used);
      } catch (error) {
        if (
          error instanceof BiginQueueFullError ||
          error instanceof BiginBudgetError ||
          error instanceof BiginAbortError
        ) {
          throw error;
        }
        if (request.signal?.aborted) throw new BiginAbortError(request.method, request.path);
        if (error instanceof BiginApiError && error.status === 429) {
          const { retryAfterSeconds } = error;
          this.budget.rateLimited(
            request.credential.key,
            retryAfterSeconds === undefined ? undefined : retryAfterSeconds * 1000,
          );
        }
        if (
          !refreshed &&
          error instanceof BiginApiError &&
          error.code === "INVALID_TOKEN" &&
          request.credential.onInvalidToken &&
          (await request.credential.onInvalidToken(used.token))
        ) {
          refreshed = true;
          attempt -= 1;
          continue;
        }
        const delay = this.retryDelay(error, attempt, retries);
        if (delay === undefined) throw error;
        const operation = operationName(request.method, request.path);
        this.options.observer?.retry({ operation, attempt: attempt + 1, delayMs: delay });
        (request.logger ?? this.options.logger).info(
          {
            bigin: {
              method: request.method,
              operation,
              path: request.path,
              attempt: attempt + 1,
              delayMs: delay,
            },
          },
          "retrying Bigin call",
        );
        try {
          await sleep(delay, request.signal);
        } catch {
          throw new BiginAbortError(request.method, request.path);
        }
      }
    }
  }

  /** How long to wait before the next attempt, or undefined to give up. */
  private retryDelay(error: unknown, attempt: number, retries: number): number | undefined {
    if (attempt >= retries) return undefined;
    const maxRetryAfterMs = this.options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS;
    if (error instanceof BiginApiError) {
      if (error.status === 429 && error.retryAfterSeconds !== undefined) {
        const ms = error.retryAfterSeconds * 1000;
        return ms <= maxRetryAfterMs ? ms : undefined;
      }
      if (error.status !== 429 && error.status < 500) return undefined;
    } else if (error instanceof BiginTransportError) {
      if (error.reason === "malformed" && (error.status ?? 200) < 500) return undefined;
    } else {
      return undefined;
    }
    const step = (this.options.backoffMs ?? FIRST_BACKOFF_MS) * 2 ** attempt;
    return Math.round(step / 2 + Math.random() * (step / 2));
  }

  /**
   * One call, holding `slot` until it is over: for a streamed answer, until its body has ended
   * (Bigin counts the call until then).
   */
  private async attempt(
    request: BiginRequest,
    responseType: "text" | "stream",
    slot: BudgetSlot,
    used: { token?: string },
  ): Promise<AxiosResponse> {
    let token: string;
    let apiUrl: string | undefined;
    try {
      ({ token, apiUrl } = await request.credential.accessToken());
      if (request.signal?.aborted) throw new BiginAbortError(request.method, request.path);
    } catch (error) {
      slot.release(0);
      throw error;
    }
    used.token = token;
    const url =
      biginBaseUrl(apiUrl ?? this.options.apiUrl) + request.path + queryString(request.query);
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener("abort", onCallerAbort, { once: true });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined = undefined;
    // For streamed bodies the limit is on inactivity: each chunk that moves restarts the clock,
    // so a long upload or download is never cut off while bytes are still flowing.
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const arm = () => void timer?.refresh();
    let handedOff = false;
    // Credits the call cost, once Bigin has answered.
    let credits = 0;
    const release = () => {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onCallerAbort);
      slot.release(credits);
    };
    const started = performance.now();
    try {
      const data = request.body instanceof Readable ? watch(request.body, arm) : request.body;
      const response = await this.http.request({
        method: request.method,
        url,
        data,
        headers: { ...request.headers, Authorization: `Zoho-oauthtoken ${token}` },
        responseType,
        signal: controller.signal,
      });
      credits = creditsFor(request.method, request.path);
      if (responseType === "stream") {
        if (response.status >= 400) {
          response.data = await readAll(response.data as Readable);
        } else {
          // The body is still arriving: keep the idle timeout and the caller's abort until it has.
          handedOff = true;
          arm();
          // A body that breaks off fails with our error, never the HTTP client's (which
          // carries the request, Authorization header included).
          response.data = watch(response.data as Readable, arm, release, () =>
            request.signal?.aborted
              ? new BiginAbortError(request.method, request.path)
              : new BiginTransportError(
                  timedOut ? "timeout" : "network",
                  timedOut
                    ? `Bigin's answer stalled for more than ${this.options.timeoutMs} ms`
                    : "Bigin's answer broke off",
                  request.method,
                  request.path,
                  response.status,
                ),
          );
        }
      }
      if (response.status >= 400) throw errorFromResponse(request, response);
      this.report(request, started, response.status, undefined);
      return response;
    } catch (error) {
      this.report(
        request,
        started,
        error instanceof BiginApiError ? error.status : (error as { status?: number }).status,
        error instanceof BiginApiError ? error.code : undefined,
      );
      if (error instanceof BiginApiError || error instanceof BiginTransportError) throw error;
      if (request.signal?.aborted) throw new BiginAbortError(request.method, request.path);
      if (timedOut) {
        throw new BiginTransportError(
          "timeout",
          `Bigin did not answer within ${this.options.timeoutMs} ms`,
          request.method,
          request.path,
        );
      }
      const code = isAxiosError(error) ? error.code : undefined;
      throw new BiginTransportError(
        "network",
        `Could not reach Bigin${code ? ` (${code})` : ""}`,
        request.method,
        request.path,
        undefined,
        { cause: error },
      );
    } finally {
      if (!handedOff) release();
    }
  }

  /** Reports a finished attempt to the observer and the log (never the token or the query). */
  private report(
    request: BiginRequest,
    started: number,
    status: number | undefined,
    code: string | undefined,
  ): void {
    const event: BiginCallEvent = {
      operation: operationName(request.method, request.path),
      status,
      code,
      durationMs: performance.now() - started,
      credits: status === undefined ? 0 : creditsFor(request.method, request.path),
    };
    this.options.observer?.call(event);
    (request.logger ?? this.options.logger).debug(
      {
        bigin: {
          callId: (this.calls += 1),
          method: request.method,
          operation: event.operation,
          path: request.path,
          status,
          code,
          ms: Math.round(event.durationMs * 10) / 10,
        },
      },
      "Bigin call",
    );
  }
}

/**
 * `source` passed through; `onChunk` runs for every chunk, `onEnd` once when it ends, fails or is
 * destroyed (the source is destroyed with it). With `failure`, the stream fails with what it
 * returns instead of the source's own error.
 */
function watch(
  source: Readable,
  onChunk: () => void,
  onEnd?: () => void,
  failure?: () => Error,
): Readable {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd?.();
  };
  // An async iterator pulls from the source as fast as it gives: a piped Transform, paused and
  // resumed on every full buffer, streamed downloads at about half the rate (bench:streaming).
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source) {
        onChunk();
        yield chunk as Buffer;
      }
    } catch (error) {
      throw failure ? failure() : error;
    } finally {
      end();
    }
  }
  const through = Readable.from(chunks(), { objectMode: false });
  // Destroyed before it was read (a HEAD request, a caller gone): stop the source too.
  through.once("close", () => {
    source.destroy();
    end();
  });
  return through;
}

/** Encodes like axios' params serialiser did (`,` `:` `$` kept, space as `+`), once per call. */
const encode = (value: string) =>
  encodeURIComponent(value)
    .replace(/%3A/gi, ":")
    .replace(/%24/g, "$")
    .replace(/%2C/gi, ",")
    .replace(/%20/g, "+");

/** `?a=1&b=2` from the defined values of `query`, or "" when there are none. */
export function queryString(query: BiginRequest["query"]): string {
  if (query === undefined) return "";
  let out = "";
  for (const name in query) {
    const value = query[name];
    if (value === undefined) continue;
    out += `${out === "" ? "?" : "&"}${encode(name)}=${encode(String(value))}`;
  }
  return out;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Turns an HTTP error answer into BiginApiError, or BiginTransportError when it is not Bigin's JSON. */
function errorFromResponse(request: BiginRequest, response: AxiosResponse): Error {
  const text = typeof response.data === "string" ? response.data : "";
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const retryAfterSeconds = parseRetryAfter(response.headers["retry-after"]);
  if (body === undefined || typeof body !== "object" || body === null) {
    if (response.status === 429) {
      return new BiginApiError({
        status: 429,
        code: "TOO_MANY_REQUESTS",
        message: "Bigin's rate limit was reached",
        details: {},
        method: request.method,
        path: request.path,
        retryAfterSeconds,
      });
    }
    return new BiginTransportError(
      "malformed",
      `Bigin answered HTTP ${response.status} with a body that is not Bigin's JSON`,
      request.method,
      request.path,
      response.status,
    );
  }
  // Request-level errors are top-level; per-item errors of writes sit in data[0].
  return errorFromItem(biginItem(body), {
    status: response.status,
    method: request.method,
    path: request.path,
    retryAfterSeconds,
  });
}
