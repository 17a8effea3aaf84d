import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UploadAttachmentDocument } from "../generated/graphql.js";
import { connect, type Socket } from "node:net";
import { requestHead } from "../helpers/raw-http.js";
import { IDS } from "../helpers/ids.js";
import { logCapture } from "../helpers/refresh-stack.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";
import { gqlUpload } from "../helpers/upload.js";

// A client may leave an answer untaken for 1 s at most (more, and the loopback's socket buffers,
// which grow to tens of MB, take in the whole of a large answer before the bound is reached).
// Bigin's own idle bound is far away, so that what closes a download is the client's stall.
const ENV = {
  REQUEST_IDLE_TIMEOUT_MS: "1000",
  BIGIN_TIMEOUT_MS: "60000",
  BIGIN_MAX_NODES_PER_OPERATION: "20000",
  LOG_LEVEL: "info",
};
const PATIENCE_MS = 15_000;
const STALL_LOG = "closed a connection whose client stopped reading its answer";

// 100 pages of 200 attachments with every field: an answer of about 18 MB, far more than the
// loopback's socket buffers hold, from one Bigin call.
const USER = "{ id name email }";
const FIELDS = `id fileName size fileId type linkUrl editable sharingPermission parent { id name module } createdTime modifiedTime createdBy ${USER} modifiedBy ${USER} owner ${USER} downloadUrl downloadUrlExpiresAt`;
const LARGE_QUERY = `{ record(module: Contacts, id: "${IDS.many}") { module id ${Array.from(
  { length: 100 },
  (_, i) => `a${i}: attachments(first: 200) { nodes { ${FIELDS} } }`,
).join(" ")} } }`;
const FILE_BYTES = 24 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One request over a raw socket whose reading the test controls: `take(n)` lets about n more
 * bytes in (a 64 KB read at most beyond), `takeAll()` the rest. Chunks are kept as they come,
 * so a large answer costs nothing to follow.
 */
class Reader {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  private readonly chunks: Buffer[] = [];
  private quota = 0;
  taken = 0;

  constructor(url: string, request: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect(Number(port), hostname);
    this.socket.on("error", () => {});
    this.socket.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.taken += chunk.length;
      if (this.taken >= this.quota) this.socket.pause();
    });
    this.socket.pause();
    this.closed = new Promise((resolve) => this.socket.once("close", () => resolve()));
    this.socket.write(request);
  }

  /** Reads about `bytes` more, or less when the connection closes first. */
  async take(bytes: number): Promise<void> {
    this.quota = this.taken + bytes;
    this.socket.resume();
    while (!this.socket.isPaused() && !this.socket.destroyed) await sleep(1);
  }

  takeAll(): void {
    this.quota = Infinity;
    this.socket.resume();
  }

  /** The answer's Content-Length and the bytes of its body received so far. */
  progress(): { length: number; received: number } {
    const head = Buffer.concat(this.chunks.slice(0, 4)).toString("latin1");
    const end = head.indexOf("\r\n\r\n");
    if (end === -1) return { length: NaN, received: 0 };
    const length = Number(/content-length: (\d+)/i.exec(head.slice(0, end))?.[1]);
    return { length, received: this.taken - end - 4 };
  }

  complete(): boolean {
    const { length, received } = this.progress();
    return received === length;
  }

  body(): Buffer {
    const all = Buffer.concat(this.chunks);
    return all.subarray(all.indexOf("\r\n\r\n") + 4);
  }
}

describe("clients that stop reading their answer", () => {
  let stack: Stack;
  const logs = logCapture();
  let filePath: string;
  beforeAll(async () => {
    stack = await startStack(ENV, {}, logs);
    const upload = await gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "large.bin", bytes: new Uint8Array(FILE_BYTES) },
    );
    const id = upload.body.data?.uploadAttachment.attachment?.id;
    expect(id, JSON.stringify(upload.body)).toBeDefined();
    filePath = `/files/Contacts/${IDS.empty}/attachments/${id}`;
  });
  afterAll(() => stack.close());

  const stalls = () => logs.lines.filter((line) => line.includes(STALL_LOG)).length;
  const largeQuery = () => {
    const body = JSON.stringify({ query: LARGE_QUERY });
    return (
      requestHead("POST", "/graphql", {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
      }) + body
    );
  };
  const download = () =>
    requestHead("GET", filePath, { authorization: `Zoho-oauthtoken ${DEMO_TOKEN}` });

  /** Sends `request`, reads nothing until the server logs a stall, then takes what is left. */
  async function stallOn(request: string) {
    const before = stalls();
    const reader = new Reader(stack.server.url, request);
    const deadline = Date.now() + PATIENCE_MS;
    while (stalls() === before && Date.now() < deadline) await sleep(100);
    expect(stalls(), "the server never closed the stalled connection").toBe(before + 1);
    reader.takeAll();
    await Promise.race([reader.closed, sleep(PATIENCE_MS)]);
    expect(reader.socket.destroyed, "the connection is still open").toBe(true);
    return reader.progress();
  }

  it("closes the connection of a GraphQL answer nobody reads", async () => {
    const { length, received } = await stallOn(largeQuery());
    expect(length).toBeGreaterThan(12 * 1024 * 1024);
    expect(received).toBeLessThan(length);
    const line = logs.lines.find((entry) => entry.includes(STALL_LOG)) ?? "";
    expect(JSON.parse(line)).toMatchObject({ path: "/graphql", idleTimeoutMs: 1000 });
  });

  it("closes the connection of a download nobody reads", async () => {
    const { length, received } = await stallOn(download());
    expect(length).toBe(FILE_BYTES);
    expect(received).toBeLessThan(length);
  });

  /**
   * Reads 256 KB every 200 ms for 3 s after the first byte (about 1 MB/s, with pauses well
   * under the bound, as a slow network would), then takes the rest at once; resolves with the body.
   */
  async function readSlowly(request: string) {
    const before = stalls();
    const reader = new Reader(stack.server.url, request);
    let started: number | undefined;
    let pauses = 0;
    while (!reader.complete() && !reader.socket.destroyed) {
      if (started !== undefined && Date.now() - started > 3_000) break;
      await reader.take(256 * 1024);
      started ??= Date.now();
      await sleep(200);
      pauses += 1;
    }
    reader.takeAll();
    while (!reader.complete() && !reader.socket.destroyed) await sleep(10);
    const { length, received } = reader.progress();
    expect(received, `the connection closed after ${received} of ${length} bytes`).toBe(length);
    expect(stalls()).toBe(before);
    // Each piece the client takes counts as progress, though the whole answer takes seconds.
    expect(pauses).toBeGreaterThan(8);
    reader.socket.destroy();
    return reader.body();
  }

  it("lets a slow but steady reader take the whole of a large GraphQL answer", async () => {
    const body = await readSlowly(largeQuery());
    expect(JSON.parse(body.toString()).data.record.a99.nodes).toHaveLength(200);
  });

  it("lets a slow but steady reader take the whole of a large download", async () => {
    const body = await readSlowly(download());
    expect(body.length).toBe(FILE_BYTES);
  });
});
