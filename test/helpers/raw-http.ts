import { connect, type Socket } from "node:net";

export interface RawAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the connection to the end of the answer. */
  at: number;
}

/**
 * One HTTP/1.1 exchange over a raw socket, for requests no HTTP client would send (slow,
 * truncated, malformed): write what you like, then read the first answer and see when the
 * server closes the connection.
 */
export class RawConnection {
  readonly socket: Socket;
  private readonly started = Date.now();
  private received = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  /** Milliseconds from the connection to the server closing it (or resetting it). */
  readonly closed: Promise<number>;

  constructor(baseUrl: string) {
    const { hostname, port } = new URL(baseUrl);
    this.socket = connect(Number(port), hostname);
    this.socket.on("data", (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    // A reset after the answer is a way of closing too.
    this.socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      this.socket.once("close", () => {
        this.wake();
        resolve(Date.now() - this.started);
      }),
    );
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Writes; false once the server has closed the connection. */
  write(data: string | Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(data);
    return true;
  }

  /** Writes `chunk` every `everyMs` until the answer comes, `times` are sent or the socket closes. */
  async trickle(chunk: string | Buffer, everyMs: number, times = Infinity): Promise<number> {
    let sent = 0;
    while (sent < times && !this.answered() && this.write(chunk)) {
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    return sent;
  }

  /**
   * Writes `total` bytes of zeros as fast as the server takes them, stopping early when an
   * answer arrives or the connection closes; resolves with the bytes written.
   */
  async pour(total: number, chunkSize = 64 * 1024): Promise<number> {
    const chunk = Buffer.alloc(chunkSize);
    let written = 0;
    while (written < total && !this.answered() && !this.socket.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunkSize, total - written));
      written += piece.length;
      if (!this.socket.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            this.socket.off("drain", done);
            resolve();
          };
          this.socket.once("drain", done);
          this.waiters.push(done);
        });
      }
    }
    return written;
  }

  /** Whether a whole answer has arrived. */
  answered(): boolean {
    return this.parse() !== undefined;
  }

  /** What the server has sent so far, as text. */
  text(): string {
    return this.received.toString("utf8");
  }

  /** The first answer other than `100 Continue`, or a rejection if the connection closes without one. */
  async answer(): Promise<RawAnswer> {
    for (;;) {
      const parsed = this.parse();
      if (parsed) return parsed;
      if (this.socket.destroyed) {
        throw new Error(`closed without an answer; got ${JSON.stringify(this.text())}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private parse(): RawAnswer | undefined {
    let text = this.received.toString("latin1");
    while (text.startsWith("HTTP/1.1 100")) text = text.slice(text.indexOf("\r\n\r\n") + 4);
    const end = text.indexOf("\r\n\r\n");
    if (end === -1) return undefined;
    const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers["content-length"] ?? 0);
    const body = Buffer.from(text.slice(end + 4), "latin1");
    if (body.length < length) return undefined;
    return {
      status: Number(statusLine.split(" ")[1]),
      headers,
      body: body.subarray(0, length).toString("utf8"),
      at: Date.now() - this.started,
    };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The head of a request: request line and headers, ending with the blank line. */
export function requestHead(
  method: string,
  path: string,
  headers: Record<string, string | number>,
): string {
  const lines = Object.entries({ host: "localhost", ...headers }).map(([n, v]) => `${n}: ${v}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}
