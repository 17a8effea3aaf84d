import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ ATTACHMENT_CACHE_TTL_SECONDS: "60" });
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const list = `{ record(module: Contacts, id: "${IDS.byModule.Contacts}") { attachments { nodes { id fileName } } } }`;
const ids = (body: { data?: unknown }) =>
  (
    body.data as { record: { attachments: { nodes: Array<{ id: string }> } } }
  ).record.attachments.nodes.map((n) => n.id);

describe("our mutations and the response cache", () => {
  it("serves a repeated read from the cache, and reads anew after a write to that record", async () => {
    const before = await stack.gql(list);
    await stack.gql(list);
    expect(stack.calls()).toHaveLength(1);

    const { body: written } = await stack.gql(
      `mutation { attachLink(module: Contacts, recordId: "${IDS.byModule.Contacts}", url: "https://example.com/spec", title: "Spec") { attachment { id } } }`,
    );
    expect(written.errors).toBeUndefined();
    const newId = (written.data as { attachLink: { attachment: { id: string } } }).attachLink
      .attachment.id;

    const after = await stack.gql(list);
    expect(stack.calls().map((c) => c.method)).toEqual(["GET", "POST", "GET"]);
    expect(ids(after.body)).toEqual([...ids(before.body), newId]);

    const { body: deleted } = await stack.gql(
      `mutation { deleteAttachment(module: Contacts, recordId: "${IDS.byModule.Contacts}", id: "${newId}") { deletedId } }`,
    );
    expect(deleted.errors).toBeUndefined();
    const last = await stack.gql(list);
    expect(ids(last.body)).toEqual(ids(before.body));
    expect(stack.calls().map((c) => c.method)).toEqual(["GET", "POST", "GET", "DELETE", "GET"]);
  });
});

describe("a mutation's record, read after the write", () => {
  it("is fresh after each write of one operation, in the loaders and in the response cache", async () => {
    const record = `module: Contacts, recordId: "${IDS.byModule.Contacts}"`;
    const before = await stack.gql(list);
    stack.sandbox.resetStats();
    const { body } = await stack.gql(`mutation {
      a: attachLink(${record}, url: "https://example.com/a", title: "A") {
        attachment { id } record { attachments { nodes { id } } }
      }
      b: attachLink(${record}, url: "https://example.com/b", title: "B") {
        attachment { id } record { attachments { nodes { id } } } }
    }`);
    expect(body.errors).toBeUndefined();
    type Written = {
      attachment: { id: string };
      record: { attachments: { nodes: Array<{ id: string }> } };
    };
    const { a, b } = body.data as { a: Written; b: Written };
    const listed = (w: Written) => w.record.attachments.nodes.map((n) => n.id);
    expect(listed(a)).toEqual([...ids(before.body), a.attachment.id]);
    expect(listed(b)).toEqual([...ids(before.body), a.attachment.id, b.attachment.id]);

    const { body: removed } = await stack.gql(`mutation {
      x: deleteAttachment(${record}, id: "${a.attachment.id}") { deletedId record { attachments { nodes { id } } } }
      y: deleteAttachment(${record}, id: "${b.attachment.id}") { deletedId record { attachments { nodes { id } } } }
    }`);
    expect(removed.errors).toBeUndefined();
    const { x, y } = removed.data as Record<string, { record: Written["record"] }>;
    expect(x!.record.attachments.nodes.map((n) => n.id)).toEqual([
      ...ids(before.body),
      b.attachment.id,
    ]);
    expect(y!.record.attachments.nodes.map((n) => n.id)).toEqual(ids(before.body));
    // One list call after each write: the same page is never served from before it.
    expect(stack.calls().map((c) => c.method)).toEqual([
      "POST",
      "GET",
      "POST",
      "GET",
      "DELETE",
      "GET",
      "DELETE",
      "GET",
    ]);
  });
});
