import { Directive } from "type-graphql";

/**
 * The demand-control weight of one Bigin call, in the units of the cost spec
 * (https://specs.apollo.dev/cost/v0.1), where every object a gateway resolves weighs 1: a round
 * trip to Zoho, which also spends one of the account's API credits, weighs ten objects.
 */
export const BIGIN_CALL_WEIGHT = 10;

/** On a field whose resolution makes one Bigin call. */
export const BiginCall = () => Directive(`@cost(weight: ${BIGIN_CALL_WEIGHT})`);

/** The list fields of a connection, each as long as the page's `first` (sized by it). */
export const SIZED_FIELDS = ["edges", "nodes"] as const;
const SLICING_ARGUMENT = "first";

/**
 * On a connection field: its `edges` and `nodes` hold up to `first` items. `first` has a
 * default, so a query may omit it (requireOneSlicingArgument: false).
 */
export const SizedBy = () =>
  Directive(
    `@listSize(slicingArguments: ["${SLICING_ARGUMENT}"], sizedFields: [${SIZED_FIELDS.map((f) => `"${f}"`).join(", ")}], requireOneSlicingArgument: false)`,
  );
