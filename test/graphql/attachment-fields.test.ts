import { GraphQLObjectType, getNamedType, isObjectType, type GraphQLField } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ATTACHMENT_FIELD_MAP } from "../../src/graphql/attachment.type.js";
import { createSchema } from "../../src/graphql/schema.js";
import { ATTACHMENT_FIELDS } from "../../src/sandbox/index.js";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

const attachmentType = createSchema().getType("BiginAttachment");
if (!(attachmentType instanceof GraphQLObjectType)) throw new Error("no BiginAttachment type");
const schemaFields = Object.values(attachmentType.getFields());

/** The field with every scalar subfield selected, and the Bigin names that selection needs. */
function selectionOf(field: GraphQLField<unknown, unknown>): {
  selection: string;
  needs: string[];
} {
  const declared = ATTACHMENT_FIELD_MAP[field.name];
  const needs = [...(declared?.bigin ?? [])];
  const type = getNamedType(field.type);
  if (!isObjectType(type)) return { selection: field.name, needs };
  const subfields = Object.keys(type.getFields());
  for (const name of subfields) needs.push(...(declared?.fields?.[name]?.bigin ?? []));
  return { selection: `${field.name} { ${subfields.join(" ")} }`, needs };
}

describe("Attachment's Bigin field declarations", () => {
  it("give every GraphQL field of Attachment its Bigin names, and name no other field", () => {
    const undeclared = schemaFields
      .filter((field) => (ATTACHMENT_FIELD_MAP[field.name]?.bigin.length ?? 0) === 0)
      .map((field) => field.name);
    expect(undeclared).toEqual([]);
    expect(Object.keys(ATTACHMENT_FIELD_MAP).sort()).toEqual(
      schemaFields.map((field) => field.name).sort(),
    );
  });

  it("use only names Bigin's `fields` parameter accepts", () => {
    const names = Object.values(ATTACHMENT_FIELD_MAP).flatMap((needs) => [
      ...needs.bigin,
      ...Object.values(needs.fields ?? {}).flatMap((sub) => sub.bigin),
    ]);
    expect(
      names.filter((name) => !(ATTACHMENT_FIELDS as readonly string[]).includes(name)),
    ).toEqual([]);
  });
});

describe("each Attachment field over HTTP", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  it.each(schemaFields.map((field) => [field.name, field] as const))(
    "%s asks Bigin for its declared names and reads a value from the answer",
    async (name, field) => {
      const { selection, needs } = selectionOf(field);
      const { body } = await stack.gql<{
        record: { attachments: { nodes: Array<Record<string, unknown>> } };
      }>(
        `{ record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { ${selection} } } } }`,
      );
      expect(body.errors).toBeUndefined();
      const calls = stack.calls();
      expect(calls).toHaveLength(1);
      expect(calls[0]!.query.fields!.split(",")).toEqual([...new Set(["id", ...needs])].sort());
      const values = body.data!.record.attachments.nodes.map((node) => node[name]);
      expect(values.length).toBeGreaterThan(0);
      expect(values.some((value) => value !== null && value !== undefined)).toBe(true);
    },
  );
});
