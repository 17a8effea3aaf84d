import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOUNDARY, multipartParts, uploadHeaders, uploadOperations } from "../helpers/multipart.js";
import { RawConnection, requestHead } from "../helpers/raw-http.js";
import { logCapture } from "../helpers/refresh-stack.js";
import { UPSTREAMS, type Target } from "../helpers/upstreams.js";

// Small bounds so that the tests are quick: a body may pause 1 s at most and must average
// 2000 bytes/s over each second.
const BOUNDS = { REQUEST_IDLE_TIMEOUT_MS: "1000", REQUEST_MIN_BYTES_PER_SECOND: "2000" };
// Far more than the bounds allow: a server that does not cut a slow body fails the test
// instead of hanging it.
const PATIENCE_MS = 12_000;

describe.each(UPSTREAMS)("against $name", (upstream) => {
  let target: Target;
  const logs = logCapture();
  beforeAll(async () => {
    target = await upstream.start({ ...BOUNDS, LOG_LEVEL: "debug" }, logs);
  });
  afterAll(() => target.close());

  const open = () => new RawConnection(target.server.url);
  const json = (length: number) =>
    requestHead("POST", "/graphql", {
      "content-type": "application/json",
      "content-length": length,
      authorization: `Zoho-oauthtoken ${target.token}`,
    });
  const within = <T>(promise: Promise<T>) =>
    Promise.race([
      promise,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("no answer in time")), PATIENCE_MS),
      ),
    ]);

  describe("slow bodies", () => {
    it("cuts a JSON body that trickles in a byte at a time with 408, naming the bound", async () => {
      const connection = open();
      connection.write(json(100_000));
      void connection.trickle("{", 100);
      const answer = await within(connection.answer());
      expect(answer.status).toBe(408);
      expect(answer.headers.connection).toBe("close");
      expect(JSON.parse(answer.body)).toEqual({
        code: "REQUEST_TIMEOUT",
        message: expect.stringContaining("REQUEST_MIN_BYTES_PER_SECOND"),
      });
      await within(connection.closed);
    });

    it("cuts a body that stops arriving with 408", async () => {
      const connection = open();
      // More than a second's worth at the minimum rate, then nothing.
      connection.write(json(10_000) + `{"query": "{ __typename }", "x": "${"x".repeat(3000)}`);
      const answer = await within(connection.answer());
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body).message).toMatch(
        /nothing for 1000 ms.*REQUEST_IDLE_TIMEOUT_MS/,
      );
      await within(connection.closed);
    });

    it("cuts an upload whose file trickles in, and makes no Bigin call", async () => {
      const calls = target.biginCalls();
      const parts = multipartParts(uploadOperations(target.recordId), {
        name: "slow.bin",
        bytes: Buffer.alloc(1_000_000),
      });
      const length = parts.head.length + parts.file.length + parts.tail.length;
      const connection = open();
      connection.write(requestHead("POST", "/graphql", uploadHeaders(length, target.token)));
      connection.write(parts.head);
      void connection.trickle(Buffer.alloc(10), 100);
      const answer = await within(connection.answer());
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body).code).toBe("REQUEST_TIMEOUT");
      await within(connection.closed);
      expect(target.biginCalls()).toBe(calls);
    });

    it("answers a GET with a body nobody reads, and closes its connection", async () => {
      const connection = open();
      connection.write(requestHead("GET", "/healthz", { "content-length": 100_000 }));
      void connection.trickle("x", 100);
      const answer = await within(connection.answer());
      expect(answer.status).toBe(200);
      expect(answer.headers.connection).toBe("close");
      await within(connection.closed);
    });

    it("lets a slow but steady upload through, however long it takes in total", async () => {
      const parts = multipartParts(uploadOperations(target.recordId), {
        name: "steady.bin",
        bytes: Buffer.alloc(640 * 1024, 7),
      });
      const length = parts.head.length + parts.file.length + parts.tail.length;
      const connection = open();
      connection.write(requestHead("POST", "/graphql", uploadHeaders(length, target.token)));
      connection.write(parts.head);
      // 16 KiB every 100 ms: about 160 KB/s, for about 4 s (four times the idle bound).
      const started = Date.now();
      for (let offset = 0; offset < parts.file.length; offset += 16 * 1024) {
        connection.write(parts.file.subarray(offset, offset + 16 * 1024));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      connection.write(parts.tail);
      const answer = await within(connection.answer());
      expect(Date.now() - started).toBeGreaterThan(3 * Number(BOUNDS.REQUEST_IDLE_TIMEOUT_MS));
      expect(answer.status, answer.body).toBe(200);
      expect(JSON.parse(answer.body).data.uploadAttachment.attachment).toMatchObject({
        fileName: "steady.bin",
        size: 640 * 1024,
      });
      connection.close();
    });
  });

  describe("malformed multipart requests", () => {
    const operations = () => uploadOperations(target.recordId);
    const whole = (name: string, bytes = Buffer.from("hello")) => {
      const parts = multipartParts(operations(), { name, bytes });
      return Buffer.concat([parts.head, parts.file, parts.tail]);
    };
    /** A whole body whose head (operations, map, the file part's headers) is edited. */
    const withHead = (name: string, edit: (head: string) => string) => {
      const parts = multipartParts(operations(), { name, bytes: Buffer.from("a") });
      return Buffer.concat([Buffer.from(edit(parts.head.toString())), parts.file, parts.tail]);
    };
    const CASES: Array<{
      name: string;
      contentType?: string;
      body: () => Buffer;
      status: number;
      says: RegExp;
    }> = [
      {
        name: "no boundary",
        contentType: "multipart/form-data",
        body: () => Buffer.alloc(0),
        status: 400,
        says: /needs a boundary/,
      },
      {
        name: "no boundary, and a body",
        contentType: "multipart/form-data",
        body: () => whole("a.txt"),
        status: 400,
        says: /needs a boundary/,
      },
      {
        name: "a boundary with a JSON body",
        body: () => Buffer.from(JSON.stringify({ query: "{ __typename }" })),
        status: 400,
        says: /Malformed multipart request: Unexpected end of form/,
      },
      {
        name: "a body truncated before its map",
        body: () => whole("a.txt").subarray(0, 120),
        status: 400,
        says: /Malformed multipart request: Unexpected end of form/,
      },
      {
        name: "a body truncated inside the file",
        body: () => whole("a.txt", Buffer.alloc(5000, 1)).subarray(0, -100),
        status: 400,
        says: /did not arrive whole.*Unexpected end of form/,
      },
      {
        name: "a file part with an empty filename",
        body: () => whole(""),
        status: 400,
        says: /needs a non-empty filename/,
      },
      {
        name: "a file part with an empty filename, sent as text",
        body: () => withHead("", (head) => head.replace("application/octet-stream", "text/plain")),
        status: 400,
        says: /needs a non-empty filename/,
      },
      {
        name: "a 70 000-character filename",
        body: () => whole(`${"a".repeat(70_000)}.txt`),
        status: 400,
        says: /Malformed part header.*16 KB/,
      },
      {
        name: "operations that are not JSON",
        body: () =>
          Buffer.from(
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{ nope\r\n--${BOUNDARY}--\r\n`,
          ),
        status: 400,
        says: /Invalid JSON in the ‘operations’ multipart field/,
      },
      {
        name: "a map of two files where one is allowed",
        body: () => withHead("a.txt", (head) => head.replace('{"0":', '{"1":["x"],"0":')),
        status: 413,
        says: /max file uploads exceeded/,
      },
    ];

    it.each(CASES)(
      "answers $name at once with a 4xx naming it, no stack trace, no error logged",
      async ({ contentType, body, status, says }) => {
        const calls = target.biginCalls();
        const errorsLogged = logs.lines.filter((line) => /"level":[56]0/.test(line)).length;
        const bytes = body();
        const connection = open();
        const headers = uploadHeaders(bytes.length, target.token);
        if (contentType) headers["content-type"] = contentType;
        connection.write(requestHead("POST", "/graphql", headers));
        connection.write(bytes);
        const answer = await within(connection.answer());
        connection.close();
        expect(answer.status, answer.body).toBe(status);
        expect(answer.body).toMatch(says);
        expect(answer.body).not.toMatch(/\bat .+\.(?:js|ts|mjs):\d+/);
        expect(logs.lines.filter((line) => /"level":[56]0/.test(line))).toHaveLength(errorsLogged);
        expect(target.biginCalls()).toBe(calls);
      },
    );

    it("keeps serving after all of it", async () => {
      const response = await fetch(`${target.server.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Zoho-oauthtoken ${target.token}`,
        },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(await response.json()).toEqual({ data: { __typename: "Query" } });
    });
  });
});
