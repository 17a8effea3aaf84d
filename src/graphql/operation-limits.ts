import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { planPage } from "./page-plan.js";
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

/** The Bigin calls of one `attachments` field, as planPage makes them; none if it will refuse. */
function pageCalls(values: Record<string, unknown>): string[] {
  const { first = 200, page, after } = values;
  try {
    const plan = planPage({
      first: first as number | null,
      page: page as number | null | undefined,
      after: after as string | null | undefined,
    });
    return plan.calls.map((call) =>
      JSON.stringify([
        call.perPage,
        call.page,
        call.pageToken ?? (call.chained ? "chained" : null),
      ]),
    );
  } catch {
    return [];
  }
}

/**
 * The most Bigin calls an operation can cause, counted before it runs: each distinct
 * (record, Bigin page) of `attachments` under `record`, `_entities` or a mutation's record, plus
 * one per mutation field. Pages asked for twice count once, as the loaders make them one call,
 * except across mutation fields: a write makes the pages read after it fresh calls.
 */
export function countBiginCalls(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  const walk: Walk = { fragments, variables, usedVariables: false };
  const pages = new Set<string>();
  let unknown = 0;
  let writes = 0;

  const visitRecord = (
    identity: string | undefined,
    selectionSet: SelectionSetNode | undefined,
  ) => {
    eachField(selectionSet, walk, (field) => {
      if (field.name.value !== "attachments") return;
      const calls = pageCalls(args(field, variables));
      if (identity === undefined) unknown += calls.length;
      else for (const call of calls) pages.add(`${identity} ${call}`);
    });
  };
  const identityOf = (module: unknown, id: unknown) =>
    typeof module === "string" && (typeof id === "string" || typeof id === "number")
      ? `${module}/${id}`
      : undefined;

  eachField(operation.selectionSet, walk, (field) => {
    const name = field.name.value;
    const scope = operation.operation === "mutation" ? `#${writes}` : "";
    if (operation.operation === "mutation") writes += 1;
    const recordArgs = RECORD_FIELDS[name];
    if (recordArgs) {
      const values = args(field, variables);
      const identity = identityOf(values[recordArgs.module], values[recordArgs.id]);
      const scoped = identity === undefined ? undefined : `${identity}${scope}`;
      if (!recordArgs.payload) visitRecord(scoped, field.selectionSet);
      else {
        eachField(field.selectionSet, walk, (sub) => {
          if (sub.name.value === "record") visitRecord(scoped, sub.selectionSet);
        });
      }
    } else if (name === "_entities") {
      const representations = args(field, variables).representations;
      const list = Array.isArray(representations) ? representations : [];
      for (const representation of list) {
        const r = (representation ?? {}) as Record<string, unknown>;
        if (r.__typename === "BiginRecord")
          visitRecord(identityOf(r.module, r.id), field.selectionSet);
      }
    }
  });
  return pages.size + unknown + writes;
}

/**
 * Refuses, before execution and with no Bigin call, subscriptions (this API has none) and
 * operations above the call budget.
 */
export function operationLimitsPlugin(maxCalls: number): ApolloServerPlugin {
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
          const calls = countBiginCalls(operation, fragments, request.variables ?? {});
          if (calls > maxCalls) {
            throw new GraphQLError(
              `This operation could make ${calls} Bigin calls; the limit is ${maxCalls} (BIGIN_MAX_CALLS_PER_OPERATION). Ask for fewer records or pages per operation.`,
              {
                extensions: {
                  code: ErrorCode.QUERY_TOO_EXPENSIVE,
                  calls,
                  maxCalls,
                  http: { status: 400 },
                },
              },
            );
          }
        },
      };
    },
  };
}
