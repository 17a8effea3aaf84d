import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

/** More attachments than Bigin serves by page number: the rest only by page token. */
const HUGE_COUNT = 2300;
const HUGE = "2034020000000199001";

let stack: Stack;
let hugeIds: string[];
beforeAll(async () => {
  stack = await startStack();
  // Added for this file only, so the demo data stays small.
  stack.sandbox.store.addRecord("Contacts", { id: HUGE, name: "Many Pages" });
  hugeIds = Array.from({ length: HUGE_COUNT }, (_, i) => {
    const n = String(i + 1).padStart(4, "0");
    return stack.sandbox.store.addAttachment("Contacts", HUGE, {
      type: "File",
      fileName: `Scan_${n}.pdf`,
      size: 1000 + i,
      contentType: "application/pdf",
    }).id;
  });
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

interface Page {
  edges: Array<{ cursor: string; node: { id: string } & Record<string, unknown> }>;
  nodes: Array<{ id: string }>;
  pageInfo: {
    page: number;
    count: number;
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
    nextPageToken: string | null;
    pageTokenExpiry: string | null;
  };
}
type ErrorList = Array<{ message: string; extensions?: Record<string, unknown> }>;

/** One page of `id`'s attachments, selecting `nodeFields` on each edge's node. */
async function page(
  id: string,
  args: { first?: number; page?: number; after?: string | null },
  nodeFields = "id",
): Promise<{ page: Page | null; errors: ErrorList | undefined }> {
  const { body } = await stack.gql<{ record: { attachments: Page | null } }>(
    `query ($id: ID!, $first: Int, $page: Int, $after: String) {
      record(module: Contacts, id: $id) {
        attachments(first: $first, page: $page, after: $after) {
          edges { cursor node { ${nodeFields} } }
          nodes { id }
          pageInfo { page count hasNextPage hasPreviousPage startCursor endCursor nextPageToken pageTokenExpiry }
        }
      }
    }`,
    { id, ...args },
  );
  return { page: body.data?.record.attachments ?? null, errors: body.errors };
}

const ids = (p: Page | null) => p!.edges.map((edge) => edge.node.id);
const manyIds = () => stack.sandbox.store.listAttachments("Contacts", IDS.many).map((a) => a.id);

describe("attachment cursors", () => {
  it("reads the next page after endCursor with another selection", async () => {
    const first = await page(IDS.many, { first: 200 });
    expect(first.errors).toBeUndefined();
    const second = await page(
      IDS.many,
      { first: 200, after: first.page!.pageInfo.endCursor },
      "id fileName size createdBy { email }",
    );
    expect(second.errors).toBeUndefined();
    expect(ids(second.page)).toEqual(manyIds().slice(200, 400));
    expect(second.page!.edges[0]!.node).toHaveProperty("fileName", expect.any(String));
    expect(second.page!.pageInfo).toMatchObject({ page: 2, hasPreviousPage: true });
    expect(stack.calls().map((c) => c.query.fields)).toEqual([
      "id",
      "Created_By,File_Name,Size,id",
    ]);
  });

  it("gives each edge the cursor after it; the last one is endCursor, and nextPageToken its alias", async () => {
    const { page: p } = await page(IDS.many, { first: 20 });
    expect(p!.edges.at(-1)!.cursor).toBe(p!.pageInfo.endCursor);
    expect(p!.pageInfo.startCursor).toBe(p!.edges[0]!.cursor);
    expect(p!.pageInfo.nextPageToken).toBe(p!.pageInfo.endCursor);
    expect(p!.nodes.map((n) => n.id)).toEqual(ids(p));
    expect(new Set(p!.edges.map((e) => e.cursor)).size).toBe(20);

    const afterFifth = await page(IDS.many, { first: 10, after: p!.edges[4]!.cursor });
    expect(afterFifth.errors).toBeUndefined();
    expect(ids(afterFifth.page)).toEqual(manyIds().slice(5, 15));
  });

  it("follows a cursor with another page size inside the first 2000, in at most two Bigin calls", async () => {
    const first = await page(IDS.many, { first: 100 });
    stack.reset();
    const next = await page(IDS.many, { first: 150, after: first.page!.pageInfo.endCursor });
    expect(next.errors).toBeUndefined();
    expect(ids(next.page)).toEqual(manyIds().slice(100, 250));
    expect(next.page!.pageInfo).toMatchObject({ count: 150, hasNextPage: true });
    expect(stack.calls().map((c) => [c.query.page, c.query.per_page])).toEqual([
      ["1", "150"],
      ["2", "150"],
    ]);
    const last = await page(IDS.many, { first: 200, after: next.page!.pageInfo.endCursor });
    expect(ids(last.page)).toEqual(manyIds().slice(250, 450));
    expect(last.page!.pageInfo).toMatchObject({ hasNextPage: false, nextPageToken: null });
  });

  it("makes one Bigin call for the same cursor page asked twice in an operation", async () => {
    const first = await page(IDS.many, { first: 50 });
    stack.reset();
    const { body } = await stack.gql(
      `query ($after: String) {
        a: record(module: Contacts, id: "${IDS.many}") { attachments(first: 50, after: $after) { nodes { id } } }
        b: record(module: Contacts, id: "${IDS.many}") { attachments(first: 50, after: $after) { edges { node { fileName } } } }
        c: record(module: Contacts, id: "${IDS.many}") { attachments(first: 50, page: 2) { nodes { size } } }
      }`,
      { after: first.page!.pageInfo.endCursor },
    );
    expect(body.errors).toBeUndefined();
    expect(stack.calls()).toHaveLength(1);
    expect(stack.calls()[0]!.query).toMatchObject({
      page: "2",
      per_page: "50",
      fields: "File_Name,Size,id",
    });
  });

  it("refuses page with after, naming both, and a malformed cursor, naming after, before Bigin", async () => {
    const first = await page(IDS.many, { first: 10 });
    stack.reset();
    const both = await page(IDS.many, { page: 2, after: first.page!.pageInfo.endCursor });
    expect(both.errors![0]!.message).toMatch(/`page` and `after`/);
    expect(both.errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argumentNames: ["page", "after"],
    });
    for (const bad of ["not a cursor!", "eyJvIjotMX0", Buffer.from("[1]").toString("base64url")]) {
      const malformed = await page(IDS.many, { after: bad });
      expect(malformed.errors![0]!.extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        argumentName: "after",
      });
    }
    expect(stack.calls()).toHaveLength(0);
  });
});

