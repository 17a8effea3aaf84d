import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

/** More attachments than Bigin serves by page number: the rest only by page token. */
const HUGE_COUNT = 2300;
const HUGE = "2034020000000199001";
/** Just past Bigin's 2000, for paging with random page sizes. */
const ODD_COUNT = 2101;
const ODD = "2034020000000199002";

let stack: Stack;
let hugeIds: string[];
let oddIds: string[];

function fill(id: string, count: number, prefix: string): string[] {
  stack.sandbox.store.addRecord("Contacts", { id, name: `${prefix} pages` });
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, "0");
    return stack.sandbox.store.addAttachment("Contacts", id, {
      type: "File",
      fileName: `${prefix}_${n}.pdf`,
      size: 1000 + i,
      contentType: "application/pdf",
    }).id;
  });
}

beforeAll(async () => {
  stack = await startStack();
  // Added for this file only, so the demo data stays small.
  hugeIds = fill(HUGE, HUGE_COUNT, "Scan");
  oddIds = fill(ODD, ODD_COUNT, "Odd");
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
const listed = (id: string) => stack.sandbox.store.listAttachments("Contacts", id).map((a) => a.id);

/** Reads the whole list of `id` with pages of the sizes `firsts` gives in turn. */
async function readAll(id: string, firsts: readonly number[]): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let i = 0; ; i += 1) {
    const result = await page(id, { first: firsts[i % firsts.length]!, after });
    expect(result.errors).toBeUndefined();
    seen.push(...ids(result.page));
    if (!result.page!.pageInfo.hasNextPage) return seen;
    after = result.page!.pageInfo.endCursor;
  }
}

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
    expect(ids(second.page)).toEqual(listed(IDS.many).slice(200, 400));
    expect(second.page!.edges[0]!.node).toHaveProperty("fileName", expect.any(String));
    expect(second.page!.pageInfo).toMatchObject({ page: 2, hasPreviousPage: true });
    const [firstCall, ...rest] = stack.calls().map((c) => c.query.fields);
    expect(firstCall).toBe("id");
    expect(rest.length).toBeGreaterThan(0);
    for (const fields of rest) expect(fields).toBe("Created_By,File_Name,Size,id");
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
    expect(ids(afterFifth.page)).toEqual(listed(IDS.many).slice(5, 15));
  });

  it("follows a cursor with any page size inside the first 2000, in at most two Bigin calls", async () => {
    for (const [from, size] of [
      [100, 150],
      [250, 7],
      [257, 193],
      [1, 200],
    ] as const) {
      const after = await cursorAt(IDS.many, from);
      stack.reset();
      const next = await page(IDS.many, { first: size, after });
      expect(next.errors).toBeUndefined();
      expect(ids(next.page)).toEqual(listed(IDS.many).slice(from, from + size));
      expect(stack.calls().length).toBeLessThanOrEqual(2);
    }
  });

  it("makes the same Bigin calls for the same cursor page asked twice in an operation", async () => {
    const first = await page(IDS.many, { first: 50 });
    stack.reset();
    await page(IDS.many, { first: 50, after: first.page!.pageInfo.endCursor });
    const alone = stack.calls().length;
    stack.reset();
    const { body } = await stack.gql(
      `query ($after: String) {
        a: record(module: Contacts, id: "${IDS.many}") { attachments(first: 50, after: $after) { nodes { id } } }
        b: record(module: Contacts, id: "${IDS.many}") { attachments(first: 50, after: $after) { edges { node { fileName } } } }
      }`,
      { after: first.page!.pageInfo.endCursor },
    );
    expect(body.errors).toBeUndefined();
    expect(stack.calls()).toHaveLength(alone);
    for (const call of stack.calls()) expect(call.query.fields).toBe("File_Name,id");
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
    for (const bad of [
      "not a cursor!",
      "eyJvIjotMX0",
      Buffer.from("[1]").toString("base64url"),
      Buffer.from('{"o":5,"a":"not an id"}').toString("base64url"),
    ]) {
      const malformed = await page(IDS.many, { after: bad });
      expect(malformed.errors![0]!.extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        argumentName: "after",
      });
    }
    expect(stack.calls()).toHaveLength(0);
  });

  it("reaches every attachment exactly once, whatever the sequence of page sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 12 }),
        async (firsts) => {
          expect(await readAll(ODD, firsts)).toEqual(oddIds);
        },
      ),
      { numRuns: 12, endOnFailure: true },
    );
  }, 120_000);

  it("crosses Bigin's 2000th attachment with any page size", async () => {
    for (const [from, size] of [
      [1990, 20],
      [1882, 200],
      [1882, 118],
      [1999, 1],
      [1801, 199],
    ] as const) {
      const next = await page(ODD, { first: size, after: await cursorAt(ODD, from) });
      expect(next.errors).toBeUndefined();
      expect(ids(next.page)).toEqual(oddIds.slice(from, from + size));
      const again = await page(ODD, { first: 50, after: next.page!.pageInfo.endCursor });
      expect(ids(again.page)).toEqual(oddIds.slice(from + size, from + size + 50));
    }
  });
});

