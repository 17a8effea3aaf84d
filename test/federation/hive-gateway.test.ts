import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UploadAttachmentDocument } from "../generated/graphql.js";
import { startContactsSubgraph } from "../helpers/contacts-subgraph.js";
import {
  composeSupergraph,
  introspectSubgraph,
  startHiveGateway,
  type Gateway,
} from "../helpers/gateway.js";
import { IDS } from "../helpers/ids.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";
import { gqlUpload } from "../helpers/upload.js";

const AUTHORIZATION = `Zoho-oauthtoken ${DEMO_TOKEN}`;

let contactsSubgraph: Awaited<ReturnType<typeof startContactsSubgraph>>;
beforeAll(async () => {
  contactsSubgraph = await startContactsSubgraph(() => []);
});
afterAll(() => contactsSubgraph?.close());

/** The README's Hive Gateway over this stack's server and the contacts subgraph. */
async function hiveOver(stack: Stack): Promise<Gateway> {
  const { supergraphSdl } = composeSupergraph([
    await introspectSubgraph("attachments", `${stack.server.url}/graphql`),
    await introspectSubgraph("contacts", contactsSubgraph.url),
  ]);
  return startHiveGateway(supergraphSdl);
}

describe("Hive Gateway with the README's configuration", () => {
  let stack: Stack;
  let gateway: Gateway;
  beforeAll(async () => {
    stack = await startStack();
    gateway = await hiveOver(stack);
  });
  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
  });
  beforeEach(() => stack.reset());

  it("carries an upload (GraphQL multipart request) to this subgraph, with the preflight header", async () => {
    const bytes = Buffer.from("%PDF-1.4 uploaded through Hive Gateway\n");
    const { status, body } = await gqlUpload(
      gateway.url,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty, first: 5 },
      { name: "through-hive.pdf", bytes, type: "application/pdf" },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const uploaded = body.data!.uploadAttachment;
    expect(uploaded.attachment).toMatchObject({ fileName: "through-hive.pdf", size: bytes.length });
    const stored = stack.sandbox.store.getAttachment("Contacts", IDS.empty, uploaded.attachment.id);
    expect(await readFile(stored!.path!)).toEqual(bytes);
    const upload = stack.calls().find((call) => call.method === "POST");
    expect(upload?.authorization).toBe(AUTHORIZATION);
    stack.sandbox.store.deleteAttachment("Contacts", IDS.empty, uploaded.attachment.id);
  });

  it("refuses an upload whose client sent no preflight header (CSRF prevention here)", async () => {
    const { body } = await gqlUpload(
      gateway.url,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "no-preflight.pdf", bytes: Buffer.from("%PDF-1.4\n") },
      { preflight: false },
    );
    expect(JSON.stringify(body.errors)).toMatch(/preflight|CSRF/i);
    expect(stack.calls()).toHaveLength(0);
  });

  it("refuses, with demand control, an operation whose declared cost passes maxCost (6000)", async () => {
    // 15 aliases of `edges` and `nodes` of 200: 15 × (10 + 1 + 400) + 1 = 6166. (Each selection
    // differs: Hive's query planner turns repeated ones into a fragment, which its estimate
    // counts once.)
    const aliases = Array.from(
      { length: 15 },
      (_, i) => `a${i}: attachments(first: 200) { e${i}: edges { cursor } n${i}: nodes { id } }`,
    ).join(" ");
    const { body } = await gateway.gql(
      `{ record(module: Contacts, id: "${IDS.many}") { ${aliases} } }`,
      { authorization: AUTHORIZATION },
    );
    expect(body.errors![0]).toMatchObject({
      extensions: { code: "COST_ESTIMATED_TOO_EXPENSIVE", cost: { estimated: 6166, max: 6000 } },
    });
    expect(stack.calls()).toHaveLength(0);
  });
});

describe("a gateway's estimate and this server's counts", () => {
  // Limits of 1 make the server refuse every operation below, reporting what it counted.
  let stack: Stack;
  let gateway: Gateway;
  beforeAll(async () => {
    stack = await startStack({
      BIGIN_MAX_CALLS_PER_OPERATION: "1",
      BIGIN_MAX_NODES_PER_OPERATION: "1",
    });
    gateway = await hiveOver(stack);
  });
  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
  });

  const A = `module: Contacts, id: "${IDS.rich}"`;
  const B = `module: Contacts, id: "${IDS.many}"`;
  // Per operation: what the gateway counts besides Bigin calls (10 each) and list items: 1 for
  // each object outside the lists (a record, a connection, a pageInfo, a payload, an attachment).
  it.each([
    [`{ record(${A}) { attachments(first: 10) { nodes { id fileName } } } }`, 2],
    [`{ record(${A}) { attachments { edges { cursor } nodes { id } pageInfo { count } } } }`, 3],
    [
      `{ a: record(${A}) { attachments(first: 5) { nodes { id } } } b: record(${B}) { attachments(first: 20) { edges { cursor } } } }`,
      4,
    ],
    [
      `mutation { attachLink(${A.replace("id:", "recordId:")}, url: "https://example.com") { attachment { id } record { attachments(first: 3) { nodes { id } } } } }`,
      4,
    ],
  ])("agree on %s: estimate = 10 × calls + nodes + %i", async (query, others) => {
    const { body } = await gateway.gql(query, { authorization: AUTHORIZATION });
    const refusal = body.errors!.find((e) => e.extensions!.code === "QUERY_TOO_EXPENSIVE");
    const { calls, nodes } = refusal!.extensions as { calls: number; nodes: number };
    const estimated = (body.extensions!.cost as { estimated: number }).estimated;
    expect(estimated).toBe(10 * calls + nodes + others);
    expect(stack.calls()).toHaveLength(0);
  });

  it("the server counts a page asked for twice once (its loaders make one call), a gateway twice", async () => {
    const { body } = await gateway.gql(
      `{ a: record(${A}) { attachments(first: 5) { nodes { id } } } b: record(${A}) { attachments(first: 5) { nodes { fileName } } } }`,
      { authorization: AUTHORIZATION },
    );
    expect(body.errors![0]!.extensions).toMatchObject({ calls: 1, nodes: 10 });
    expect((body.extensions!.cost as { estimated: number }).estimated).toBe(10 * 2 + 10 + 4);
  });
});
