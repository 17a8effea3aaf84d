import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { planPage, type PagePlan } from "./page-plan.js";
import { SIZED_FIELDS } from "./cost.directives.js";
import { ErrorCode } from "./errors.js";
import { eachField, type Walk } from "./selection.js";

/** Fields that name a record, the arguments that hold its module and id, and where it is. */
const RECORD_FIELDS: Record<string, { module: string; id: string; payload: boolean }> = {
  record: { module: "module", id: "id", payload: false },
  uploadPhoto: { module: "module", id: "recordId", payload: false },
  deletePhoto: { module: "module", id: "recordId", payload: false },
  // These answer a payload whose `record` field is the record written to.
  uploadAttachment: { module: "module", id: "recordId", payload: true },
  attachLink: { module: "module", id: "recordId", payload: true },
  deleteAttachment: { module: "module", id: "recordId", payload: true },
};

function args(field: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of field.arguments ?? [])
    out[arg.name.value] = valueFromASTUntyped(arg.value, variables);
  return out;
}

/** How `attachments(first, page, after)` with these arguments is served; undefined if refused. */
function planOf(values: Record<string, unknown>): PagePlan | undefined {
  const { first, page, after } = values;
  try {
    return planPage({
      first: first as number | null | undefined,
      page: page as number | null | undefined,
      after: after as string | null | undefined,
    });
  } catch {
    // The field refuses itself (BAD_USER_INPUT) and costs nothing.
    return undefined;
  }
}

const pageCallKeys = (plan: PagePlan | undefined) =>
  (plan?.calls ?? []).map((call) =>
    JSON.stringify([call.perPage, call.page, call.pageToken ?? (call.chained ? "chained" : null)]),
  );

/**
 * The fields of some selection sets, grouped by response key: fields that share one (the same
 * field asked for twice, or through fragments) are merged by GraphQL into one answer.
 */
function byResponseKey(
  selectionSets: ReadonlyArray<SelectionSetNode | undefined>,
  walk: Walk,
): Map<string, FieldNode[]> {
  const keys = new Map<string, FieldNode[]>();
  for (const selectionSet of selectionSets) {
    eachField(selectionSet, walk, (field) => {
      const key = field.alias?.value ?? field.name.value;
      const list = keys.get(key);
      if (list) list.push(field);
      else keys.set(key, [field]);
    });
  }
  return keys;
}

const selectionSetsOf = (fields: readonly FieldNode[]) => fields.map((f) => f.selectionSet);

/** What an operation may cost, counted before it runs. */
export interface OperationCost {
  /** Bigin calls it can cause (BIGIN_MAX_CALLS_PER_OPERATION). */
  calls: number;
  /** List items it can return: `first` for every `edges` and `nodes` list (BIGIN_MAX_NODES_PER_OPERATION). */
  nodes: number;
}

/**
 * What an operation can cost, counted before it runs, the way the schema's demand-control
 * directives declare it:
 * - `calls`: each distinct (record, Bigin page) of `attachments` under `record`, `_entities` or a
 *   mutation's record, as planPage plans them, plus one per mutation field. Pages asked for twice
 *   count once, as the loaders make them one call, except across mutation fields: a write makes
 *   the pages read after it fresh calls. (`@cost` puts one Bigin call on every `attachments` and
 *   mutation field; this counts more where planPage needs two: a page that straddles two of
 *   Bigin's pages, as an anchored `after` with a `first` near 200 does.)
 * - `nodes`: `@listSize(slicingArguments: ["first"], sizedFields: ["edges", "nodes"])`: every
 *   `edges` and `nodes` list (aliases included) holds `first` items (200 when not given), for
 *   every record it is asked of (each `_entities` representation answers its own lists).
 */
