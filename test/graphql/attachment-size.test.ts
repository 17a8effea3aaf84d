import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

interface Sizes {
  record: { attachments: { nodes: Array<{ id: string; size: number | null }> } | null };
}
const sizesOf = (recordId: string) =>
  stack.gql<Sizes>(
    `{ record(module: Contacts, id: "${recordId}") { attachments { nodes { id size } } } }`,
  );

/** Bigin's answer to a list call, with `Size` values exactly as given. */
function answerWithSizes(sizes: Record<string, unknown>) {
  stack.sandbox.faults.add({
    path: "/Attachments",
    times: 1,
    status: 200,
    body: {
      data: Object.entries(sizes).map(([id, size]) =>
        size === undefined ? { id } : { id, Size: size },
      ),
      info: { per_page: 200, count: Object.keys(sizes).length, page: 1, more_records: false },
    },
  });
}

describe("Attachment.size", () => {
  it("holds a size above 2^31 − 1 that Bigin stores and sends", async () => {
    const record = IDS.empty;
    const big = stack.sandbox.store.addAttachment("Contacts", record, {
      type: "File",
      fileName: "Site_Survey_Footage.mp4",
      size: 5 * 2 ** 30,
      contentType: "video/mp4",
    });
    try {
      const { body } = await sizesOf(record);
      expect(body.errors).toBeUndefined();
      expect(body.data!.record.attachments!.nodes).toEqual([{ id: big.id, size: 5_368_709_120 }]);
    } finally {
      stack.sandbox.store.deleteAttachment("Contacts", record, big.id);
    }
  });

  it("is an UNREPRESENTABLE_VALUE error on that field alone for a size past 2^53 − 1 or not a byte count", async () => {
    answerWithSizes({
      "1": "9007199254740991",
      "2": "9007199254740993",
      "3": "12.5",
      "4": undefined,
      "5": "",
      "6": "4294967296",
    });
    const { status, body } = await sizesOf(IDS.rich);
    expect(status).toBe(200);
    expect(body.data!.record.attachments!.nodes).toEqual([
      { id: "1", size: Number.MAX_SAFE_INTEGER },
      { id: "2", size: null },
      { id: "3", size: null },
      { id: "4", size: null },
      { id: "5", size: null },
      { id: "6", size: 4_294_967_296 },
    ]);
    expect(body.errors).toHaveLength(2);
    expect(body.errors![0]).toMatchObject({
      path: ["record", "attachments", "nodes", 1, "size"],
      message: expect.stringContaining('Bigin sent Size "9007199254740993", which is above'),
      extensions: {
        code: "UNREPRESENTABLE_VALUE",
        retryable: false,
        bigin: { field: "Size", value: "9007199254740993" },
      },
    });
    expect(body.errors![1]).toMatchObject({
      path: ["record", "attachments", "nodes", 2, "size"],
      message: 'Bigin sent Size "12.5", which is not a byte count',
      extensions: { code: "UNREPRESENTABLE_VALUE" },
    });
  });
});
