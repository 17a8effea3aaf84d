import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AttachmentNamesDocument, RecordAttachmentsDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ BIGIN_CONCURRENCY: "3" });
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const fieldsSent = () => stack.calls().map((call) => call.query.fields);

describe("record.attachments", () => {
  it("returns a page of attachments with Bigin's values mapped to GraphQL types", async () => {
    const { body } = await stack.gql(RecordAttachmentsDocument, {
      module: "Contacts",
      id: IDS.rich,
      first: 50,
    });
    expect(body.errors).toBeUndefined();
    const connection = body.data!.record!.attachments!;
    expect(connection.nodes.length).toBeGreaterThan(0);
    expect(connection.pageInfo).toMatchObject({ page: 1, perPage: 50, hasNextPage: false });
    expect(connection.pageInfo.count).toBe(connection.nodes.length);
    const file = connection.nodes.find((n) => n.type === "FILE")!;
    expect(file.id).toMatch(/^\d{19}$/);
    expect(typeof file.size).toBe("number");
    expect(file.createdTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect(file.createdBy).toMatchObject({
      id: expect.any(String),
      email: expect.stringContaining("@"),
    });
    const link = connection.nodes.find((n) => n.type === "LINK")!;
    expect(link.linkUrl).toMatch(/^https?:\/\//);
    expect(link.size).toBe(0);
  });

  it("asks Bigin for exactly the selected fields", async () => {
    await stack.gql(AttachmentNamesDocument, { module: "Contacts", id: IDS.rich });
    expect(stack.calls()).toHaveLength(1);
    expect(stack.calls()[0]).toMatchObject({
      method: "GET",
      path: `/bigin/v2/Contacts/${IDS.rich}/Attachments`,
      query: { fields: "File_Name,id", page: "1", per_page: "200" },
      authorization: "Zoho-oauthtoken sandbox-demo-token",
    });
  });

  it("computes fields through fragments, aliases and @skip/@include with variables", async () => {
    const query = `query ($full: Boolean!) {
      record(module: Contacts, id: "${IDS.rich}") {
        attachments(first: 10) {
          items: nodes { label: fileName ...Who ... on BiginAttachment @include(if: $full) { size modifiedTime } }
          nodes { parent { module } owner @skip(if: $full) { name } }
        }
      }
    }
    fragment Who on BiginAttachment { createdBy { email } }`;
    const full = await stack.gql(query, { full: true });
    expect(full.body.errors).toBeUndefined();
    const lean = await stack.gql(query, { full: false });
    expect(lean.body.errors).toBeUndefined();
    expect(fieldsSent()).toEqual([
      "$se_module,Created_By,File_Name,Modified_Time,Parent_Id,Size,id",
      "$se_module,Created_By,File_Name,Owner,Parent_Id,id",
    ]);
    const first = (
      full.body.data as { record: { attachments: { items: Array<Record<string, unknown>> } } }
    ).record.attachments.items[0]!;
    expect(first).toHaveProperty("label");
    expect(first).toHaveProperty("size");
  });

  it("sends a valid fields list (just id) when only pageInfo is selected", async () => {
    const { body } = await stack.gql(
      `{ record(module: Contacts, id: "${IDS.rich}") { attachments { pageInfo { count hasNextPage } } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(fieldsSent()).toEqual(["id"]);
  });

  it("turns Bigin's 204 for an empty list into an empty page", async () => {
    const { body } = await stack.gql(RecordAttachmentsDocument, {
      module: "Contacts",
      id: IDS.empty,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!.record!.attachments).toEqual({
      nodes: [],
      pageInfo: expect.objectContaining({ count: 0, hasNextPage: false }),
    });
    expect(stack.calls()[0]!.status).toBe(204);
  });

  it("pages through 450 attachments by page number and by cursor", async () => {
    const page1 = await stack.gql(RecordAttachmentsDocument, {
      module: "Contacts",
      id: IDS.many,
      first: 200,
    });
    const info1 = page1.body.data!.record!.attachments!.pageInfo;
    expect(info1).toMatchObject({ page: 1, count: 200, hasNextPage: true });
    const page3 = await stack.gql(RecordAttachmentsDocument, {
      module: "Contacts",
      id: IDS.many,
      first: 200,
      page: 3,
    });
    expect(page3.body.data!.record!.attachments!.pageInfo).toMatchObject({
      page: 3,
      count: 50,
      hasNextPage: false,
    });
    expect(info1.endCursor).toEqual(expect.any(String));
    const byCursor = await stack.gql(RecordAttachmentsDocument, {
      module: "Contacts",
      id: IDS.many,
      first: 200,
      after: info1.endCursor,
    });
    expect(byCursor.body.errors).toBeUndefined();
    expect(byCursor.body.data!.record!.attachments!.pageInfo).toMatchObject({
      page: 2,
      count: 200,
    });
    expect(byCursor.body.data!.record!.attachments!.nodes.map((n) => n.id)).toEqual(
      stack.sandbox.store
        .listAttachments("Contacts", IDS.many)
        .slice(200, 400)
        .map((a) => a.id),
    );
    // Inside Bigin's first 2000 the page after a cursor is asked for by number.
    for (const call of stack.calls().slice(2)) expect(call.query).not.toHaveProperty("page_token");
  });

  it("works in every module that carries attachments", async () => {
    const query = Object.entries(IDS.byModule)
      .map(
        ([module, id]) =>
          `${module}: record(module: ${module}, id: "${id}") { attachments { nodes { id parent { module } } } }`,
      )
      .join("\n");
    const { body } = await stack.gql(`{ ${query} }`);
    expect(body.errors).toBeUndefined();
    for (const [module, record] of Object.entries(
      body.data as Record<
        string,
        { attachments: { nodes: Array<{ parent: { module: string } }> } }
      >,
    )) {
      expect(record.attachments.nodes.length).toBeGreaterThan(0);
      expect(record.attachments.nodes[0]!.parent.module).toBe(module);
    }
    expect(stack.calls()).toHaveLength(7);
  });
});

describe("batching", () => {
  it("makes one Bigin call for duplicated aliases of the same page, asking for the union of fields", async () => {
    const { body } = await stack.gql(`{
      a: record(module: Contacts, id: "${IDS.rich}") { attachments(first: 20) { nodes { fileName } } }
      b: record(module: Contacts, id: "${IDS.rich}") { attachments(first: 20) { nodes { size } } }
      c: record(module: Contacts, id: "${IDS.rich}") { x: attachments(first: 20) { nodes { fileName } } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(stack.calls()).toHaveLength(1);
    expect(fieldsSent()).toEqual(["File_Name,Size,id"]);
  });

  it("makes one call per distinct record and page", async () => {
    const { body } = await stack.gql(`{
      a: record(module: Contacts, id: "${IDS.many}") { p1: attachments(first: 10) { nodes { id } } p2: attachments(first: 10, page: 2) { nodes { id } } }
      b: record(module: Contacts, id: "${IDS.many}") { attachments(first: 10, page: 2) { nodes { fileName } } }
      c: record(module: Contacts, id: "${IDS.rich}") { attachments(first: 10) { nodes { id } } }
    }`);
    expect(body.errors).toBeUndefined();
    const calls = stack
      .calls()
      .map((c) => `${c.path} page=${c.query.page} fields=${c.query.fields}`)
      .sort();
    expect(calls).toEqual(
      [
        `/bigin/v2/Contacts/${IDS.many}/Attachments page=1 fields=id`,
        `/bigin/v2/Contacts/${IDS.many}/Attachments page=2 fields=File_Name,id`,
        `/bigin/v2/Contacts/${IDS.rich}/Attachments page=1 fields=id`,
      ].sort(),
    );
  });

  it("runs N records as N calls with never more than BIGIN_CONCURRENCY in flight", async () => {
    stack.sandbox.faults.add({ latencyMs: 40 });
    const records = IDS.allWithAttachments;
    const query = records
      .map(
        (r, i) =>
          `r${i}: record(module: ${r.module}, id: "${r.id}") { attachments(first: 5) { nodes { id } } }`,
      )
      .join("\n");
    const { body } = await stack.gql(`{ ${query} }`);
    expect(body.errors).toBeUndefined();
    expect(stack.calls()).toHaveLength(records.length);
    expect(records.length).toBeGreaterThan(3);
    expect(stack.sandbox.peakInFlight).toBe(3);
  });

  it("keys the concurrency cap by token: two tokens each get their own slots", async () => {
    stack.sandbox.addToken("second-token", [
      "ZohoBigin.modules.ALL",
      "ZohoBigin.modules.attachments.ALL",
    ]);
    stack.sandbox.faults.add({ latencyMs: 60 });
    const query = IDS.allWithAttachments
      .slice(0, 3)
      .map(
        (r, i) =>
          `r${i}: record(module: ${r.module}, id: "${r.id}") { attachments(first: 5) { nodes { id } } }`,
      )
      .join("\n");
    await Promise.all([
      stack.gql(`{ ${query} }`),
      stack.gql(`{ ${query} }`, {}, { token: "second-token" }),
    ]);
    expect(stack.calls()).toHaveLength(6);
    expect(stack.sandbox.peakInFlight).toBe(6);
  });
});