export function countOperation(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): OperationCost {
  const walk: Walk = { fragments, variables, usedVariables: false };
  const pages = new Set<string>();
  let unknownPages = 0;
  let writes = 0;
  let nodes = 0;

  const visitRecord = (
    identity: string | undefined,
    selectionSets: ReadonlyArray<SelectionSetNode | undefined>,
  ) => {
    for (const fields of byResponseKey(selectionSets, walk).values()) {
      if (fields[0]!.name.value !== "attachments") continue;
      // Fields merged under one response key have the same arguments (GraphQL validation).
      const plan = planOf(args(fields[0]!, variables));
      const calls = pageCallKeys(plan);
      if (identity === undefined) unknownPages += calls.length;
      else for (const call of calls) pages.add(`${identity} ${call}`);
      if (plan === undefined) continue;
      for (const [, sized] of byResponseKey(selectionSetsOf(fields), walk)) {
        if ((SIZED_FIELDS as readonly string[]).includes(sized[0]!.name.value)) nodes += plan.first;
      }
    }
  };
  const identityOf = (module: unknown, id: unknown) =>
    typeof module === "string" && (typeof id === "string" || typeof id === "number")
      ? `${module}/${id}`
      : undefined;

  const mutation = operation.operation === "mutation";
  for (const fields of byResponseKey([operation.selectionSet], walk).values()) {
    const field = fields[0]!;
    const name = field.name.value;
    const scope = mutation ? `#${writes}` : "";
    if (mutation) writes += 1;
    const recordArgs = RECORD_FIELDS[name];
    if (recordArgs) {
      const values = args(field, variables);
      const identity = identityOf(values[recordArgs.module], values[recordArgs.id]);
      const scoped = identity === undefined ? undefined : `${identity}${scope}`;
      if (!recordArgs.payload) visitRecord(scoped, selectionSetsOf(fields));
      else {
        const record = byResponseKey(selectionSetsOf(fields), walk);
        for (const sub of record.values()) {
          if (sub[0]!.name.value === "record") visitRecord(scoped, selectionSetsOf(sub));
        }
      }
    } else if (name === "_entities") {
      const representations = args(field, variables).representations;
      const list = Array.isArray(representations) ? representations : [];
      for (const representation of list) {
        const r = (representation ?? {}) as Record<string, unknown>;
        if (r.__typename === "BiginRecord")
          visitRecord(identityOf(r.module, r.id), selectionSetsOf(fields));
      }
    }
  }
  return { calls: pages.size + unknownPages + writes, nodes };
}

/** The variables of a request with the operation's defaults for those it leaves out. */
function withDefaults(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (!(name in out) && definition.defaultValue)
      out[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return out;
}

export interface OperationLimits {
  /** BIGIN_MAX_CALLS_PER_OPERATION */
  maxCalls: number;
  /** BIGIN_MAX_NODES_PER_OPERATION */
  maxNodes: number;
}

function tooExpensive(cost: OperationCost, limits: OperationLimits): GraphQLError {
  const over: string[] = [];
  if (cost.calls > limits.maxCalls) {
    over.push(
      `could make ${cost.calls} Bigin calls; the limit is ${limits.maxCalls} (BIGIN_MAX_CALLS_PER_OPERATION)`,
    );
  }
  if (cost.nodes > limits.maxNodes) {
    over.push(
      `could return ${cost.nodes} attachments (\`first\` for each \`edges\` and \`nodes\` list); the limit is ${limits.maxNodes} (BIGIN_MAX_NODES_PER_OPERATION)`,
    );
  }
  return new GraphQLError(
    `This operation ${over.join(", and ")}. Ask for fewer records or smaller pages per operation.`,
    {
      extensions: {
        code: ErrorCode.QUERY_TOO_EXPENSIVE,
        calls: cost.calls,
        maxCalls: limits.maxCalls,
        nodes: cost.nodes,
        maxNodes: limits.maxNodes,
        http: { status: 400 },
      },
    },
  );
}

/**
 * Refuses, before execution and with no Bigin call, subscriptions (this API has none) and
 * operations above the call or item limits (QUERY_TOO_EXPENSIVE, with both counts and limits).
 */
export function operationLimitsPlugin(limits: OperationLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) return;
          if (operation.operation === "subscription") {
            throw new GraphQLError("This API has no subscriptions: send a query or a mutation", {
              extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
            });
          }
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === "FragmentDefinition")
              fragments[definition.name.value] = definition;
          }
          const variables = withDefaults(operation, request.variables ?? {});
          const cost = countOperation(operation, fragments, variables);
          if (cost.calls > limits.maxCalls || cost.nodes > limits.maxNodes) {
            throw tooExpensive(cost, limits);
          }
        },
      };
    },
  };
}
