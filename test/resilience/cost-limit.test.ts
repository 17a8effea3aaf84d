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

describe("operation cost of cursors and mutation payloads", () => {
  it("counts a cursor page that spans two of Bigin's pages as two calls", async () => {
    const { body: first } = await stack.gql<{
      record: { attachments: { pageInfo: { endCursor: string } } };
    }>(
      `{ record(module: Contacts, id: "${IDS.many}") { attachments(first: 10) { pageInfo { endCursor } } } }`,
    );
    stack.reset();
    const query = (n: number) =>
      `query ($after: String) { ${Array.from({ length: n }, (_, i) => `r${i}: record(module: Contacts, id: "${IDS.allWithAttachments[i]!.id}") { attachments(first: 15, after: $after) { nodes { id } } }`).join(" ")} }`;
    const after = first.data!.record.attachments.pageInfo.endCursor;
    const refused = await stack.gql(query(2), { after });
    expect(refused.body.errors![0]!.extensions).toMatchObject({ calls: 4, maxCalls: 3 });
    expect(stack.calls()).toHaveLength(0);
    const served = await stack.gql(query(1), { after });
    expect(served.body.errors).toBeUndefined();
    expect(stack.calls()).toHaveLength(2);
  });

  it("counts the record read after each write of a mutation apart", async () => {
    const link = (alias: string) =>
      `${alias}: attachLink(module: Contacts, recordId: "${IDS.empty}", url: "https://example.com/${alias}") { record { attachments { nodes { id } } } }`;
    const { body } = await stack.gql(`mutation { ${link("a")} ${link("b")} }`);
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "QUERY_TOO_EXPENSIVE",
      calls: 4,
    });
    expect(stack.calls()).toHaveLength(0);
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
