import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { documentLimits } from "../../src/graphql/document-limits.js";
import { countOperation } from "../../src/graphql/operation-limits.js";

function cost(source: string, variables: Record<string, unknown> = {}) {
  const document = parse(source);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
    if (def.kind === Kind.OPERATION_DEFINITION) operation = def;
  }
  return countOperation(operation!, fragments, variables);
}
const count = (source: string, variables: Record<string, unknown> = {}) =>
  cost(source, variables).calls;
const nodes = (source: string, variables: Record<string, unknown> = {}) =>
  cost(source, variables).nodes;

describe("countOperation: calls", () => {
  it("counts nothing for fields that need no Bigin call", () => {
    expect(count(`{ record(module: Contacts, id: "1") { id module } __typename }`)).toBe(0);
  });

  it("counts one call per distinct record page, however often it is asked for", () => {
    expect(
      count(`{
        a: record(module: Contacts, id: "1") { attachments { nodes { id } } x: attachments { pageInfo { count } } }
        b: record(module: Contacts, id: "1") { attachments(first: 200, page: 1) { nodes { fileName } } }
        c: record(module: Contacts, id: "2") { attachments { nodes { id } } }
        d: record(module: Contacts, id: "2") { attachments(page: 2) { nodes { id } } }
      }`),
    ).toBe(3);
  });

  it("follows fragments and variables, and honours @skip", () => {
    const source = `query ($id: ID!, $skip: Boolean!) {
      record(module: Contacts, id: $id) { ...Files }
      other: record(module: Accounts, id: $id) @skip(if: $skip) { ...Files }
    }
    fragment Files on Record { attachments(first: 10) { nodes { id } } }`;
    expect(count(source, { id: "7", skip: true })).toBe(1);
    expect(count(source, { id: "7", skip: false })).toBe(2);
  });

  it("counts each Record representation of _entities", () => {
    const representations = Array.from({ length: 30 }, (_, i) => ({
      __typename: "BiginRecord",
      module: "Contacts",
      id: String(i % 10),
    }));
    const source = `query ($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on Record { attachments { nodes { id } } } }
    }`;
    expect(count(source, { representations })).toBe(10);
  });

  it("counts one call per mutation field plus what its selection reads", () => {
    expect(
      count(`mutation {
        a: deleteAttachment(module: Contacts, recordId: "1", id: "2")
        b: deleteAttachment(module: Contacts, recordId: "1", id: "3")
        deletePhoto(module: Contacts, recordId: "1") { attachments { nodes { id } } }
      }`),
    ).toBe(4);
  });
});

describe("countOperation: nodes", () => {
  const rec = (alias: string, attachments: string) =>
    `${alias}: record(module: Contacts, id: "1") { ${attachments} }`;

  it("counts `first` (200 when not given) for each edges and nodes list", () => {
    expect(nodes(`{ ${rec("a", "attachments(first: 10) { nodes { id } }")} }`)).toBe(10);
    expect(nodes(`{ ${rec("a", "attachments { nodes { id } }")} }`)).toBe(200);
    expect(nodes(`{ ${rec("a", "attachments { edges { cursor } nodes { id } }")} }`)).toBe(400);
    expect(nodes(`{ ${rec("a", "attachments { pageInfo { count } }")} }`)).toBe(0);
  });

  it("counts every alias, of records, of attachments and of the lists", () => {
    const source = `{
      ${rec("a", "x: attachments(first: 5) { nodes { id } n2: nodes { fileName } } y: attachments(first: 7) { edges { cursor } }")}
      ${rec("b", "attachments(first: 5) { nodes { id } }")}
    }`;
    expect(nodes(source)).toBe(5 + 5 + 7 + 5);
  });

  it("counts a list asked for twice under one response key once, as GraphQL merges it", () => {
    const source = `{ record(module: Contacts, id: "1") {
      attachments(first: 3) { nodes { id } ...More }
      attachments(first: 3) { nodes { fileName } }
    } }
    fragment More on BiginAttachmentConnection { nodes { size } }`;
    expect(nodes(source)).toBe(3);
  });

  it("reads `first` from variables and their defaults, and honours @include", () => {
    const source = `query ($n: Int = 50, $more: Boolean!) { record(module: Contacts, id: "1") {
      attachments(first: $n) { nodes { id } edges @include(if: $more) { cursor } }
    } }`;
    expect(nodes(source, { n: 50, more: false })).toBe(50);
    expect(nodes(source, { n: 20, more: true })).toBe(40);
  });

  it("counts each _entities representation, even of one record", () => {
    const representations = Array.from({ length: 30 }, (_, i) => ({
      __typename: "BiginRecord",
      module: "Contacts",
      id: String(i % 10),
    }));
    const source = `query ($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on BiginRecord { attachments(first: 20) { nodes { id } } } }
    }`;
    expect(cost(source, { representations })).toEqual({ calls: 10, nodes: 600 });
  });

  it("counts the lists of a mutation's record, and none for a refused `first`", () => {
    expect(
      cost(`mutation {
        attachLink(module: Contacts, recordId: "1", url: "https://example.com") { record { attachments(first: 4) { nodes { id } } } }
        deletePhoto(module: Contacts, recordId: "2") { attachments(first: 500) { nodes { id } } }
      }`),
    ).toEqual({ calls: 3, nodes: 4 });
  });
});

describe("documentLimits", () => {
  it("keeps the floors for small call limits", () => {
    expect(documentLimits(3)).toEqual({
      maxTokens: 5000,
      maxAliases: 100,
      maxDirectives: 50,
      maxDepth: 12,
    });
  });

  it("grows the caps with BIGIN_MAX_CALLS_PER_OPERATION, well above one alias per call", () => {
    expect(documentLimits(100)).toEqual({
      maxTokens: 10_000,
      maxAliases: 500,
      maxDirectives: 200,
      maxDepth: 12,
    });
    expect(documentLimits(500)).toMatchObject({ maxTokens: 50_000, maxAliases: 2500 });
  });
});
