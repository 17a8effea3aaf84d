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
    expect(status).toBe(200);
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
      `query ($after: String) { ${Array.from({ length: n }, (_, i) => `r${i}: record(module: Contacts, id: "${IDS.allWithAttachments[i]!.id}") { attachments(first: 190, after: $after) { nodes { id } } }`).join(" ")} }`;
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

/** `n` aliased `record { attachments }` fields, each a distinct record page (one Bigin call). */
const aliasedPages = (n: number, directive = "") =>
  `{ ${Array.from(
    { length: n },
    (_, i) =>
      `a${i}: record(module: Contacts, id: "${IDS.many}") ${directive} { attachments(first: 1, page: ${i + 1}) { nodes { id } } }`,
  ).join("\n")} }`;

function expectTooExpensive(
  response: Awaited<ReturnType<Stack["gql"]>>,
  calls: number,
  max: number,
) {
  expect(response.status).toBe(200);
  expect(response.body.data).toBeUndefined();
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors![0]).toMatchObject({
    message: expect.stringContaining(`${calls} Bigin calls; the limit is ${max}`),
    extensions: { code: "QUERY_TOO_EXPENSIVE", calls, maxCalls: max },
  });
}

describe("the call limit speaks before the document caps", () => {
  let defaults: Stack;
  beforeAll(async () => {
    defaults = await startStack();
  });
  afterAll(() => defaults.close());
  beforeEach(() => defaults.reset());

  it.each([101, 300])(
    "refuses %i aliased record pages with QUERY_TOO_EXPENSIVE at the default limit of 100",
    async (n) => {
      expectTooExpensive(await defaults.gql(aliasedPages(n)), n, 100);
      expect(defaults.calls()).toHaveLength(0);
    },
  );

  it("refuses 101 record pages that each carry a directive with QUERY_TOO_EXPENSIVE", async () => {
    expectTooExpensive(await defaults.gql(aliasedPages(101, "@include(if: true)")), 101, 100);
    expect(defaults.calls()).toHaveLength(0);
  });

  it("still refuses documents far above what the call limit lets run, naming the cap", async () => {
    const cheap = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: record(module: Contacts, id: "1") { id }`).join(" ")} }`;
    const aliases = await defaults.gql(cheap(501));
    expect(aliases.status).toBe(200);
    expect(aliases.body.errors![0]).toMatchObject({
      message:
        "Document limit: the operation has 501 aliases; at most 500 are accepted. Send a smaller operation.",
      extensions: {
        code: "GRAPHQL_VALIDATION_FAILED",
        limit: { name: "aliases", max: 500, found: 501 },
      },
    });
    const tokens = await defaults.gql(
      `{ ${Array.from({ length: 10_100 }, () => "__typename").join(" ")} }`,
    );
    expect(tokens.status).toBe(200);
    expect(tokens.body.errors![0]).toMatchObject({
      message: expect.stringMatching(/^Document limit: the operation has more than 10000 tokens/),
      extensions: { code: "GRAPHQL_PARSE_FAILED", limit: { name: "tokens", max: 10_000 } },
    });
    expect(defaults.calls()).toHaveLength(0);
  });
});

describe("with BIGIN_MAX_CALLS_PER_OPERATION=500", () => {
  let raised: Stack;
  beforeAll(async () => {
    raised = await startStack({ BIGIN_MAX_CALLS_PER_OPERATION: "500" });
  });
  afterAll(() => raised.close());
  beforeEach(() => raised.reset());

  it("runs an operation of 500 aliased record pages: 500 Bigin calls", async () => {
    const { status, body } = await raised.gql(aliasedPages(500));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(Object.keys(body.data!)).toHaveLength(500);
    expect(raised.calls()).toHaveLength(500);
  });

  it("refuses 501 with QUERY_TOO_EXPENSIVE and no Bigin call", async () => {
    expectTooExpensive(await raised.gql(aliasedPages(501)), 501, 500);
    expect(raised.calls()).toHaveLength(0);
  });
});