describe("past Bigin's first 2000 attachments", () => {
  it("pages on with Bigin's page token, whatever the selection of each page", async () => {
    const selections = ["id", "id fileName", "id size downloadUrl", "id parent { module }"];
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result = await page(HUGE, { first: 200, after }, selections[pages % 4]);
      expect(result.errors).toBeUndefined();
      seen.push(...ids(result.page));
      pages += 1;
      if (!result.page!.pageInfo.hasNextPage) break;
      after = result.page!.pageInfo.endCursor;
    }
    expect(pages).toBe(12);
    expect(seen).toEqual(hugeIds);

    const calls = stack.calls();
    expect(calls).toHaveLength(12);
    // Pages 1–9 ask for what they select; page 10 (the last Bigin serves by number) and the
    // token pages ask for one canonical set, so the token's field binding always holds.
    expect(calls.slice(0, 9).every((c) => c.query.page_token === undefined)).toBe(true);
    expect(calls[0]!.query.fields).toBe("id");
    const canonical = calls[9]!.query.fields!;
    expect(canonical.split(",")).toEqual(
      expect.arrayContaining(["File_Name", "Size", "$type", "Parent_Id", "$se_module"]),
    );
    expect(calls[9]!.query).toMatchObject({ page: "10", per_page: "200" });
    for (const call of calls.slice(10)) {
      expect(call.query).toMatchObject({ fields: canonical, per_page: "200" });
      expect(call.query.page_token).toEqual(expect.any(String));
      expect(call.query).not.toHaveProperty("page");
      expect(call.status).toBe(200);
    }
  });

  it("says the cursor's token expires, and what changed when Bigin cannot follow", async () => {
    const tenth = await page(HUGE, { first: 200, page: 10 });
    const info = tenth.page!.pageInfo;
    expect(Date.parse(info.pageTokenExpiry!)).toBeGreaterThan(Date.now());
    const inside = await page(HUGE, { first: 200, page: 9 });
    expect(inside.page!.pageInfo.pageTokenExpiry).toBeNull();
    stack.reset();

    const resized = await page(HUGE, { first: 100, after: info.endCursor });
    expect(resized.page).toBeNull();
    expect(resized.errors![0]!.message).toMatch(/`first` changed from 200 to 100/);
    expect(resized.errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argumentName: "first",
    });
    const midPage = await page(HUGE, { first: 200, after: tenth.page!.edges[10]!.cursor });
    expect(midPage.errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argumentName: "after",
    });
    expect(stack.calls()).toHaveLength(0);

    // A smaller page that still ends inside the first 2000 needs no token.
    const small = await page(HUGE, { first: 100, after: tenth.page!.edges[49]!.cursor });
    expect(small.errors).toBeUndefined();
    expect(ids(small.page)).toEqual(hugeIds.slice(1850, 1950));
  });
});
