import { pino, type Logger } from "pino";
import type { LogLevel } from "./config.js";

export type { Logger };

/**
 * Structured JSON logs; anything that looks like a credential is redacted. Pretty-printed
 * (pino-pretty) when stdout is a terminal and no destination is given.
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
    },
    destination,
  );
}
