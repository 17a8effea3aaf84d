import { DEMO_TOKEN, type Sandbox } from "../../src/sandbox/index.js";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export function attachmentsUrl(
  sandbox: Sandbox,
  module: string,
  recordId: string,
  query: Record<string, string | number> = {},
): string {
  const url = new URL(`/bigin/v2/${module}/${recordId}/Attachments`, sandbox.url);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
  return url.toString();
}

/** GET .../Attachments with `Authorization: Zoho-oauthtoken <token>` (none when token is null). */
export async function listAttachments(
  sandbox: Sandbox,
  module: string,
  recordId: string,
  query: Record<string, string | number> = {},
  options: { token?: string | null; signal?: AbortSignal; method?: string } = {},
): Promise<Answer> {
  const token = options.token === undefined ? DEMO_TOKEN : options.token;
  const response = await fetch(attachmentsUrl(sandbox, module, recordId, query), {
    method: options.method ?? "GET",
    headers: token === null ? {} : { Authorization: `Zoho-oauthtoken ${token}` },
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  return read(response);
}

/** A fetch with the demo token, for paths that are not a list call. */
export function biginFetch(sandbox: Sandbox, path: string, init: RequestInit = {}) {
  return fetch(new URL(path, sandbox.url), {
    ...init,
    headers: { Authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`, ...init.headers },
  });
}

export function expectBiginError(
  answer: Answer,
  status: number,
  code: string,
  details: Record<string, unknown> = {},
  message?: string,
): void {
  // Collect every mismatch so one failure shows the whole difference, with the raw body.
  const problems: string[] = [];
  if (answer.status !== status) problems.push(`status ${answer.status} != ${status}`);
  if (answer.headers.get("content-type") !== "application/json;charset=UTF-8") {
    problems.push(`content-type ${answer.headers.get("content-type")}`);
  }
  const body = answer.body as Record<string, unknown> | undefined;
  const keys = body === undefined ? [] : Object.keys(body).sort();
  if (keys.join() !== "code,details,message,status") problems.push(`keys ${keys.join()}`);
  if (body?.code !== code) problems.push(`code ${String(body?.code)} != ${code}`);
  if (body?.status !== "error") problems.push(`status field ${String(body?.status)}`);
  if (JSON.stringify(body?.details) !== JSON.stringify(details)) {
    problems.push(`details ${JSON.stringify(body?.details)} != ${JSON.stringify(details)}`);
  }
  if (message !== undefined && body?.message !== message) {
    problems.push(`message "${String(body?.message)}" != "${message}"`);
  }
  if (typeof body?.message !== "string" || body.message === "") problems.push("no message");
  if (problems.length > 0) {
    throw new Error(`not the expected Bigin error (${problems.join("; ")}): ${answer.text}`);
  }
}
