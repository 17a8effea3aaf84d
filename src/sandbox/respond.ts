import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { type BiginHttpError, JSON_CONTENT_TYPE } from "./errors.js";
import type { FaultRule } from "./faults.js";

/** What a route answers; the server writes it (possibly slowed down by a fault). */
export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Absent for 204. A Readable streams (e.g. file bytes from disk). */
  body?: string | Buffer | Readable;
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): SandboxResponse {
  return {
    status,
    headers: { "Content-Type": JSON_CONTENT_TYPE, ...headers },
    body: JSON.stringify(value),
  };
}

export function errorResponse(error: BiginHttpError): SandboxResponse {
  return jsonResponse(error.status, error.body);
}

export function noContent(): SandboxResponse {
  return { status: 204 };
}

const HTML_PAGE = (status: number) =>
  `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n` +
  `<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>ZGS</center>\r\n</body>\r\n</html>\r\n`;

/** The answer a fault rule imposes instead of the route's, or undefined to answer normally. */
export function faultResponse(rule: FaultRule): SandboxResponse | undefined {
  if (rule.malformed) {
    return {
      status: 200,
      headers: { "Content-Type": JSON_CONTENT_TYPE },
      body: '{"data":[{"id":"2034020000000900001","File_Name":"Q4_Rep',
    };
  }
  if (rule.html) {
    const status = rule.status ?? 502;
    return { status, headers: { "Content-Type": "text/html" }, body: HTML_PAGE(status) };
  }
  if (rule.status !== undefined) {
    const { body } = rule;
    if (body === undefined) return { status: rule.status };
    if (typeof body === "string") {
      return { status: rule.status, headers: { "Content-Type": "text/plain" }, body };
    }
    return jsonResponse(rule.status, body);
  }
  return undefined;
}

/** Whether the client (or close()) went away: nothing can be written any more. */
export function isGone(res: ServerResponse, signal: AbortSignal): boolean {
  return signal.aborted || res.destroyed || (res.socket?.destroyed ?? false);
}

export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/**
 * Writes `response`. With `slowBodyMs`, sends the headers and the first half of the body, waits,
 * then the rest (a stream: the headers, the wait, then the stream). Resolves when done or when
 * the connection went away; never throws.
 */
export async function writeResponse(
  res: ServerResponse,
  response: SandboxResponse,
  options: { slowBodyMs?: number | undefined; signal: AbortSignal },
): Promise<void> {
  if (isGone(res, options.signal)) return;
  const { body } = response;
  const headers: Record<string, string> = { ...response.headers };
  if (body instanceof Readable) {
    res.writeHead(response.status, headers);
    if (options.slowBodyMs !== undefined) {
      res.flushHeaders();
      await sleep(options.slowBodyMs, options.signal);
      if (isGone(res, options.signal)) return void body.destroy();
    }
    await new Promise<void>((resolve) => {
      body.on("error", () => res.destroy());
      res.on("close", () => {
        body.destroy();
        resolve();
      });
      body.pipe(res);
    });
    return;
  }
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  if (response.status !== 204 && response.status !== 304) {
    headers["Content-Length"] ??= String(bytes.length);
  }
  res.writeHead(response.status, headers);
  if (options.slowBodyMs === undefined || bytes.length === 0) {
    res.end(bytes);
    return;
  }
  const half = Math.floor(bytes.length / 2);
  res.write(bytes.subarray(0, half));
  await sleep(options.slowBodyMs, options.signal);
  if (!isGone(res, options.signal)) res.end(bytes.subarray(half));
}
