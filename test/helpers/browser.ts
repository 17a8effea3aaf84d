import { access, constants, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import type { TestContext } from "vitest";

/** Where the system's Chromium is: `CHROMIUM_PATH`, else Debian's `chromium` package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH?.trim() || "/usr/bin/chromium";

/** Set by CI: a missing browser fails the browser tests instead of skipping them. */
export const BROWSER_TESTS_REQUIRED = process.env.BROWSER_TESTS_REQUIRED === "1";

/** Flags for a headless Chromium run as root that reaches nothing but loopback. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Undefined when Chromium is at CHROMIUM_PATH; else what is missing and how to install it. */
export async function chromiumMissing(): Promise<string | undefined> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM_PATH}; install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`;
  }
}

/**
 * For a `beforeEach`: without Chromium (`missing` says why) a test is skipped, saying so, or
 * fails where CI installs Chromium (BROWSER_TESTS_REQUIRED=1).
 */
export function skipOrFailWithoutChromium(missing: string | undefined, context: TestContext): void {
  if (!missing) return;
  if (BROWSER_TESTS_REQUIRED) {
    throw new Error(`Browser tests need Chromium (BROWSER_TESTS_REQUIRED=1): ${missing}`);
  }
  // The run's summary repeats the note on a line of its own.
  context.skip(`Browser tests skipped: ${missing}.`);
}

/** Headless Chromium from CHROMIUM_PATH, with a fresh profile of its own (removed on close). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface PageServer {
  /** e.g. http://127.0.0.1:43121: an origin other than the API server's. */
  origin: string;
  close(): Promise<void>;
}

/** Serves one HTML file at `/` from a loopback port of its own: a second origin. */
export async function servePage(file: URL): Promise<PageServer> {
  const html = await readFile(file);
  const server = createServer((req, res) => {
    if (req.url !== "/") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
