import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

// RFC 3339 date-time with a mandatory offset, as Bigin sends it (2025-12-11T11:34:53+05:30).
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function checked(value: string): string {
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  return value;
}

/** Keeps Bigin's own offset: the value is passed through as sent, after validation. */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: "DateTime",
  description:
    "A date-time string in RFC 3339 format with an offset, e.g. 2025-12-11T11:34:53+05:30 (as Bigin sends it).",
  specifiedByURL: "https://datatracker.ietf.org/doc/html/rfc3339",
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === "string") return checked(value);
    throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`);
  },
  parseValue(value) {
    if (typeof value !== "string") throw new GraphQLError("DateTime must be a string");
    return checked(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError("DateTime must be a string");
    return checked(ast.value);
  },
});

/** Epoch milliseconds → RFC 3339 in UTC, without fractions of a second when there are none. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(".000Z", "Z");
}
