import { ApolloArmor } from "@escape.tech/graphql-armor";
import { GraphQLError, type GraphQLFormattedError, type ValidationContext } from "graphql";

/**
 * Caps on a document's size and shape, derived from BIGIN_MAX_CALLS_PER_OPERATION so that an
 * operation asking for too many Bigin calls meets QUERY_TOO_EXPENSIVE first, while a document
 * far larger than any the call limit lets run is still refused before it costs anything.
 */
export interface DocumentLimits {
  /** Lexical tokens, counted by graphql-js's parser (which stops reading past the cap). */
  maxTokens: number;
  maxAliases: number;
  maxDirectives: number;
  maxDepth: number;
}

// Room per allowed Bigin call: a record alias, an `attachments` alias and aliased subfields; an
// @include/@skip or two; and the ~20 tokens of `r1: record(module: M, id: "1") { attachments {
// nodes { id } } }` several times over.
const ALIASES_PER_CALL = 5;
const DIRECTIVES_PER_CALL = 2;
const TOKENS_PER_CALL = 100;
// Floors for small call limits: what any single-record operation may use.
const MIN_ALIASES = 100;
const MIN_DIRECTIVES = 50;
const MIN_TOKENS = 5000;
const MAX_DEPTH = 12;

export function documentLimits(maxCallsPerOperation: number): DocumentLimits {
  return {
    maxTokens: Math.max(MIN_TOKENS, TOKENS_PER_CALL * maxCallsPerOperation),
    maxAliases: Math.max(MIN_ALIASES, ALIASES_PER_CALL * maxCallsPerOperation),
    maxDirectives: Math.max(MIN_DIRECTIVES, DIRECTIVES_PER_CALL * maxCallsPerOperation),
    maxDepth: MAX_DEPTH,
  };
}

type Cap = "aliases" | "directives" | "depth";

const WHAT: Record<Cap, string> = {
  aliases: "aliases",
  directives: "directives",
  depth: "levels of nested selections",
};

function capError(cap: Cap, max: number, found: number | undefined): GraphQLError {
  const has = found === undefined ? `more than ${max}` : String(found);
  return new GraphQLError(
    `Document limit: the operation has ${has} ${WHAT[cap]}; at most ${max} are accepted. Send a smaller operation.`,
    { extensions: { limit: { name: cap, max, ...(found !== undefined && { found }) } } },
  );
}

/**
 * graphql-armor's options for one cap: its limit and a rejection reported in our words
 * (graphql-armor's own message starts with a misleading "Syntax Error:").
 */
function armorCap(cap: Cap, max: number) {
  return {
    n: max,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const found = /found (\d+)/.exec(error.message)?.[1];
        context?.reportError(capError(cap, max, found === undefined ? undefined : Number(found)));
      },
    ],
  };
}

/**
 * graphql-armor's validation rules and plugins for the caps of `documentLimits`, and the parser
 * options for the token cap (graphql-js's parser stops reading there, before armor could count).
 */
export function documentProtection(maxCallsPerOperation: number, introspection: boolean) {
  const limits = documentLimits(maxCallsPerOperation);
  const armor = new ApolloArmor({
    maxDepth: { ...armorCap("depth", limits.maxDepth), ignoreIntrospection: true },
    maxAliases: armorCap("aliases", limits.maxAliases),
    maxDirectives: armorCap("directives", limits.maxDirectives),
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    // Suggestions help people exploring the schema; hide them when introspection is off.
    blockFieldSuggestion: { enabled: !introspection },
  });
  return { ...armor.protect(), parseOptions: { maxTokens: limits.maxTokens } };
}

const TOO_MANY_TOKENS = /^Syntax Error: Document contains more th(?:an|at) (\d+) tokens/;

/**
 * The errors of the document caps that graphql-js words as it likes, in our words: the token
 * cap (a parse error "Syntax Error: Document contains more that N tokens") and its guard
 * against documents too costly to validate ("Validation aborted."). Other errors: undefined.
 */
export function documentLimitError(
  formatted: GraphQLFormattedError,
): GraphQLFormattedError | undefined {
  if (formatted.message === "Validation aborted.") {
    return {
      ...formatted,
      message:
        "The document is too complex to validate (too many fields to compare with each other); send a smaller operation",
    };
  }
  const tokens = TOO_MANY_TOKENS.exec(formatted.message)?.[1];
  if (tokens !== undefined) {
    return {
      ...formatted,
      message: `Document limit: the operation has more than ${tokens} tokens (names, punctuation and values); at most ${tokens} are accepted. Send a smaller operation.`,
      extensions: { ...formatted.extensions, limit: { name: "tokens", max: Number(tokens) } },
    };
  }
  return undefined;
}
