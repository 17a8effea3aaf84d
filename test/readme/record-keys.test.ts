import { readdirSync, readFileSync } from "node:fs";
import {
  buildSchema,
  getNamedType,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { describe, expect, it } from "vitest";

/**
 * The documented cache keys a record by `module` and `id` (`keyFields`, like the federation
 * key): a selection of a BiginRecord without them makes Apollo Client throw "Missing field
 * 'module' while extracting keyFields". Every operation we show must select them.
 */
const ROOT = new URL("../../", import.meta.url);
const schema = buildSchema(readFileSync(new URL("schema/schema.graphql", ROOT), "utf8"), {
  assumeValidSDL: true,
});

/** The GraphQL documents the README shows: graphql blocks, and queries in shell and TS code. */
function readmeDocuments(): Array<[string, string]> {
  const readme = readFileSync(new URL("README.md", ROOT), "utf8");
  const documents: Array<[string, string]> = [];
  for (const [, lang, body] of readme.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    if (lang === "graphql") documents.push([`README.md: ${body!.slice(0, 60)}`, body!]);
    for (const [, json] of body!.matchAll(/"query":("(?:[^"\\]|\\.)*")/g)) {
      const query = JSON.parse(json!) as string;
      documents.push([`README.md ${lang}: ${query.slice(0, 60)}`, query]);
    }
    for (const [, text] of body!.matchAll(/(?:gql|graphql)\(?`([^`]*)`/g)) {
      documents.push([`README.md ${lang}: ${text!.slice(0, 60)}`, text!]);
    }
  }
  return documents;
}

function operationFiles(): Array<[string, string]> {
  const dir = new URL("schema/operations/", ROOT);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".graphql"))
    .map((name) => [`schema/operations/${name}`, readFileSync(new URL(name, dir), "utf8")]);
}

/** The field names a selection set selects, through fragments. */
function selected(
  set: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
): Set<string> {
  const names = new Set<string>();
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) names.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      for (const name of selected(selection.selectionSet, fragments)) names.add(name);
    } else {
      const fragment = fragments.get(selection.name.value);
      for (const name of selected(fragment?.selectionSet, fragments)) names.add(name);
    }
  }
  return names;
}

/** Where in `document` a BiginRecord is selected without `module` and `id`. */
function recordsWithoutKey(document: DocumentNode): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const typeInfo = new TypeInfo(schema);
  const missing: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(field) {
        const type = typeInfo.getType();
        if (!type || getNamedType(type).name !== "BiginRecord") return;
        const names = selected(field.selectionSet, fragments);
        if (!names.has("module") || !names.has("id")) {
          missing.push(field.alias?.value ?? field.name.value);
        }
      },
      InlineFragment(fragment) {
        if (fragment.typeCondition?.name.value !== "BiginRecord") return;
        const names = selected(fragment.selectionSet, fragments);
        if (!names.has("module") || !names.has("id")) missing.push("... on BiginRecord");
      },
    }),
  );
  return missing;
}

describe("every record an operation selects carries its cache key (module and id)", () => {
  it.each([...operationFiles(), ...readmeDocuments()])("%s", (_where, source) => {
    expect(recordsWithoutKey(parse(source))).toEqual([]);
  });

  it("finds a record selected without them", () => {
    const document = parse(`query ($m: BiginModule!) {
      a: record(module: $m, id: "1") { attachments { nodes { id } } }
      b: record(module: $m, id: "2") { ...Key }
      uploadPhoto: record(module: $m, id: "3") { id }
    }
    fragment Key on BiginRecord { module id }`);
    expect(recordsWithoutKey(document)).toEqual(["a", "uploadPhoto"]);
  });
});
