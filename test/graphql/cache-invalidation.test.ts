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
      `mutation { attachLink(module: Contacts, recordId: "${IDS.byModule.Contacts}", url: "https://example.com/spec", title: "Spec") { id } }`,
    );
    expect(written.errors).toBeUndefined();
    const newId = (written.data as { attachLink: { id: string } }).attachLink.id;

    const after = await stack.gql(list);
    expect(stack.calls().map((c) => c.method)).toEqual(["GET", "POST", "GET"]);
    expect(ids(after.body)).toEqual([...ids(before.body), newId]);

    const { body: deleted } = await stack.gql(
      `mutation { deleteAttachment(module: Contacts, recordId: "${IDS.byModule.Contacts}", id: "${newId}") }`,
    );
    expect(deleted.errors).toBeUndefined();
    const last = await stack.gql(list);
    expect(ids(last.body)).toEqual(ids(before.body));
    expect(stack.calls().map((c) => c.method)).toEqual(["GET", "POST", "GET", "DELETE", "GET"]);
  });
});