describe("document caps", () => {
  const expectCap = (
    response: Awaited<ReturnType<Stack["gql"]>>,
    message: string,
    limit: Record<string, unknown>,
  ) => {
    expect(response.status).toBe(200);
    expect(response.body.errors![0]).toMatchObject({ message, extensions: { limit } });
    expect(response.body.errors![0]!.message).not.toMatch(/syntax error/i);
    expect(stack.calls()).toHaveLength(0);
  };

  it("refuses more than 100 aliases", async () => {
    const query = `{ ${Array.from({ length: 101 }, (_, i) => `a${i}: record(module: Contacts, id: "1") { id }`).join(" ")} }`;
    expectCap(
      await stack.gql(query),
      "Document limit: the operation has 101 aliases; at most 100 are accepted. Send a smaller operation.",
      { name: "aliases", max: 100, found: 101 },
    );
  });

  it("refuses a document of more than 5000 tokens", async () => {
    const query = `{ ${Array.from({ length: 5100 }, () => "__typename").join(" ")} }`;
    expectCap(
      await stack.gql(query),
      "Document limit: the operation has more than 5000 tokens (names, punctuation and values); at most 5000 are accepted. Send a smaller operation.",
      { name: "tokens", max: 5000 },
    );
  });

  it("refuses more than 50 directives", async () => {
    const query = `{ __typename ${Array.from({ length: 51 }, () => "@skip(if: false)").join(" ")} }`;
    expectCap(
      await stack.gql(query),
      "Document limit: the operation has 51 directives; at most 50 are accepted. Send a smaller operation.",
      { name: "directives", max: 50, found: 51 },
    );
  });
});

describe("list items (BIGIN_MAX_NODES_PER_OPERATION)", () => {
  let defaults: Stack;
  beforeAll(async () => {
    defaults = await startStack();
  });
  afterAll(() => defaults.close());
  beforeEach(() => defaults.reset());

  /** `n` aliases of one 200-attachment page each, after a cursor of its own (all one Bigin page). */
  /** `n` aliases of the record's two pages of 200: two Bigin calls, `n` × 200 attachments. */
  const aliasedPages = (n: number) =>
    `{ record(module: Contacts, id: "${IDS.many}") { ${Array.from(
      { length: n },
      (_, i) => `a${i}: attachments(first: 200, page: ${1 + (i % 2)}) { nodes { id fileName } }`,
    ).join("\n")} } }`;

  it("refuses hundreds of aliased 200-item pages (few Bigin calls, a huge answer) before any call", async () => {
    const { status, body } = await defaults.gql(aliasedPages(120));
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      message: expect.stringContaining(
        "could return 24000 attachments (`first` for each `edges` and `nodes` list); the limit is 5000 (BIGIN_MAX_NODES_PER_OPERATION)",
      ),
      extensions: { code: "QUERY_TOO_EXPENSIVE", nodes: 24_000, maxNodes: 5000, maxCalls: 100 },
    });
    expect(body.errors![0]!.message).not.toContain("Bigin calls");
    expect(defaults.calls()).toHaveLength(0);
  });

  it("runs the same at the limit: 25 pages of 200", async () => {
    const { body } = await defaults.gql(aliasedPages(25));
    expect(body.errors).toBeUndefined();
    expect(Object.keys((body.data as { record: object }).record)).toHaveLength(25);
    // The loaders make the aliases of one page one Bigin call.
    expect(defaults.calls()).toHaveLength(2);
  });

  it("names both limits when both are passed", async () => {
    const query = `{ ${Array.from(
      { length: 101 },
      (_, i) =>
        `a${i}: record(module: Contacts, id: "${IDS.many}") { attachments(page: ${i + 1}, first: 19) { nodes { id } edges { cursor } n: nodes { id } } }`,
    ).join(" ")} }`;
    const { body } = await defaults.gql(query);
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "QUERY_TOO_EXPENSIVE",
      calls: 101,
      nodes: 101 * 19 * 3,
    });
    expect(body.errors![0]!.message).toMatch(
      /101 Bigin calls.*, and could return 5757 attachments/,
    );
    expect(defaults.calls()).toHaveLength(0);
  });
});