describe("cursors anchored on their attachment", () => {
  const ANCHORED = "2034020000000199003";
  let names: Map<string, string>;

  beforeAll(() => {
    const made = fill(ANCHORED, 30, "f");
    names = new Map(made.map((id, i) => [id, `f${String(i + 1).padStart(2, "0")}`]));
  });

  /** File names (f01…) of the list now, to restore it after each test. */
  let original: string[];
  beforeEach(() => {
    original = listed(ANCHORED);
  });

  const nameOf = (p: Page | null) => ids(p).map((id) => names.get(id) ?? "new");
  const remove = (...wanted: string[]) => {
    for (const [id, name] of names) {
      if (wanted.includes(name)) stack.sandbox.store.deleteAttachment("Contacts", ANCHORED, id);
    }
  };
  const insertAtStart = (count: number) => {
    for (let i = 0; i < count; i += 1) {
      stack.sandbox.store.addAttachment(
        "Contacts",
        ANCHORED,
        { type: "Link URL", title: `inserted ${i}`, linkUrl: "https://example.com/" },
        0,
      );
    }
  };
  const restore = () => {
    for (const id of listed(ANCHORED)) {
      stack.sandbox.store.deleteAttachment("Contacts", ANCHORED, id);
    }
    // Re-add in the original order with the original ids.
    for (const id of original) {
      const name = names.get(id)!;
      stack.sandbox.store.addAttachment("Contacts", ANCHORED, {
        id,
        type: "File",
        fileName: `${name}.pdf`,
        size: 1,
        contentType: "application/pdf",
      });
    }
  };

  // Also after a failed test, so that the next one starts from the same list.
  afterEach(restore);

  const fNames = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `f${String(from + i).padStart(2, "0")}`);

  /** The first 15 (f01…f15), as a list shows them before anything changes. */
  async function firstFifteen(): Promise<Page> {
    const first = await page(ANCHORED, { first: 15 });
    expect(nameOf(first.page)).toEqual(fNames(1, 15));
    return first.page!;
  }

  it.each([1, 3, 10])(
    "neither skips nor repeats when %i attachments before the cursor are deleted",
    async (count) => {
      const fifteen = await firstFifteen();
      remove(...fNames(1, 14).slice(0, count));
      const next = await page(ANCHORED, { first: 10, after: fifteen.pageInfo.endCursor });
      expect(next.errors).toBeUndefined();
      expect(nameOf(next.page)).toEqual(fNames(16, 25));
    },
  );

  it.each([1, 5, 10])(
    "neither skips nor repeats when %i attachments are inserted before the cursor",
    async (count) => {
      const fifteen = await firstFifteen();
      insertAtStart(count);
      const next = await page(ANCHORED, { first: 10, after: fifteen.pageInfo.endCursor });
      expect(nameOf(next.page)).toEqual(fNames(16, 25));
      // An edge's cursor is anchored too.
      const fromEdge = await page(ANCHORED, { first: 3, after: fifteen.edges[4]!.cursor });
      expect(nameOf(fromEdge.page)).toEqual(fNames(6, 8));
    },
  );

  it("continues from the position of the cursor's attachment when it is gone", async () => {
    const fifteen = await firstFifteen();
    remove("f15");
    const next = await page(ANCHORED, { first: 5, after: fifteen.pageInfo.endCursor });
    expect(nameOf(next.page)).toEqual(fNames(16, 20));
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
    const byToken = calls.filter((c) => c.query.page_token !== undefined);
    const byNumber = calls.filter((c) => c.query.page_token === undefined);
    // One to cross 2000 (after page 10 of 200 read again around the cursor), then one per page.
    expect(byToken).toHaveLength(2);
    // A page after a cursor of 200 takes two calls (it is looked for a little around the cursor).
    expect(calls.length).toBeLessThanOrEqual(2 * pages);
    expect(calls[0]!.query.fields).toBe("id");
    // Page 10 of 200 (the last Bigin serves by number) and the token pages ask for one
    // canonical set, so the token's field binding always holds.
    const tenth = byNumber.find((c) => c.query.page === "10" && c.query.per_page === "200")!;
    const canonical = tenth.query.fields!;
    expect(canonical.split(",")).toEqual(
      expect.arrayContaining(["File_Name", "Size", "$type", "Parent_Id", "$se_module"]),
    );
    for (const call of byToken) {
      expect(call.query).toMatchObject({ fields: canonical, per_page: "200" });
      expect(call.query).not.toHaveProperty("page");
      expect(call.status).toBe(200);
    }
  });

  it("follows any page size and any edge's cursor past 2000, and says when the cursor expires", async () => {
    const at = await page(HUGE, { first: 200, after: await cursorAt(HUGE, 2000) });
    expect(ids(at.page)).toEqual(hugeIds.slice(2000, 2200));
    expect(Date.parse(at.page!.pageInfo.pageTokenExpiry!)).toBeGreaterThan(Date.now());
    const small = await page(HUGE, { first: 37, after: at.page!.edges[10]!.cursor });
    expect(small.errors).toBeUndefined();
    expect(ids(small.page)).toEqual(hugeIds.slice(2011, 2048));
    const big = await page(HUGE, { first: 200, after: small.page!.pageInfo.endCursor });
    expect(ids(big.page)).toEqual(hugeIds.slice(2048, 2248));
  });

  it("refuses an expired cursor naming after, and what to do instead", async () => {
    const short = await startStack({}, { pageTokenTtlMs: 50 });
    try {
      short.sandbox.store.addRecord("Contacts", { id: HUGE, name: "Many" });
      for (let i = 0; i < 2100; i += 1) {
        short.sandbox.store.addAttachment("Contacts", HUGE, {
          type: "File",
          fileName: `x${i}.pdf`,
          size: 1,
          contentType: "application/pdf",
        });
      }
      const q = `query ($after: String, $page: Int) { record(module: Contacts, id: "${HUGE}") {
        attachments(first: 200, page: $page, after: $after) { pageInfo { endCursor } } } }`;
      const tenth = await short.gql<{
        record: { attachments: { pageInfo: { endCursor: string } } };
      }>(q, { page: 10 });
      const into = await short.gql<{
        record: { attachments: { pageInfo: { endCursor: string } } };
      }>(q, { after: tenth.body.data!.record.attachments.pageInfo.endCursor });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const expired = await short.gql(q, {
        after: into.body.data!.record.attachments.pageInfo.endCursor,
      });
      expect(expired.body.errors![0]!.extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        argumentName: "after",
        bigin: { code: "EXPIRED_VALUE" },
      });
      expect(expired.body.errors![0]!.message).toMatch(/expired.*page: 10, first: 200/s);
    } finally {
      await short.close();
    }
  });
});

/** The cursor after `offset` attachments of `id`, read in pages of up to 200. */
async function cursorAt(id: string, offset: number): Promise<string> {
  let after: string | null = null;
  for (let at = 0; at < offset;) {
    const step = Math.min(200, offset - at);
    const p = await page(id, { first: step, after });
    after = p.page!.pageInfo.endCursor;
    at += step;
  }
  return after!;
}
