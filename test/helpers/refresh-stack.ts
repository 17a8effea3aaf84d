import type { StartSandboxOptions } from "../../src/sandbox/index.js";
import { DEMO_OAUTH_CLIENT } from "../../src/sandbox/index.js";
import { startStack, type Stack } from "./stack.js";

/** The demo client's variables: refresh-token mode against the sandbox. */
export const REFRESH_ENV = {
  BIGIN_CLIENT_ID: DEMO_OAUTH_CLIENT.clientId,
  BIGIN_CLIENT_SECRET: DEMO_OAUTH_CLIENT.clientSecret,
  BIGIN_REFRESH_TOKEN: DEMO_OAUTH_CLIENT.refreshToken,
} as const;

/** Captures a server's log lines (a pino destination). */
export function logCapture(): { write(line: string): void; lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    lines,
    write(line: string) {
      lines.push(line);
    },
    text: () => lines.join(""),
  };
}

/** A stack in refresh-token mode (the demo client unless `env` says otherwise). */
export function startRefreshStack(
  env: Record<string, string> = {},
  sandboxOptions: StartSandboxOptions = {},
  logs?: ReturnType<typeof logCapture>,
): Promise<Stack> {
  return startStack(
    { ...REFRESH_ENV, ...(logs && { LOG_LEVEL: "trace" }), ...env },
    sandboxOptions,
    logs,
  );
}

/** The Bigin API calls of a stack, without its token requests. */
export const biginCalls = (stack: Stack) =>
  stack.calls().filter((call) => call.path.startsWith("/bigin/"));
