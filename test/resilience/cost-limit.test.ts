import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ BIGIN_MAX_CALLS_PER_OPERATION: "3" });
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const recordsQuery = (n: number) =>
  `{ ${IDS.allWithAttachments
    .slice(0, n)
    .map(
      (r, i) =>
        `r${i}: record(module: ${r.module}, id: "${r.id}") { attachments(first: 5) { nodes { id } } }`,
    )
    .join("\n")} }`;

describe("operation cost", () => {
  it("runs an operation within BIGIN_MAX_CALLS_PER_OPERATION", async () => {
    const { body } = await stack.gql(recordsQuery(3));
    expect(body.errors).toBeUndefined();
    expect(stack.calls()).toHaveLength(3);
  });

  it("refuses an operation above it with QUERY_TOO_EXPENSIVE and no Bigin call", async () => {
    const { status, body } = await stack.gql(recordsQuery(4));
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors![0]).toMatchObject({
      message: expect.stringContaining("4 Bigin calls; the limit is 3"),
      extensions: { code: "QUERY_TOO_EXPENSIVE", calls: 4, maxCalls: 3 },
    });
    expect(stack.calls()).toHaveLength(0);
  });

  it("does not count duplicated aliases of one page twice", async () => {
    const query = `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { id } } }`).join("\n")} }`;
    const { body } = await stack.gql(query);
    expect(body.errors).toBeUndefined();
    expect(stack.calls()).toHaveLength(1);
  });
});

describe("document caps", () => {
  it("refuses more than 100 aliases", async () => {
    const query = `{ ${Array.from({ length: 101 }, (_, i) => `a${i}: record(module: Contacts, id: "1") { id }`).join(" ")} }`;
    const { status, body } = await stack.gql(query);
    expect(status).toBe(400);
    expect(body.errors![0]!.message).toMatch(/aliases/i);
  });

  it("refuses a document of more than 5000 tokens", async () => {
    const query = `{ ${Array.from({ length: 5100 }, () => "__typename").join(" ")} }`;
    const { status, body } = await stack.gql(query);
    expect(status).toBe(400);
    expect(body.errors![0]!.message).toMatch(/token/i);
    expect(stack.calls()).toHaveLength(0);
  });

  it("refuses more than 50 directives", async () => {
    const query = `{ __typename ${Array.from({ length: 51 }, () => "@skip(if: false)").join(" ")} }`;
    const { status, body } = await stack.gql(query);
    expect(status).toBe(400);
    expect(body.errors![0]!.message).toMatch(/directive/i);
  });
});
