import { performance } from "node:perf_hooks";

/** One Bigin API request the sandbox received. */
export interface SandboxRequest {
  method: string;
  /** The pathname as received, e.g. "/bigin/v2/Contacts/2034020000000100001/Attachments". */
  path: string;
  /** Decoded query parameters (the first value of a repeated one). */
  query: Record<string, string>;
  authorization: string | undefined;
  /** Filled when answered; undefined if reset or hung. */
  status: number | undefined;
  /** performance.now() */
  startedAt: number;
  endedAt: number | undefined;
}

/** The request log and in-flight counters of one sandbox. */
export class RequestLog {
  readonly requests: SandboxRequest[] = [];
  inFlight = 0;
  peakInFlight = 0;

  /** Logs an arriving request; call the returned function (any number of times) when it ends. */
  begin(request: Omit<SandboxRequest, "status" | "startedAt" | "endedAt">): {
    entry: SandboxRequest;
    end: () => void;
  } {
    const entry: SandboxRequest = {
      ...request,
      status: undefined,
      startedAt: performance.now(),
      endedAt: undefined,
    };
    this.requests.push(entry);
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      entry.endedAt = performance.now();
      this.inFlight -= 1;
    };
    return { entry, end };
  }

  /** Clears the log; the peak restarts from what is in flight now. */
  reset(): void {
    this.requests.length = 0;
    this.peakInFlight = this.inFlight;
  }

  stats(): { inFlight: number; peakInFlight: number; requests: number } {
    return {
      inFlight: this.inFlight,
      peakInFlight: this.peakInFlight,
      requests: this.requests.length,
    };
  }
}
