import { readFileSync } from "node:fs";
import {
  composeServices as composeWithHive,
  compositionHasErrors,
} from "@theguild/federation-composition";
import { parse } from "graphql";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BIGIN_CALL_WEIGHT } from "../../src/graphql/cost.directives.js";
import { CORS_ALLOWED_HEADERS } from "../../src/http/cors-policy.js";
import { gatewayConfig } from "../examples/hive/gateway.config.js";
import { startContactsSubgraph } from "../helpers/contacts-subgraph.js";
import {
  composeSupergraph,
  introspectSubgraph,
  type SubgraphEndpoint,
} from "../helpers/gateway.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const OURS: SubgraphEndpoint = {
  name: "attachments",
  url: "http://attachments.internal/graphql",
  sdl: read("schema/schema.graphql"),
};

/** Two subgraphs of other teams, each with its own Record, Attachment and PageInfo. */
const RIVALS: SubgraphEndpoint[] = [
  {
    name: "crm",
    url: "http://crm.internal/graphql",
    sdl: `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
      type Query { records(first: Int, after: String): RecordConnection! }
      type Record @key(fields: "id") { id: ID! title: String! }
      type RecordConnection { nodes: [Record!]! pageInfo: PageInfo! }
      type Attachment @shareable { id: ID! url: String! }
      type PageInfo @shareable { hasNextPage: Boolean! endCursor: String }
    `,
  },
  {
    name: "files",
    url: "http://files.internal/graphql",
    sdl: `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
      type Query { attachment(id: ID!): Attachment }
      type Record @key(fields: "id") { id: ID! attachments(first: Int): AttachmentPage! }
      type AttachmentPage { nodes: [Attachment!]! pageInfo: PageInfo! }
      type Attachment @shareable { id: ID! url: String! }
      type PageInfo @shareable { hasNextPage: Boolean! endCursor: String }
    `,
  },
];

/** Our SDL as it was before its types were Bigin-prefixed. */
const unprefixed = (sdl: string) => sdl.replace(/\bBigin(Record|Attachment)\b/g, "$1");

function composeWithHiveOrThrow(subgraphs: SubgraphEndpoint[]): string {
  const result = composeWithHive(
    subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
  );
  if (compositionHasErrors(result)) {
    throw new Error(
      result.errors.map((e) => `${String(e.extensions.code)}: ${e.message}`).join("\n"),
    );
  }
  return result.supergraphSdl;
}

describe("composition next to subgraphs with their own Record, Attachment and PageInfo", () => {
  it("succeeds with @apollo/composition", () => {
    const { supergraphSdl } = composeSupergraph([OURS, ...RIVALS]);
    expect(supergraphSdl).toMatch(/type Record\b/);
    expect(supergraphSdl).toMatch(/type BiginRecord\b/);
    expect(supergraphSdl).toMatch(/type BiginAttachment\b/);
  });

  it("succeeds with Hive's composition (what Hive Gateway composes with itself)", () => {
    const supergraphSdl = composeWithHiveOrThrow([OURS, ...RIVALS]);
    expect(supergraphSdl).toMatch(/type BiginAttachmentConnection\b/);
    expect(supergraphSdl).toContain("@listSize(");
  });

  it("would fail with unprefixed names (the rivals are real)", () => {
    const old = { ...OURS, sdl: unprefixed(OURS.sdl) };
    expect(old.sdl).toMatch(/type Attachment\b/);
    expect(() => composeSupergraph([old, ...RIVALS])).toThrow(/INVALID_FIELD_SHARING/);
    expect(() => composeWithHiveOrThrow([old, ...RIVALS])).toThrow(/INVALID_FIELD_SHARING/);
  });
});

describe("the README's rover config (test/examples/supergraph.yaml)", () => {
  let contacts: Awaited<ReturnType<typeof startContactsSubgraph>>;
  beforeAll(async () => {
    contacts = await startContactsSubgraph(() => []);
  });
  afterAll(() => contacts?.close());

  it("pins the composition version the tests use and composes what it lists", async () => {
    const config = parseYaml(read("test/examples/supergraph.yaml")) as {
      federation_version: string;
      subgraphs: Record<
        string,
        { routing_url: string; schema: { file?: string; subgraph_url?: string } }
      >;
    };
    const installed = (
      JSON.parse(read("node_modules/@apollo/composition/package.json")) as { version: string }
    ).version;
    expect(config.federation_version).toBe(`=${installed}`);
    expect(Object.keys(config.subgraphs)).toEqual(["attachments", "contacts"]);
    const subgraphs: SubgraphEndpoint[] = [];
    for (const [name, { routing_url, schema }] of Object.entries(config.subgraphs)) {
      if (schema.file) subgraphs.push({ name, url: routing_url, sdl: read(schema.file) });
      // `subgraph_url` is introspected as rover does; here, the test's own contacts subgraph.
      else subgraphs.push({ ...(await introspectSubgraph(name, contacts.url)), url: routing_url });
    }
    const { supergraphSdl, hints } = composeSupergraph(subgraphs);
    expect(hints).toEqual([]);
    expect(supergraphSdl).toContain(
      'ATTACHMENTS @join__graph(name: "attachments", url: "http://localhost:4000/graphql")',
    );
  });
});

describe("the README's Apollo Router config (test/examples/router.yaml)", () => {
  const router = parseYaml(read("test/examples/router.yaml")) as {
    headers: { subgraphs: Record<string, { request: Array<{ propagate?: { named: string } }> }> };
    include_subgraph_errors: { subgraphs: Record<string, boolean> };
    demand_control: { strategy: { static_estimated: { max: number } } };
  };

  it("forwards the headers this server reads, and only those", () => {
    const propagated = router.headers.subgraphs.attachments!.request.map((r) => r.propagate!.named);
    expect(propagated).toEqual(["authorization", "x-request-id", "apollo-require-preflight"]);
    for (const header of propagated) expect(CORS_ALLOWED_HEADERS).toContain(header);
  });

  it("keeps this subgraph's error extensions; refuses, as Hive Gateway's config does, above the server's limits", () => {
    expect(router.include_subgraph_errors.subgraphs.attachments).toBe(true);
    const defaults = loadConfig({});
    expect(router.demand_control.strategy.static_estimated.max).toBe(
      BIGIN_CALL_WEIGHT * defaults.maxCallsPerOperation + defaults.maxNodesPerOperation,
    );
    expect(gatewayConfig.demandControl?.maxCost).toBe(
      router.demand_control.strategy.static_estimated.max,
    );
  });
});
