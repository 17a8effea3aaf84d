import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IDS } from "../helpers/ids.js";
import { logCapture } from "../helpers/refresh-stack.js";
import { startStack, type Stack } from "../helpers/stack.js";

const logs = logCapture();
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ LOG_LEVEL: "debug", BIGIN_RETRIES: "1" }, {}, logs);
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.reset();
  logs.lines.length = 0;
});

/** The `bigin` part of the log lines with the given message. */
const logged = (msg: string) =>
  logs
    .text()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { msg: string; requestId?: string; bigin?: unknown })
    .filter((line) => line.msg === msg);

describe("the Bigin call log line", () => {
  it("carries the method beside the operation, path, status and duration", async () => {
    const recordPath = `/Contacts/${IDS.rich}/Attachments`;
    const { body } = await stack.gql(
      `{ record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { id } } } }`,
      undefined,
      { headers: { "x-request-id": "call-log-read" } },
    );
    expect(body.errors).toBeUndefined();
    const removed = await stack.gql(
      `mutation { deleteAttachment(module: Contacts, recordId: "${IDS.rich}", id: "1") { deletedId } }`,
    );
    expect(removed.body.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");

    const calls = logged("Bigin call");
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      requestId: "call-log-read",
      bigin: {
        callId: expect.any(Number),
        method: "GET",
        operation: "GET /:module/:id/Attachments",
        path: recordPath,
        status: 200,
        ms: expect.any(Number),
      },
    });
    expect(calls[1]).toMatchObject({
      bigin: {
        method: "DELETE",
        operation: "DELETE /:module/:id/Attachments/:id",
        path: `${recordPath}/1`,
        status: expect.any(Number),
        code: "INVALID_DATA",
      },
    });
  });

  it("carries the method on a retried read's line too", async () => {
    stack.sandbox.faults.error(500, "INTERNAL_ERROR", { times: 1, path: "/Attachments" });
    const { body } = await stack.gql(
      `{ record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { id } } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(logged("retrying Bigin call")).toEqual([
      expect.objectContaining({
        bigin: expect.objectContaining({
          method: "GET",
          operation: "GET /:module/:id/Attachments",
          attempt: 1,
        }),
      }),
    ]);
    expect(logged("Bigin call").map((line) => line.bigin)).toEqual([
      expect.objectContaining({ method: "GET", status: 500, code: "INTERNAL_ERROR" }),
      expect.objectContaining({ method: "GET", status: 200 }),
    ]);
  });
});
