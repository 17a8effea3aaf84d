import {
  Kind,
  parse,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from "graphql";
import { describe, expect, it } from "vitest";
import { ATTACHMENT_FIELD_MAP } from "../../src/graphql/attachment.type.js";
import { connectionFields } from "../../src/graphql/selection.js";

/** The Bigin fields for the `attachments` field with the given alias in the document. */
function fieldsFor(source: string, variables: Record<string, unknown> = {}, alias = "attachments") {
  const document = parse(source);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
  }
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fieldNodes: FieldNode[] = [];
  const visit = (node: { selectionSet?: { selections: readonly unknown[] } }) => {
    for (const selection of (node.selectionSet?.selections ?? []) as FieldNode[]) {
      if (
        selection.kind === Kind.FIELD &&
        (selection.alias?.value ?? selection.name.value) === alias
      ) {
        fieldNodes.push(selection);
      } else visit(selection);
    }
  };
  visit(operation);
  return connectionFields(
    { fieldNodes, fragments, variableValues: variables },
    ATTACHMENT_FIELD_MAP,
  );
}

describe("connectionFields", () => {
  it("asks for the API names of the selected fields plus id, sorted", () => {
    expect(
      fieldsFor(
        `{ record(module: Contacts, id: "1") { attachments { nodes { fileName size } } } }`,
      ),
    ).toEqual(["File_Name", "Size", "id"]);
  });

  it("asks for just id when only pageInfo is selected", () => {
    expect(
      fieldsFor(`{ record(module: Contacts, id: "1") { attachments { pageInfo { count } } } }`),
    ).toEqual(["id"]);
  });

  it("includes fields from named fragments, nested fragments and inline fragments", () => {
    const source = `
      query { record(module: Contacts, id: "1") { attachments { ...Page } } }
      fragment Page on BiginAttachmentConnection { nodes { ...Names ... on BiginAttachment { owner { id } } } }
      fragment Names on BiginAttachment { fileName ...Times }
      fragment Times on BiginAttachment { createdTime }`;
    expect(fieldsFor(source)).toEqual(["Created_Time", "File_Name", "Owner", "id"]);
  });

  it("merges selections of fields that share a response key", () => {
    const source = `{ record(module: Contacts, id: "1") {
      attachments { nodes { fileName } }
      attachments { nodes { linkUrl } } } }`;
    expect(fieldsFor(source)).toEqual(["$link_url", "File_Name", "id"]);
  });

  it("maps aliased fields by their field name", () => {
    const source = `{ record(module: Contacts, id: "1") { attachments { items: nodes { name: fileName bytes: size } } } }`;
    expect(fieldsFor(source)).toEqual(["File_Name", "Size", "id"]);
  });

  it("honours @skip and @include with literals and variables", () => {
    const source = `query ($withSize: Boolean!, $noOwner: Boolean!) { record(module: Contacts, id: "1") {
      attachments { nodes {
        fileName @skip(if: true)
        modifiedTime @include(if: false)
        size @include(if: $withSize)
        owner @skip(if: $noOwner) { id }
        ... on BiginAttachment @include(if: $withSize) { editable }
      } } } }`;
    expect(fieldsFor(source, { withSize: true, noOwner: true })).toEqual([
      "$editable",
      "Size",
      "id",
    ]);
    expect(fieldsFor(source, { withSize: false, noOwner: false })).toEqual(["Owner", "id"]);
  });

  it("asks for what computed and nested fields need", () => {
    const source = `{ record(module: Contacts, id: "1") { attachments { nodes {
      parent { id name module } createdBy { email } type } } } }`;
    expect(fieldsFor(source)).toEqual(["$se_module", "$type", "Created_By", "Parent_Id", "id"]);
  });

  it("needs only Parent_Id when parent.module is not selected", () => {
    const source = `{ record(module: Contacts, id: "1") { attachments { nodes { parent { __typename name } } } } }`;
    expect(fieldsFor(source)).toEqual(["Parent_Id", "id"]);
  });

  it("ignores __typename and fields outside nodes", () => {
    const source = `{ record(module: Contacts, id: "1") { attachments { __typename nodes { __typename } pageInfo { page } } } }`;
    expect(fieldsFor(source)).toEqual(["id"]);
  });

  it("survives a fragment cycle", () => {
    const source = `
      query { record(module: Contacts, id: "1") { attachments { nodes { ...A } } } }
      fragment A on BiginAttachment { fileName ...B }
      fragment B on BiginAttachment { size ...A }`;
    expect(fieldsFor(source)).toEqual(["File_Name", "Size", "id"]);
  });
});
