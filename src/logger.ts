import { pino, type Logger } from "pino";
import type { LogLevel } from "./config.js";

export type { Logger };

/** Structured JSON logs; anything that looks like a credential is redacted. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
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
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
