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
      redact: {
        paths: [
          "authorization",
          "*.authorization",
          "headers.authorization",
          "*.headers.authorization",
          "token",
          "*.token",
          "accessToken",
          "*.accessToken",
          "refreshToken",
          "*.refreshToken",
          "clientSecret",
          "*.clientSecret",
          // An HTTP client's error carries the request it failed (headers included).
          "err.config",
          "err.request",
          "err.response",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
