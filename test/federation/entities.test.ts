import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RecordEntitiesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ BIGIN_CONCURRENCY: "3" });
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const ref = (module: unknown, id: unknown) => ({ __typename: "BiginRecord", module, id });

describe("the subgraph", () => {
  it("answers _service { sdl } with the committed schema/schema.graphql", async () => {
    const { body } = await stack.gql<{ _service: { sdl: string } }>(
      "{ _service { sdl } }",
      {},
      {
        token: null,
      },
    );
    const committed = readFileSync(new URL("../../schema/schema.graphql", import.meta.url), "utf8");
    expect(`${body.data!._service.sdl.trimEnd()}\n`).toBe(committed);
    expect(committed).toContain(
      `@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])`,
    );
    expect(committed).toMatch(/type BiginRecord\s+@key\(fields: "module id"\)/);
  });
});

describe("_entities (BiginRecord references)", () => {
  it("resolves references to module and id without a Bigin call, even with no credential", async () => {
    const { body } = await stack.gql(
      `query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on BiginRecord { module id } } }`,
      { r: [ref("Contacts", IDS.rich), ref("Accounts", IDS.byModule.Accounts)] },
      { token: null },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      _entities: [
        { __typename: "BiginRecord", module: "Contacts", id: IDS.rich },
        { __typename: "BiginRecord", module: "Accounts", id: IDS.byModule.Accounts },
      ],
    });
    expect(stack.calls()).toHaveLength(0);
  });

  it("serves attachments of repeated references with one Bigin call per distinct record page", async () => {
    stack.sandbox.faults.add({ latencyMs: 20 });
    const records = IDS.allWithAttachments;
    const representations = Array.from({ length: 100 }, (_, i) => {
      const record = records[i % records.length]!;
      return ref(record.module, record.id);
    });
    const { body } = await stack.gql(RecordEntitiesDocument, { representations, first: 5 });
    expect(body.errors).toBeUndefined();
    const entities = body.data!._entities;
    expect(entities).toHaveLength(100);
    entities.forEach((entity, i) => {
      expect(entity).toMatchObject({ module: records[i % records.length]!.module });
      expect(entity!.attachments!.nodes.length).toBeGreaterThan(0);
    });
    const paths = stack.calls().map((call) => call.path);
    expect(paths).toHaveLength(records.length);
    expect(new Set(paths).size).toBe(records.length);
    expect(stack.sandbox.peakInFlight).toBe(3);
  });

  it.each([
    ["an unknown module", ref("Leads", IDS.rich), "module"],
    ["a missing module", { __typename: "BiginRecord", id: IDS.rich }, "module"],
    ["an id that is not numeric", ref("Contacts", "12ab"), "id"],
    ["an id of 20 digits", ref("Contacts", "12345678901234567890"), "id"],
    ["a numeric id sent as a number", ref("Contacts", 42), "id"],
  ])(
    "refuses %s with BAD_USER_INPUT on that entity alone, before any Bigin call for it",
    async (_name, bad, argumentName) => {
      const { body } = await stack.gql(RecordEntitiesDocument, {
        representations: [ref("Contacts", IDS.rich), bad],
        first: 5,
      });
      expect(body.data!._entities[0]!.attachments!.nodes.length).toBeGreaterThan(0);
      expect(body.data!._entities[1]).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]).toMatchObject({
        path: ["_entities", 1],
        extensions: { code: "BAD_USER_INPUT", argumentName },
      });
      expect(stack.calls().map((call) => call.path)).toEqual([
        `/bigin/v2/Contacts/${IDS.rich}/Attachments`,
      ]);
    },
  );

  it("answers UNAUTHENTICATED for attachments on entities without a credential, calling no Bigin", async () => {
    const { body } = await stack.gql(
      RecordEntitiesDocument,
      { representations: [ref("Contacts", IDS.rich)] },
      { token: null },
    );
    expect(body.data!._entities).toEqual([{ module: "Contacts", id: IDS.rich, attachments: null }]);
    expect(body.errors![0]).toMatchObject({
      path: ["_entities", 0, "attachments"],
      extensions: { code: "UNAUTHENTICATED" },
    });
    expect(stack.calls()).toHaveLength(0);
  });
});
