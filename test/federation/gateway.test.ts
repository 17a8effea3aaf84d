import { Kind, parse, print, type ObjectTypeDefinitionNode } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startContactsSubgraph, type Contact } from "../helpers/contacts-subgraph.js";
import {
  composeSupergraph,
  introspectSubgraph,
  startGateway,
  startHiveGateway,
  type Gateway,
} from "../helpers/gateway.js";
import { IDS } from "../helpers/ids.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";

const CONCURRENCY = 3;
const AUTHORIZATION = `Zoho-oauthtoken ${DEMO_TOKEN}`;

/** 25 contacts records of the sandbox, one PDF each, named for the record. */
const RECORD_COUNT = 25;

let stack: Stack;
let contacts: Contact[] = [];
let contactsSubgraph: Awaited<ReturnType<typeof startContactsSubgraph>>;
let supergraphSdl: string;
let hints: string[];

beforeAll(async () => {
  stack = await startStack({ BIGIN_CONCURRENCY: String(CONCURRENCY) });
  contactsSubgraph = await startContactsSubgraph(() => contacts);
  const composed = composeSupergraph([
    await introspectSubgraph("attachments", `${stack.server.url}/graphql`),
    await introspectSubgraph("contacts", contactsSubgraph.url),
  ]);
  hints = composed.hints;
  supergraphSdl = composed.supergraphSdl;
});
afterAll(async () => {
  await contactsSubgraph?.close();
  await stack?.close();
});
beforeEach(() => stack.reset());

const records = () => {
  const list = stack.sandbox.store.listRecords("Contacts").filter((r) => r.name.startsWith("Gw "));
  if (list.length > 0) return list;
  return Array.from({ length: RECORD_COUNT }, (_, i) => {
    const record = stack.sandbox.store.addRecord("Contacts", { name: `Gw ${i}` });
    stack.sandbox.store.addAttachment("Contacts", record.id, {
      type: "File",
      fileName: `gw-${i}.pdf`,
      size: 1000 + i,
      contentType: "application/pdf",
    });
    return record;
  });
};

const ATTACHMENTS_QUERY = `{
  contacts {
    id
    name
    record {
      module
      id
      attachments(first: 10) { nodes { fileName size } pageInfo { count } }
    }
  }
}`;

interface AttachmentsResult {
  contacts: Array<{
    id: string;
    name: string;
    record: {
      module: string;
      id: string;
      attachments: {
        nodes: Array<{ fileName: string; size: number }>;
        pageInfo: { count: number };
      } | null;
    };
  }>;
}

