import {
  ApolloClient,
  InMemoryCache,
  makeVar,
  type ObservableQuery,
  type OperationVariables,
} from "@apollo/client";
import UploadHttpLink from "apollo-upload-client/UploadHttpLink.mjs";
import { setTimeout as sleep } from "node:timers/promises";
import { format } from "node:util";
import { parse } from "graphql";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO_IDS } from "../../src/sandbox/index.js";
import {
  AttachmentListDetailsDocument,
  AttachmentListDocument,
  DeleteAttachmentDocument,
  RecordPhotoDocument,
  UploadAttachmentDocument,
} from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";
import { watchAttachmentList } from "../examples/frontend/attachment-list.js";
import { createCache } from "../examples/frontend/cache.js";

let stack: Stack;
/** Every console line written while a test runs: Apollo Client's log goes to the console. */
let printed: string[] = [];
/** The operations the client sent over HTTP, by name. */
let sent: string[] = [];
let clock = makeVar(Date.now());

function capture(method: "log" | "info" | "warn" | "error" | "debug") {
  vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
    printed.push(`${method}: ${format(...args)}`);
  });
}

async function countingFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const body = init?.body;
  const operations =
    typeof body === "string" ? body : body instanceof FormData ? body.get("operations") : null;
  const name =
    typeof operations === "string"
      ? (JSON.parse(operations) as { operationName?: string }).operationName
      : undefined;
  sent.push(name ?? "?");
  return fetch(input, init);
}

function createClient(): ApolloClient {
  return new ApolloClient({
    cache: createCache(clock),
    link: new UploadHttpLink({
      uri: `${stack.server.url}/graphql`,
      headers: {
        authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
        // Apollo Server's CSRF prevention: multipart uploads need it.
        "apollo-require-preflight": "true",
      },
      fetch: countingFetch,
    }),
  });
}

/** Resolves with the first result of `query` that `accept` takes (the current one included). */
function resultOf<T, V extends OperationVariables>(
  query: ObservableQuery<T, V>,
  accept: (data: T) => boolean,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const subscription = query.subscribe({
      next(result) {
        if (result.error) reject(result.error);
        else if (result.dataState === "complete" && accept(result.data as T)) {
          resolve(result.data as T);
          queueMicrotask(() => subscription.unsubscribe());
        }
      },
      error: reject,
    });
  });
}

beforeAll(async () => {
  stack = await startStack();
  for (const method of ["log", "info", "warn", "error", "debug"] as const) capture(method);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await stack.close();
});
afterEach(() => {
  const seen = printed;
  printed = [];
  sent = [];
  clock = makeVar(Date.now());
  // Apollo Client's development build warns here about cache data it would lose, fields
  // missing from a result it writes, and the like.
  expect(seen).toEqual([]);
});

describe("Apollo Client's development build", () => {
  it("runs, and what it prints is seen by these tests", () => {
    const client = createClient();
    client.writeQuery({
      query: parse(`query { record(module: Contacts, id: "1") { module id label } }`),
      data: { record: { __typename: "BiginRecord", module: "Contacts", id: "1" } },
    });
    // The production build prints nothing here.
    expect(printed.join("\n")).toMatch(/Missing field 'label'/);
    printed = [];
  });
});

describe("two queries reading the same attachments page with different fields", () => {
  const names = parse(`query { record(module: Contacts, id: "${IDS.rich}") { module id
    attachments(first: 5) { edges { cursor node { id fileName } } } } }`);
  const counts = parse(`query { record(module: Contacts, id: "${IDS.rich}") { module id
    attachments(first: 5) { pageInfo { hasNextPage endCursor count } } } }`);

  it("make Apollo warn that cache data may be lost without a field policy", async () => {
    const client = createClient();
    const plain = new ApolloClient({
      link: client.link,
      cache: new InMemoryCache({ typePolicies: { BiginRecord: { keyFields: ["module", "id"] } } }),
    });
    await plain.query({ query: names });
    await plain.query({ query: counts });
    expect(printed.join("\n")).toMatch(
      /Cache data may be lost when replacing the attachments field/,
    );
    printed = [];
  });

  it("share one list with relayStylePagination(), quietly", async () => {
    const client = createClient();
    await client.query({ query: names });
    await client.query({ query: counts });
    const both = client.readQuery<{
      record: { attachments: { edges: unknown[]; pageInfo: unknown } };
    }>({
      query: names,
    });
    expect(both!.record.attachments.edges).toHaveLength(5);
  });
});

