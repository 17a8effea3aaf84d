import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

/**
 * A Bigin-compatible server written for the scale test, apart from the sandbox: one Zoho org
 * with a concurrency limit. It answers `GET /bigin/v2/{module}/{id}/Attachments` for any record
 * id (one attachment, `file-<id>.pdf`) after a fixed latency, and answers 429
 * TOO_MANY_REQUESTS, as Zoho does, to a call that arrives while `concurrency` calls are running.
 * A call counts from its arrival until its answer is written (or its client goes away).
 */
export interface OrgBigin {
  url: string;
  /** Every API call received, in arrival order (times from performance.now()). */
  readonly calls: OrgCall[];
  readonly inFlight: number;
  /** Most calls running at once (429s excluded: they never ran). */
  readonly peak: number;
  /** Forgets the calls and the peak (the peak restarts from the calls running now). */
  reset(): void;
  close(): Promise<void>;
}

export interface OrgCall {
  recordId: string;
  status: number;
  startedAt: number;
  /** When its answer was written or its client went away. */
  endedAt: number | undefined;
  /** Its client went away before the answer (e.g. a replica killed). */
  aborted: boolean;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json;charset=UTF-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
};

const error = (code: string, message: string) => ({ code, details: {}, message, status: "error" });

const LIST = /^\/bigin\/v2\/[A-Za-z_]+\/(\d+)\/Attachments$/;

export async function startOrgBigin(options: {
  concurrency: number;
  latencyMs: number;
  token: string;
}): Promise<OrgBigin> {
  let calls: OrgCall[] = [];
  let inFlight = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://bigin");
    const match = LIST.exec(url.pathname);
    // The servers' readiness probe (GET /bigin/v2/) and anything else: not an API call.
    if (req.method !== "GET" || !match) {
      return json(res, 404, error("INVALID_URL_PATTERN", "Please check if the URL is correct"));
    }
    const call: OrgCall = {
      recordId: match[1]!,
      status: 0,
      startedAt: performance.now(),
      endedAt: undefined,
      aborted: false,
    };
    calls.push(call);
    if (inFlight >= options.concurrency) {
      call.status = 429;
      call.endedAt = call.startedAt;
      return json(res, 429, error("TOO_MANY_REQUESTS", "concurrency limit exceeded"));
    }
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    let running = true;
    const end = (aborted: boolean) => {
      if (!running) return;
      running = false;
      inFlight -= 1;
      call.endedAt = performance.now();
      call.aborted = aborted;
    };
    res.once("close", () => end(true));
    const timer = setTimeout(() => {
      const fields = (url.searchParams.get("fields") ?? "").split(",");
      if (req.headers.authorization !== `Zoho-oauthtoken ${options.token}`) {
        call.status = 401;
        end(false);
        return json(res, 401, error("INVALID_TOKEN", "invalid oauth token"));
      }
      if (fields.length === 0 || fields[0] === "") {
        call.status = 400;
        end(false);
        return json(res, 400, error("REQUIRED_PARAM_MISSING", "fields is missing"));
      }
      const recordId = call.recordId;
      const full: Record<string, unknown> = {
        id: `${recordId}0001`,
        File_Name: `file-${recordId}.pdf`,
        Size: "1024",
      };
      const item: Record<string, unknown> = { id: full.id };
      for (const field of fields) if (field in full) item[field] = full[field];
      call.status = 200;
      // Before the answer leaves: a client that has it may start its next call at once.
      end(false);
      json(res, 200, {
        data: [item],
        info: { per_page: 200, count: 1, page: 1, more_records: false },
      });
    }, options.latencyMs);
    res.once("close", () => clearTimeout(timer));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    get inFlight() {
      return inFlight;
    },
    get peak() {
      return peak;
    },
    reset() {
      calls = [];
      peak = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Most calls running at once between `from` and `to` (performance.now() times). */
export function concurrencyBetween(calls: readonly OrgCall[], from: number, to: number): number {
  const events: Array<[time: number, change: number]> = [];
  for (const call of calls) {
    if (call.status === 429) continue;
    const end = call.endedAt ?? Infinity;
    if (end <= from || call.startedAt >= to) continue;
    events.push([Math.max(call.startedAt, from), 1], [end, -1]);
  }
  // Ends before starts at the same instant: a slot handed on is not two calls at once.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, change] of events) {
    running += change;
    most = Math.max(most, running);
  }
  return most;
}