describe("composition", () => {
  it("composes our subgraph SDL with another subgraph that returns BiginRecord references", () => {
    // beforeAll threw with the composition errors if it failed; what is left are hints.
    expect(hints).toEqual([]);
  });

  it("keeps the demand-control directives in the supergraph", () => {
    expect(supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1"');
    const directivesOf = (type: string, field: string) => {
      const definition = parse(supergraphSdl).definitions.find(
        (d): d is ObjectTypeDefinitionNode =>
          d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === type,
      );
      const node = definition?.fields?.find((f) => f.name.value === field);
      return (node?.directives ?? []).map(print).filter((d) => !d.startsWith("@join__"));
    };
    expect(directivesOf("BiginRecord", "attachments")).toEqual([
      "@cost(weight: 10)",
      '@listSize(slicingArguments: ["first"], sizedFields: ["edges", "nodes"], requireOneSlicingArgument: false)',
    ]);
    for (const mutation of [
      "uploadAttachment",
      "attachLink",
      "deleteAttachment",
      "uploadPhoto",
      "deletePhoto",
    ]) {
      expect(directivesOf("Mutation", mutation)).toEqual(["@cost(weight: 10)"]);
    }
  });
});

describe.each([
  ["@apollo/gateway", startGateway],
  ["Hive Gateway", startHiveGateway],
] as const)("through %s", (_name, start) => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await start(supergraphSdl);
  });
  afterAll(() => gateway?.close());

  it("resolves attachments of 100 records with one Bigin call per distinct record page", async () => {
    const list = records();
    contacts = Array.from({ length: 100 }, (_, i) => {
      const record = list[i % list.length]!;
      return { id: `c${i}`, name: `Contact ${i}`, record: { module: "Contacts", id: record.id } };
    });
    stack.sandbox.faults.add({ latencyMs: 20 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);

    const { status, body } = await gateway
      .gql<AttachmentsResult>(ATTACHMENTS_QUERY, { authorization: AUTHORIZATION })
      .finally(() => new Promise((resolve) => setImmediate(resolve)));
    process.off("warning", onWarning);

    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!.contacts).toHaveLength(100);
    body.data!.contacts.forEach((contact, i) => {
      expect(contact).toEqual({
        id: `c${i}`,
        name: `Contact ${i}`,
        record: {
          module: "Contacts",
          id: list[i % RECORD_COUNT]!.id,
          attachments: {
            nodes: [{ fileName: `gw-${i % RECORD_COUNT}.pdf`, size: 1000 + (i % RECORD_COUNT) }],
            pageInfo: { count: 1 },
          },
        },
      });
    });
    const calls = stack.calls();
    expect(calls).toHaveLength(RECORD_COUNT);
    expect(new Set(calls.map((call) => call.path)).size).toBe(RECORD_COUNT);
    expect(calls.every((call) => call.query.fields === "File_Name,Size,id")).toBe(true);
    expect(calls.every((call) => call.authorization === AUTHORIZATION)).toBe(true);
    expect(stack.sandbox.peakInFlight).toBeLessThanOrEqual(CONCURRENCY);
    expect(stack.sandbox.peakInFlight).toBeGreaterThan(1);
    // 25 calls waiting on one request's abort signal are not a listener leak.
    expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
  });

  it("keeps extensions.code and extensions.bigin of a Bigin error, on that record alone", async () => {
    contacts = [
      { id: "a", name: "Allowed", record: { module: "Contacts", id: IDS.rich } },
      { id: "d", name: "Denied", record: { module: "Pipelines", id: IDS.byModule.Pipelines } },
    ];
    stack.sandbox.faults.error(403, "NO_PERMISSION", { path: "/Pipelines/" });

    const { body } = await gateway.gql<AttachmentsResult>(ATTACHMENTS_QUERY, {
      authorization: AUTHORIZATION,
    });

    expect(body.data!.contacts[0]!.record.attachments!.nodes.length).toBeGreaterThan(0);
    expect(body.data!.contacts[1]!.record).toEqual({
      module: "Pipelines",
      id: IDS.byModule.Pipelines,
      attachments: null,
    });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      path: ["contacts", 1, "record", "attachments"],
      extensions: {
        code: "FORBIDDEN",
        retryable: false,
        serviceName: "attachments",
        bigin: { code: "NO_PERMISSION", status: 403, message: "permission denied", details: {} },
      },
    });
    expect(stack.calls()).toHaveLength(2);
  });

  it("puts each record's NOT_FOUND on that record's path", async () => {
    contacts = [
      { id: "a", name: "A", record: { module: "Contacts", id: IDS.rich } },
      { id: "b", name: "B", record: { module: "Contacts", id: "2034029999999900001" } },
      { id: "c", name: "C", record: { module: "Contacts", id: IDS.many } },
      { id: "d", name: "D", record: { module: "Contacts", id: "2034029999999900002" } },
    ];
    const { body } = await gateway.gql<AttachmentsResult>(ATTACHMENTS_QUERY, {
      authorization: AUTHORIZATION,
    });
    expect(body.data!.contacts.map((c) => c.record.attachments?.pageInfo.count ?? null)).toEqual([
      expect.any(Number),
      null,
      10,
      null,
    ]);
    expect(
      body.errors!.map((e) => [e.path, e.extensions!.code]).sort((a, b) => (a < b ? -1 : 1)),
    ).toEqual([
      [["contacts", 1, "record", "attachments"], "NOT_FOUND"],
      [["contacts", 3, "record", "attachments"], "NOT_FOUND"],
    ]);
  });

  it("answers UNAUTHENTICATED for attachments when the client sends no Authorization", async () => {
    contacts = [{ id: "a", name: "A", record: { module: "Contacts", id: IDS.rich } }];

    const { body } = await gateway.gql<AttachmentsResult>(ATTACHMENTS_QUERY);

    expect(body.data!.contacts[0]!.record).toEqual({
      module: "Contacts",
      id: IDS.rich,
      attachments: null,
    });
    expect(body.errors![0]).toMatchObject({
      path: ["contacts", 0, "record", "attachments"],
      extensions: { code: "UNAUTHENTICATED" },
    });
    expect(stack.calls()).toHaveLength(0);
  });

  it("refuses a reference with an id that is not a Bigin id with BAD_USER_INPUT", async () => {
    contacts = [
      { id: "a", name: "A", record: { module: "Contacts", id: IDS.rich } },
      { id: "b", name: "B", record: { module: "Contacts", id: "not-a-bigin-id" } },
    ];

    const { body } = await gateway.gql<AttachmentsResult>(ATTACHMENTS_QUERY, {
      authorization: AUTHORIZATION,
    });

    expect(body.data!.contacts[0]!.record.attachments!.nodes.length).toBeGreaterThan(0);
    expect(body.data!.contacts[1]!.record.attachments).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argumentName: "id",
    });
    expect(stack.calls().map((call) => call.path)).toEqual([
      `/bigin/v2/Contacts/${IDS.rich}/Attachments`,
    ]);
  });

  describe("refusals of the subgraph reach the client with their code and details", () => {
    const expectRefusal = (
      response: Awaited<ReturnType<Gateway["gql"]>>,
      extensions: Record<string, unknown>,
    ) => {
      expect(response.status).toBe(200);
      const { body } = response;
      // The contacts still come, with every field asked of this subgraph null.
      const list = (body.data as { contacts: Array<{ record: Record<string, unknown> }> }).contacts;
      expect(list).toHaveLength(contacts.length);
      expect(list.flatMap((c) => Object.values(c.record)).every((v) => v === null)).toBe(true);
      expect(body.errors!.length).toBeGreaterThan(0);
      for (const error of body.errors!) {
        expect(error.extensions).toMatchObject({ ...extensions, serviceName: "attachments" });
        expect(error.extensions!.code).not.toBe("INTERNAL_SERVER_ERROR");
      }
      expect(stack.calls()).toHaveLength(0);
    };

    it("QUERY_TOO_EXPENSIVE, with the count and the limit", async () => {
      // 120 distinct records: 120 Bigin calls, over BIGIN_MAX_CALLS_PER_OPERATION (100).
      contacts = Array.from({ length: 120 }, (_, i) => ({
        id: `c${i}`,
        name: `Contact ${i}`,
        record: { module: "Contacts", id: `20340200001${String(i).padStart(8, "0")}` },
      }));
      const response = await gateway.gql(
        `{ contacts { id record { attachments { nodes { id } } } } }`,
        { authorization: AUTHORIZATION },
      );
      expectRefusal(response, {
        code: "QUERY_TOO_EXPENSIVE",
        calls: 120,
        maxCalls: 100,
        nodes: 120 * 200,
        maxNodes: 5000,
      });
      expect(response.body.errors![0]!.message).toContain(
        "could make 120 Bigin calls; the limit is 100 (BIGIN_MAX_CALLS_PER_OPERATION)",
      );
    });

    it("a document limit (GRAPHQL_VALIDATION_FAILED, with the limit)", async () => {
      contacts = [{ id: "a", name: "A", record: { module: "Contacts", id: IDS.rich } }];
      const aliases = Array.from(
        { length: 501 },
        (_, i) => `a${i}: attachments(first: 1) { pageInfo { count } }`,
      ).join(" ");
      expectRefusal(
        await gateway.gql(`{ contacts { id record { ${aliases} } } }`, {
          authorization: AUTHORIZATION,
        }),
        {
          code: "GRAPHQL_VALIDATION_FAILED",
          limit: { name: "aliases", max: 500, found: 501 },
        },
      );
    });
  });
});