describe("Apollo Client with relayStylePagination()", () => {
  it("pages through 450 attachments with fetchMore, changing the selection and first", async () => {
    const client = createClient();
    const variables = { module: "Contacts" as const, id: IDS.many };
    const list = client.watchQuery({
      query: AttachmentListDocument,
      variables: { ...variables, first: 100 },
    });
    const page1 = await resultOf(list, () => true);
    expect(page1.record!.attachments!.edges).toHaveLength(100);

    // A component that shows more of each attachment loads the next page; then the list's own.
    await list.fetchMore({
      query: AttachmentListDetailsDocument,
      // With another query, fetchMore takes only the variables given here.
      variables: { ...variables, first: 150, after: page1.record!.attachments!.pageInfo.endCursor },
    });
    const page2 = await resultOf(list, (d) => d.record!.attachments!.edges.length === 250);
    await list.fetchMore({
      variables: { first: 200, after: page2.record!.attachments!.pageInfo.endCursor },
    });
    const all = await resultOf(list, (d) => d.record!.attachments!.edges.length === 450);

    const ids = all.record!.attachments!.edges.map((edge) => edge.node.id);
    expect(new Set(ids).size).toBe(450);
    expect(ids).toEqual(stack.sandbox.store.listAttachments("Contacts", IDS.many).map((a) => a.id));
    expect(all.record!.attachments!.pageInfo.hasNextPage).toBe(false);
    // The second page's extra fields are in the cache for the nodes it brought.
    const node = stack.sandbox.store.listAttachments("Contacts", IDS.many)[120]!;
    expect(
      client.cache.readFragment({
        id: client.cache.identify({ __typename: "BiginAttachment", id: node.id }),
        fragment: parse(`fragment S on BiginAttachment { size }`),
      }),
    ).toEqual({ __typename: "BiginAttachment", size: node.size });
    expect(sent).toEqual(["AttachmentList", "AttachmentListDetails", "AttachmentList"]);

    // A page-number read (another UI) is kept apart and leaves the cursor list alone.
    const numbered = await client.query({
      query: parse(`query ($id: ID!) { record(module: Contacts, id: $id) { module id
        attachments(first: 20, page: 3) { edges { cursor node { id } } pageInfo { page hasNextPage endCursor } } } }`),
      variables: { id: IDS.many },
    });
    expect(numbered.data).toMatchObject({ record: { attachments: { pageInfo: { page: 3 } } } });
    const again = client.readQuery({
      query: AttachmentListDocument,
      variables: { ...variables, first: 100 },
    });
    expect(again!.record!.attachments!.edges).toHaveLength(450);
  });

  it("keeps the pages read when a later page fails", async () => {
    const client = createClient();
    const list = watchAttachmentList(client, { module: "Contacts", id: IDS.many }, 30);
    await resultOf(list.query, () => true);
    stack.sandbox.faults.error(500, "INTERNAL_ERROR");
    try {
      // fetchMore rejects with the error; the list stays as it was.
      await expect(list.loadMore()).rejects.toThrow(/INTERNAL_ERROR/);
    } finally {
      stack.sandbox.faults.clear();
    }
    const cached = client.readQuery({
      query: AttachmentListDocument,
      variables: { module: "Contacts", id: IDS.many, first: 30 },
    });
    expect(cached!.record!.attachments!.edges).toHaveLength(30);
    // The next try reads on from where the list ends.
    await list.loadMore();
    const both = await resultOf(list.query, (d) => d.record!.attachments!.edges.length === 60);
    expect(both.record!.attachments!.edges.map((edge) => edge.node.id)).toEqual(
      stack.sandbox.store
        .listAttachments("Contacts", IDS.many)
        .slice(0, 60)
        .map((a) => a.id),
    );
  });

  it("shows an upload in, and a delete gone from, a watched list without a refetch", async () => {
    const client = createClient();
    const target = { module: "Contacts" as const, id: DEMO_IDS.contactLiam };
    const list = client.watchQuery({ query: AttachmentListDocument, variables: target });
    const before = await resultOf(list, () => true);
    const ids = (d: typeof before) => d.record!.attachments!.edges.map((edge) => edge.node.id);
    expect(ids(before)).toEqual([DEMO_IDS.attachments.liamPdf]);

    const uploaded = await client.mutate({
      mutation: UploadAttachmentDocument,
      variables: {
        module: target.module,
        recordId: target.id,
        file: new File(["minutes of the call"], "Minutes.txt", { type: "text/plain" }),
      },
    });
    const newId = uploaded.data!.uploadAttachment.attachment.id;
    const withUpload = await resultOf(list, (d) => ids(d).length === 2);
    expect(ids(withUpload)).toEqual([DEMO_IDS.attachments.liamPdf, newId]);
    expect(withUpload.record!.attachments!.edges[1]!.node).toMatchObject({
      fileName: "Minutes.txt",
      downloadUrl: expect.stringContaining(`/attachments/${newId}?`),
    });

    await client.mutate({
      mutation: DeleteAttachmentDocument,
      variables: { module: target.module, recordId: target.id, id: newId },
    });
    const afterDelete = await resultOf(list, (d) => ids(d).length === 1);
    expect(ids(afterDelete)).toEqual([DEMO_IDS.attachments.liamPdf]);
    // Only the first read and the two writes went over the wire.
    expect(sent).toEqual(["AttachmentList", "UploadAttachment", "DeleteAttachment"]);
    expect(stack.sandbox.store.getAttachment("Contacts", target.id, newId)).toBeUndefined();
  });

  it("asks for a fresh photoUrl on cache-first once the cached one nears its expiry", async () => {
    const client = createClient();
    const variables = { module: "Contacts" as const, id: IDS.rich };
    const first = await client.query({ query: RecordPhotoDocument, variables });
    const cached = await client.query({ query: RecordPhotoDocument, variables });
    expect(cached.data!.record!.photoUrl).toBe(first.data!.record!.photoUrl);
    expect(sent).toEqual(["RecordPhoto"]);
    const watched = client.watchQuery({ query: RecordPhotoDocument, variables });
    await resultOf(watched, () => true);

    // Links are signed to the second: a second later the server signs a later expiry.
    await sleep(1100);
    const expiresAt = Date.parse(first.data!.record!.photoUrlExpiresAt!);
    const renewed = resultOf(watched, (d) => d.record!.photoUrl !== first.data!.record!.photoUrl);
    clock(expiresAt - 29_500);
    // The watching component gets a fresh link by itself, and later reads find it cached.
    const fresh = (await renewed).record;
    expect(sent).toEqual(["RecordPhoto", "RecordPhoto"]);
    expect(Date.parse(fresh!.photoUrlExpiresAt!)).toBeGreaterThan(expiresAt);
    const later = await client.query({ query: RecordPhotoDocument, variables });
    expect(later.data!.record!.photoUrl).toBe(fresh!.photoUrl);
    expect(sent).toHaveLength(2);
    const download = await fetch(fresh!.photoUrl!);
    expect(download.status).toBe(200);
  });
});
