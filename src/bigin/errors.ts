/** A Bigin answer that is an error: an HTTP status >= 400 with (usually) Bigin's JSON body. */
export class BiginApiError extends Error {
  readonly status: number;
  /** Bigin's error code, e.g. INVALID_DATA; undefined when the body had none. */
  readonly code: string | undefined;
  readonly details: Record<string, unknown>;
  readonly method: string;
  readonly path: string;
  /** From a Retry-After header, when Bigin sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    status: number;
    code: string | undefined;
    message: string | undefined;
    details: Record<string, unknown> | undefined;
    method: string;
    path: string;
    retryAfterSeconds?: number | undefined;
  }) {
    super(init.message ?? `Bigin answered HTTP ${init.status}`);
    this.name = "BiginApiError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.method = init.method;
    this.path = init.path;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

export type TransportFailure = "timeout" | "network" | "malformed";

/** Bigin could not be reached, did not answer in time, or answered with something that is not Bigin's JSON. */
export class BiginTransportError extends Error {
  constructor(
    readonly reason: TransportFailure,
    message: string,
    readonly method: string,
    readonly path: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "BiginTransportError";
  }
}

/** The caller went away (client disconnected, server stopping): not Bigin's fault. */
export class BiginAbortError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super("The request to Bigin was aborted");
    this.name = "BiginAbortError";
  }
}

/** Our own refusal to queue another call: too many are already waiting for this credential. */
export class BiginQueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`Too many Bigin calls are already waiting (queue limit ${limit}); try again shortly`);
    this.name = "BiginQueueFullError";
  }
}

/**
 * Our own refusal to call Bigin now, before Zoho refuses: the back-off after a 429 lasts longer
 * than a call may wait (`backoff`), or the daily credit budget is spent (`daily-credits`).
 */
export class BiginBudgetError extends Error {
  constructor(
    readonly reason: "backoff" | "daily-credits",
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = "BiginBudgetError";
  }
}

export type AuthFailure = "rejected" | "throttled" | "unavailable";

/**
 * The server-held credential could not produce an access token: Zoho's accounts server refused
 * (`rejected`), throttled us (`throttled`), or could not be reached or understood
 * (`unavailable`). The message says what to check; it never holds a secret.
 */
export class BiginAuthError extends Error {
  constructor(
    readonly reason: AuthFailure,
    message: string,
    /** Zoho's `error` value (e.g. `invalid_code`), when it sent one. */
    readonly oauthError?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "BiginAuthError";
  }
}
