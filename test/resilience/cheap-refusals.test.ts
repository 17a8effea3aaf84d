import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { multipartParts, uploadHeaders, uploadOperations } from "../helpers/multipart.js";
import { RawConnection, requestHead } from "../helpers/raw-http.js";
import { UPSTREAMS, type Target } from "../helpers/upstreams.js";

const MB = 1024 * 1024;

// graphql-upload spools each file to os.tmpdir(): a folder of this file's own, to see them go.
const spool = mkdtempSync(join(tmpdir(), "cheap-refusals-"));
const spooled = () => readdirSync(spool).filter((name) => name.startsWith("capacitor-"));
const previousTmp = process.env.TMPDIR;
beforeAll(() => {
  process.env.TMPDIR = spool;
});
afterAll(() => {
  if (previousTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmp;
  rmSync(spool, { recursive: true, force: true });
});

describe.each(UPSTREAMS)("against $name", (upstream) => {
  let target: Target;
  beforeAll(async () => {
    target = await upstream.start({ BIGIN_MAX_ATTACHMENT_MB: "1" });
  });
  afterAll(() => target.close());

  const open = () => new RawConnection(target.server.url);
  /** An upload's headers alone, asking with `Expect: 100-continue` whether to send its body. */
  const askToSend = (size: number, token: string | undefined) => {
    const connection = open();
    const headers = uploadHeaders(size, token, { expect: "100-continue" });
    connection.write(requestHead("POST", "/graphql", headers));
    return connection;
  };
  const head = (operations: string, name: string) =>
    multipartParts(operations, { name, bytes: Buffer.alloc(0) }).head;

  // Answered as the other refusals of an operation that never ran: 401 for a client that asks
  // for application/graphql-response+json (Apollo Client does), 200 for application/json.
  it.each([
    ["application/graphql-response+json, application/json;q=0.9", 401],
    ["application/json", 200],
  ])(
    "refuses an upload with no credential of any kind before reading its body (Accept: %s)",
    async (accept, status) => {
      const calls = target.biginCalls();
      const connection = open();
      const size = 150 * MB;
      const headers = uploadHeaders(size, undefined, { accept });
      connection.write(requestHead("POST", "/graphql", headers));
      const written = await connection.pour(size);
      const answer = await connection.answer();
      expect(answer.status).toBe(status);
      expect(answer.headers["content-type"]).toContain(accept.split(",")[0]);
      expect(JSON.parse(answer.body).errors[0]).toMatchObject({
        message: expect.stringContaining("Authorization"),
        extensions: { code: "UNAUTHENTICATED" },
      });
      expect(answer.headers.connection).toBe("close");
      await connection.closed;
      // What the socket buffers took in before the answer, not the 150 MB.
      expect(written).toBeLessThan(16 * MB);
      expect(target.biginCalls()).toBe(calls);
    },
  );

  it("does not invite the body of a hopeless upload with 100 Continue", async () => {
    const connection = askToSend(150 * MB, undefined);
    const answer = await connection.answer();
    expect(JSON.parse(answer.body).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(connection.text()).not.toMatch(/^HTTP\/1\.1 100/);
    await connection.closed;
  });

  it("refuses a declared length over the limit before reading it", async () => {
    const connection = askToSend(400 * MB, target.token);
    const answer = await connection.answer();
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      code: "PAYLOAD_TOO_LARGE",
      message: expect.stringContaining("BIGIN_MAX_ATTACHMENT_MB"),
    });
    expect(connection.text()).not.toMatch(/^HTTP\/1\.1 100/);
    await connection.closed;
  });

  it("invites the body of an upload that may succeed with 100 Continue", async () => {
    const connection = askToSend(1000, target.token);
    await expect.poll(() => connection.text()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    connection.close();
  });

  /**
   * Sends an upload chunked (no declared length to refuse it by): its head, then up to 100 MB
   * of file as fast as the server takes it, stopping at the answer. Resolves with the answer
   * and the file bytes written.
   */
  async function chunkedUpload(fileName: string) {
    const size = 100 * MB;
    const connection = open();
    const headers: Record<string, string | number> = {
      ...uploadHeaders(0, target.token),
      "transfer-encoding": "chunked",
    };
    delete headers["content-length"];
    connection.write(requestHead("POST", "/graphql", headers));
    const chunked = (bytes: Buffer) =>
      Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from("\r\n")]);
    connection.write(chunked(head(uploadOperations(target.recordId), fileName)));
    const framed = chunked(Buffer.alloc(64 * 1024));
    let written = 0;
    while (written < size && !connection.answered() && connection.write(framed)) {
      written += 64 * 1024;
      // Let the socket drain now and then, and the answer in.
      if (written % MB === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const answer = await connection.answer();
    await connection.closed;
    return { answer, written, size };
  }

  it("stops reading an upload named .exe the moment it is refused, and removes its file", async () => {
    const calls = target.biginCalls();
    const { answer, written, size } = await chunkedUpload("setup.exe. .");
    expect(JSON.parse(answer.body).errors[0]).toMatchObject({
      message: "Bigin does not accept .exe files",
      extensions: { code: "BAD_USER_INPUT", argumentName: "file" },
    });
    expect(answer.headers.connection).toBe("close");
    expect(written).toBeLessThan(size);
    await expect.poll(spooled).toEqual([]);
    expect(target.biginCalls()).toBe(calls);
  });

  it("stops reading an upload once its file is over the limit, and removes its file", async () => {
    const calls = target.biginCalls();
    const { answer, written, size } = await chunkedUpload("big.bin");
    expect(JSON.parse(answer.body).errors[0]).toMatchObject({
      message: expect.stringContaining("larger than Bigin's attachment limit"),
      extensions: { code: "BAD_USER_INPUT", argumentName: "file" },
    });
    expect(answer.headers.connection).toBe("close");
    expect(written).toBeLessThan(size);
    await expect.poll(spooled).toEqual([]);
    expect(target.biginCalls()).toBe(calls);
  });
});