describe("a validation error of the subgraph (its schema changed before the supergraph)", () => {
  it.each([
    ["@apollo/gateway", startGateway],
    ["Hive Gateway", startHiveGateway],
  ] as const)("reaches the client through %s with its code", async (_name, start) => {
    const ours = await introspectSubgraph("attachments", `${stack.server.url}/graphql`);
    const stale = composeSupergraph([
      {
        ...ours,
        sdl: ours.sdl.replace(
          /(type BiginRecord[^{]*\{)/,
          '$1\n  "A field this subgraph no longer has."\n  removedField: String',
        ),
      },
      await introspectSubgraph("contacts", contactsSubgraph.url),
    ]).supergraphSdl;
    const gateway = await start(stale);
    try {
      contacts = [{ id: "a", name: "A", record: { module: "Contacts", id: IDS.rich } }];
      const { status, body } = await gateway.gql(`{ contacts { id record { removedField } } }`, {
        authorization: AUTHORIZATION,
      });
      expect(status).toBe(200);
      expect(body.errors![0]).toMatchObject({
        message: expect.stringContaining('Cannot query field "removedField"'),
        extensions: { code: "GRAPHQL_VALIDATION_FAILED", serviceName: "attachments" },
      });
    } finally {
      await gateway.close();
    }
  });
});
