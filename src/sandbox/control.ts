import type { IncomingMessage } from "node:http";
import { type FaultRules, faultRuleFromJson } from "./faults.js";
import type { RequestLog } from "./request-log.js";
import { type SandboxResponse, jsonResponse } from "./respond.js";

/** Test hooks for a sandbox in another process. Not Bigin; no auth; not in the request log. */
export const CONTROL_PREFIX = "/__sandbox";

const MAX_BODY_BYTES = 1_000_000;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error("body too large");
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const problem = (status: number, error: string) => jsonResponse(status, { error });

/**
 * GET/DELETE /__sandbox/requests, POST/DELETE /__sandbox/faults, DELETE /__sandbox/faults/{id},
 * GET /__sandbox/stats. Never throws.
 */
export async function handleControl(
  req: IncomingMessage,
  method: string,
  path: string,
  deps: { log: RequestLog; faults: FaultRules },
): Promise<SandboxResponse> {
  const sub = path.slice(CONTROL_PREFIX.length).replace(/\/+$/, "");
  const { log, faults } = deps;
  if (sub === "/requests") {
    if (method === "GET") return jsonResponse(200, log.requests);
    if (method === "DELETE") {
      log.reset();
      return { status: 204 };
    }
  } else if (sub === "/stats") {
    if (method === "GET") return jsonResponse(200, log.stats());
  } else if (sub === "/faults") {
    if (method === "DELETE") {
      faults.clear();
      return { status: 204 };
    }
    if (method === "POST") {
      try {
        const id = faults.addRule(faultRuleFromJson(await readJson(req)));
        return jsonResponse(201, { id });
      } catch (error) {
        return problem(400, `invalid fault rule: ${(error as Error).message}`);
      }
    }
  } else if (/^\/faults\/\d+$/.test(sub)) {
    if (method === "DELETE") {
      const removed = faults.remove(Number(sub.slice("/faults/".length)));
      return removed ? { status: 204 } : problem(404, "no such fault rule");
    }
  } else {
    return problem(404, `unknown control path ${path}`);
  }
  return problem(405, `${method} is not supported on ${path}`);
}
