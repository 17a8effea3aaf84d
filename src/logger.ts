import { pino, type Logger } from "pino";
import type { LogLevel } from "./config.js";
import { pathOf, redactCredentials } from "./redact.js";

export type { Logger };

/** An error's own fields, with byte arrays (e.g. a raw HTTP packet, headers and all) left out. */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (typeof serialized !== "object" || serialized === null) return serialized;
  for (const [key, value] of Object.entries(serialized)) {
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      serialized[key] = `[${value.byteLength} bytes]`;
    }
  }
  return serialized;
}

/** A request as a log line may show it: method and path, never headers or the query string. */
function serializeRequest(request: { method?: unknown; url?: unknown }): Record<string, unknown> {
  const url = typeof request.url === "string" ? pathOf(request.url) : undefined;
  return { method: request.method, url };
}

/**
 * Structured JSON logs; anything that looks like a credential is redacted: named fields, and
 * credential-shaped text anywhere in a line (Authorization values, signed-link parameters,
 * URLs' user-info). Pretty-printed (pino-pretty) when stdout is a terminal and no destination
 * is given.
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const pretty = destination === undefined && process.stdout.isTTY === true;
  return pino(
    {
      level,
      ...(pretty && {
        transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss.l" } },
      }),
      base: undefined,
      // Named paths only: a `*.` path makes pino run every top-level value of every line
      // through the redactor (6 % of what a request allocated). Nothing here logs a request's
      // headers or a credential; an error from the HTTP client carries both.
      redact: {
        paths: [
          "authorization",
          "headers.authorization",
          "token",
          "accessToken",
          "refreshToken",
          "clientSecret",
          "err.config",
          "err.request",
          "err.response",
          "err.headers",
        ],
        censor: "[redacted]",
      },
      serializers: {
        err: serializeError,
        req: serializeRequest,
        res: (reply: { statusCode?: unknown }) => ({ statusCode: reply.statusCode }),
      },
      hooks: { streamWrite: redactCredentials },
    },
    destination,
  );
}

/** What flushLogs reads of pino's destination (sonic-boom): its events and whether it writes. */
interface Destination {
  once(event: "drain" | "error", listener: () => void): unknown;
  off(event: "drain" | "error", listener: () => void): unknown;
  _writing?: boolean;
  _len?: number;
}

/**
 * Waits (`ms` at most) until the logger's destination has written what it holds or failed to:
 * call it before `process.exit`. pino's own flush at exit retries a write that failed with
 * EPIPE forever, so a process whose stdout reader has gone would never exit; failing here, on
 * the event loop, the write reaches pino's broken-pipe handler, which drops further lines.
 */
export function flushLogs(logger: Logger, ms = 2000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, Destination | undefined>)[
    pino.symbols.streamSym
  ];
  if (!stream || (stream._writing !== true && !stream._len)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stream.off("drain", done);
      stream.off("error", done);
      // pino's own error listener (first in line) has run by now.
      setImmediate(resolve);
    };
    const timer = setTimeout(done, ms);
    stream.once("drain", done);
    stream.once("error", done);
  });
}
