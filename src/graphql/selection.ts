import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLResolveInfo,
  SelectionSetNode,
} from "graphql";

/** What a GraphQL field needs from Bigin: its own API names, and its subfields' extra needs. */
export interface FieldNeeds {
  readonly bigin: readonly string[];
  readonly fields?: FieldMap;
}
export type FieldMap = Readonly<Record<string, FieldNeeds>>;

/** Bigin's cap on names in one `fields` parameter. */
export const MAX_BIGIN_FIELDS = 50;

export interface Walk {
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Set when a @skip/@include read a variable: the result is then not cacheable per document. */
  usedVariables: boolean;
}

function included(node: FieldNode | SelectionSetNode["selections"][number], walk: Walk): boolean {
  for (const directive of node.directives ?? []) {
    const name = directive.name.value;
    if (name !== "skip" && name !== "include") continue;
    const arg = directive.arguments?.find((a) => a.name.value === "if");
    if (!arg) continue;
    let value: unknown;
    if (arg.value.kind === "Variable") {
      walk.usedVariables = true;
      value = walk.variables[arg.value.name.value];
    } else if (arg.value.kind === "BooleanValue") {
      value = arg.value.value;
    }
    if (name === "skip" && value === true) return false;
    if (name === "include" && value !== true) return false;
  }
  return true;
}

/** Calls visit for every field of a selection set, through fragments, honouring @skip/@include. */
export function eachField(
  selectionSet: SelectionSetNode | undefined,
  walk: Walk,
  visit: (field: FieldNode) => void,
  seenFragments = new Set<string>(),
): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (!included(selection, walk)) continue;
    if (selection.kind === "Field") {
      visit(selection);
    } else if (selection.kind === "InlineFragment") {
      eachField(selection.selectionSet, walk, visit, seenFragments);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments[name];
      if (!fragment || seenFragments.has(name)) continue;
      eachField(fragment.selectionSet, walk, visit, new Set(seenFragments).add(name));
    }
  }
}

function collect(
  selectionSet: SelectionSetNode | undefined,
  map: FieldMap,
  walk: Walk,
  out: Set<string>,
) {
  eachField(selectionSet, walk, (field) => {
    const needs = map[field.name.value];
    if (!needs) return;
    for (const name of needs.bigin) out.add(name);
    if (needs.fields) collect(field.selectionSet, needs.fields, walk, out);
  });
}

const cache = new WeakMap<FieldNode, { nodes: readonly FieldNode[]; fields: readonly string[] }>();

/** Every Bigin name a field map can ask for, with `id`: sorted, without duplicates. */
export function allBiginFields(map: FieldMap): readonly string[] {
  const names = new Set<string>(["id"]);
  const add = (m: FieldMap) => {
    for (const needs of Object.values(m)) {
      for (const name of needs.bigin) names.add(name);
      if (needs.fields) add(needs.fields);
    }
  };
  add(map);
  return [...names].sort();
}

/**
 * The Bigin `fields` for a connection field (e.g. `attachments`): what its `nodes` and
 * `edges { node }` selections need, through aliases, fragments and @skip/@include. Always
 * includes `id`; sorted; at most MAX_BIGIN_FIELDS names. Cached per document when no directive
 * depends on a variable.
 */
export function connectionFields(
  info: Pick<GraphQLResolveInfo, "fieldNodes" | "fragments" | "variableValues">,
  nodeMap: FieldMap,
): readonly string[] {
  const first = info.fieldNodes[0];
  const cached = first && cache.get(first);
  if (cached && cached.nodes.length === info.fieldNodes.length) {
    if (cached.nodes.every((node, i) => node === info.fieldNodes[i])) return cached.fields;
  }
  const walk: Walk = {
    fragments: info.fragments,
    variables: info.variableValues,
    usedVariables: false,
  };
  const names = new Set<string>(["id"]);
  for (const fieldNode of info.fieldNodes) {
    eachField(fieldNode.selectionSet, walk, (field) => {
      if (field.name.value === "nodes") collect(field.selectionSet, nodeMap, walk, names);
      if (field.name.value !== "edges") return;
      eachField(field.selectionSet, walk, (edgeField) => {
        if (edgeField.name.value === "node") {
          collect(edgeField.selectionSet, nodeMap, walk, names);
        }
      });
    });
  }
  const fields = [...names].sort();
  if (fields.length > MAX_BIGIN_FIELDS) {
    throw new Error(
      `Selection needs ${fields.length} Bigin fields; Bigin accepts ${MAX_BIGIN_FIELDS}`,
    );
  }
  if (first && !walk.usedVariables) cache.set(first, { nodes: info.fieldNodes, fields });
  return fields;
}
