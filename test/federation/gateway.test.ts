import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import {
  composeSupergraph,
  introspectSubgraph,
  startGateway,
  type Gateway,
} from "../helpers/gateway.js";
import { IDS } from "../helpers/ids.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";

const CONCURRENCY = 3;
const AUTHORIZATION = `Zoho-oauthtoken ${DEMO_TOKEN}`;

interface Contact {
  id: string;
  name: string;
  record: { module: string; id: string };
}

/**
 * A tiny "contacts" subgraph of another team: it owns Contact and returns Record references
 * (`{ module, id }`) that our subgraph resolves.
 */
const CONTACTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: ["@key"])

  type Query {
    contacts: [Contact!]!
  }

  type Contact @key(fields: "id") {
    id: ID!
    name: String!
    record: BiginRecord!
  }

  type BiginRecord @key(fields: "module id", resolvable: false) {
    module: BiginModule!
    id: ID!
  }

  """
  Bigin modules that carry attachments. Accounts are shown as Companies in Bigin.
  """
  enum BiginModule {
    Contacts
    Pipelines
    Accounts
    Products
    Tasks
    Events
    Notes
  }
`;

async function startContactsSubgraph(contacts: () => readonly Contact[]) {
  const server = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: parse(CONTACTS_SDL),
      resolvers: { Query: { contacts: () => contacts() } },
    }),
    logger: createLogger("silent"),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: "127.0.0.1" } });
  return { url, close: () => server.stop() };
}

/** 25 contacts records of the sandbox, one PDF each, named for the record. */
const RECORD_COUNT = 25;

let stack: Stack;
let contacts: Contact[] = [];
let contactsSubgraph: Awaited<ReturnType<typeof startContactsSubgraph>>;
let gateway: Gateway;
let hints: string[];

beforeAll(async () => {
  stack = await startStack({ BIGIN_CONCURRENCY: String(CONCURRENCY) });
  contactsSubgraph = await startContactsSubgraph(() => contacts);
  const composed = composeSupergraph([
    await introspectSubgraph("attachments", `${stack.server.url}/graphql`),
    await introspectSubgraph("contacts", contactsSubgraph.url),
  ]);
  hints = composed.hints;
  gateway = await startGateway(composed.supergraphSdl);
});
afterAll(async () => {
  await gateway?.close();
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
  it("composes our subgraph SDL with another subgraph that returns Record references", () => {
    // beforeAll threw with the composition errors if it failed; what is left are hints.
    expect(hints).toEqual([]);
  });

  it("fails, naming the problem, when a subgraph declares BiginModule with fewer values", async () => {
    const ours = await introspectSubgraph("attachments", `${stack.server.url}/graphql`);
    const partial = {
      name: "contacts",
      url: contactsSubgraph.url,
      sdl: CONTACTS_SDL.replace(/\n\s*Notes\n/, "\n"),
    };
    expect(partial.sdl).not.toContain("Notes");
    expect(() => composeSupergraph([ours, partial])).toThrow(
      /ENUM_VALUE_MISMATCH: Enum type "BiginModule".*"Notes"/,
    );
  });
});

describe("through @apollo/gateway", () => {
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
      .gql<AttachmentsResult>(ATTACHMENTS_QUERY, {
        authorization: AUTHORIZATION,
      })
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
});
