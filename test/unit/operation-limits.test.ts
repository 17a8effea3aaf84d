import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { documentLimits } from "../../src/graphql/document-limits.js";
import { countBiginCalls } from "../../src/graphql/operation-limits.js";

function count(source: string, variables: Record<string, unknown> = {}) {
  const document = parse(source);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
    if (def.kind === Kind.OPERATION_DEFINITION) operation = def;
  }
  return countBiginCalls(operation!, fragments, variables);
}

describe("countBiginCalls", () => {
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
