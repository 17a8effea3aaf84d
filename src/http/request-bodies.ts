import type { IncomingMessage, ServerResponse } from "node:http";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export interface BodyBounds {
  /** REQUEST_IDLE_TIMEOUT_MS: the longest a body may pause; also the stretch its rate is taken over. */
  idleTimeoutMs: number;
  /** REQUEST_MIN_BYTES_PER_SECOND: the least average rate over each such stretch (0: none). */
  minBytesPerSecond: number;
  /** The most bytes a request may send, where Fastify's own body limit does not apply. */
  maxBytes(request: FastifyRequest): number | undefined;
}

/** A request body refused; the client gets `statusCode` and `{ code, message }`. */
export class RequestBodyError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RequestBodyError";
  }
}

/** Methods whose body Fastify never reads. */
const BODYLESS = new Set(["GET", "HEAD", "TRACE"]);

/** Whether a request carries a body: a length above 0, or a chunked one. */
function hasBody(raw: IncomingMessage): boolean {
  const length = raw.headers["content-length"];
  return raw.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** A request body on its way in: what it passes on is counted, and bounded by `maxBytes`. */
class WatchedBody extends Transform {
  received = 0;
  failure: RequestBodyError | undefined;
  /** For the watch: `received` at the last tick, when it last moved, and the current stretch. */
  seen = 0;
  movedAt: number;
  stretchStart: number;
  stretchReceived = 0;

  constructor(
    readonly raw: IncomingMessage,
    readonly res: ServerResponse,
    readonly maxBytes: number | undefined,
    now: number,
  ) {
    super();
    this.movedAt = now;
    this.stretchStart = now;
    // Whoever reads the body hears of a failure through its own listener; nobody may be reading.
    this.on("error", () => {});
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.received += chunk.length;
    if (this.maxBytes !== undefined && this.received > this.maxBytes) {
      this.failure = new RequestBodyError(
        413,
        "PAYLOAD_TOO_LARGE",
        `The request body is larger than ${this.maxBytes} bytes`,
      );
      callback(this.failure);
      return;
    }
    callback(null, chunk);
  }
}

const bodies = new WeakMap<IncomingMessage, WatchedBody>();

/** How long a connection closed on a body still arriving may take in the rest, discarded. */
const LINGER_MS = 2_000;

/**
 * Node destroys a `Connection: close` connection as soon as its answer is written. With body
 * bytes still arriving that is a TCP reset, which can wipe the answer out of the client's
 * buffers before it has read it. Instead (as nginx's lingering close): answer, half-close,
 * throw away what still comes, and close when the client does, LINGER_MS at most.
 */
function closeGently(raw: IncomingMessage): void {
  raw.resume();
  const socket = raw.socket;
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

/**
 * The body stream of a request as every reader must take it (the watched one, see
 * `boundRequestBodies`), or undefined when it has none.
 */
export function requestBody(request: FastifyRequest): Readable | undefined {
  return bodies.get(request.raw);
}

/** Why a request body failed its bounds (time, size), if it did. */
export function bodyFailure(request: FastifyRequest): RequestBodyError | undefined {
  return bodies.get(request.raw)?.failure;
}

/**
 * Bounds every request body in time and size, and keeps the connection from reading bodies
 * nobody needs:
 * - a body that pauses for `idleTimeoutMs`, or brings less than `minBytesPerSecond` on average
 *   over a stretch that long, fails with 408 (the socket is closed when the answer has begun);
 *   a slow but steady body passes whatever its total time;
 * - `Expect: 100-continue` is answered only when the body is about to be read, so a request
 *   refused before that (no credential, too large) is refused before the client sends it;
 * - an answer sent before its request's body has all arrived carries `Connection: close`; the
 *   rest of the body is neither parsed nor stored, only drained (LINGER_MS at most).
 */
export function boundRequestBodies(app: FastifyInstance, bounds: BodyBounds): void {
  const { idleTimeoutMs, minBytesPerSecond } = bounds;
  const watched = new Set<WatchedBody>();
  let timer: NodeJS.Timeout | undefined;
  const tickMs = Math.max(25, Math.min(1_000, Math.floor(idleTimeoutMs / 4)));

  const fail = (body: WatchedBody, message: string) => {
    watched.delete(body);
    body.failure = new RequestBodyError(408, "REQUEST_TIMEOUT", message);
    if (body.res.headersSent) {
      // Nothing more can be said on this connection.
      body.raw.socket?.destroy();
      return;
    }
    body.raw.unpipe(body);
    // Its reader (Fastify's JSON parser, the multipart parser) fails with it; an answer already
    // on its way is replaced in onSend.
    body.destroy(body.failure);
  };

  let lastTick = Date.now();
  const tick = () => {
    const now = Date.now();
    // A late tick means this process was busy (GC, CPU): the bytes waiting meanwhile have not
    // been read yet, so the time lost is not the clients' to answer for.
    const lag = now - lastTick - tickMs;
    lastTick = now;
    for (const body of watched) {
      if (lag > tickMs) {
        body.movedAt += lag;
        body.stretchStart += lag;
      }
      if (body.received !== body.seen) {
        body.seen = body.received;
        body.movedAt = now;
      }
      if (now - body.movedAt >= idleTimeoutMs) {
        fail(
          body,
          `The request body stopped arriving: nothing for ${idleTimeoutMs} ms (REQUEST_IDLE_TIMEOUT_MS)`,
        );
      } else if (minBytesPerSecond > 0 && now - body.stretchStart >= idleTimeoutMs) {
        const rate = ((body.received - body.stretchReceived) * 1000) / (now - body.stretchStart);
        if (rate < minBytesPerSecond) {
          fail(
            body,
            `The request body arrived too slowly: ${Math.floor(rate)} bytes/s over the last ${now - body.stretchStart} ms, under ${minBytesPerSecond} (REQUEST_MIN_BYTES_PER_SECOND)`,
          );
        } else {
          body.stretchStart = now;
          body.stretchReceived = body.received;
        }
      }
    }
    if (watched.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  // Node answers `Expect: 100-continue` itself unless told otherwise: on its own, every client
  // that asks first (curl does for large bodies) would be told to send.
  app.server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) =>
    app.server.emit("request", req, res),
  );

  /** The body of `request` from here on: `payload`, watched. */
  function watch(request: FastifyRequest, reply: FastifyReply, payload: Readable): WatchedBody {
    const raw = request.raw;
    const body = new WatchedBody(raw, reply.raw, bounds.maxBytes(request), Date.now());
    bodies.set(raw, body);
    watched.add(body);
    if (timer === undefined) {
      lastTick = Date.now();
      timer = setInterval(tick, tickMs).unref();
    }
    const unwatch = () => watched.delete(body);
    body.once("finish", unwatch);
    body.once("close", unwatch);
    raw.once("error", (error) => body.destroy(error));
    raw.once("close", () => {
      if (!raw.complete) {
        body.destroy(new RequestBodyError(400, "BAD_REQUEST", "The request body broke off"));
      }
    });
    if (/^100-continue$/i.test(request.headers.expect ?? "")) reply.raw.writeContinue();
    payload.pipe(body);
    return body;
  }

  // Callback hooks, not async ones: they run for every request, and a promise each is waste.
  app.addHook("preParsing", (request, reply, payload, done) => {
    const raw = request.raw;
    if (!hasBody(raw)) return done(null, payload);
    if (BODYLESS.has(request.method)) {
      // Never read: the connection must not stay open to take it in after the answer.
      reply.header("connection", "close");
      return done(null, payload);
    }
    // Most bodies (a GraphQL operation) come in the packet of their headers, which Node parses
    // once this hook has run: nothing is left to watch then.
    if (raw.complete) return done(null, payload);
    setImmediate(() => done(null, raw.complete ? payload : watch(request, reply, payload)));
  });

  app.addHook("onSend", (request, reply, payload, done) => {
    const raw = request.raw;
    const body = bodies.get(raw);
    if (body === undefined && (raw.complete || !hasBody(raw))) return done(null, payload);
    if (body?.failure === undefined && raw.complete) return done(null, payload);
    // Answered before the body has all arrived: the rest is not read, the connection closes.
    reply.header("connection", "close");
    if (body !== undefined) {
      watched.delete(body);
      raw.unpipe(body);
      body.destroy();
    }
    closeGently(raw);
    if (body?.failure === undefined) return done(null, payload);
    // The body failed while the answer was being made: the answer is that failure.
    const { statusCode, code, message } = body.failure;
    reply.code(statusCode).header("content-type", "application/json; charset=utf-8");
    done(null, JSON.stringify({ code, message }));
  });
}
