import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDS } from "../helpers/ids.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

interface BadRequest {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

const json = { "content-type": "application/json" };
const auth = { authorization: `Zoho-oauthtoken ${DEMO_TOKEN}` };
const op = (query: string, variables?: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ query, variables, ...extra });
const names = `query ($module: BiginModule!, $id: ID!, $first: Int, $page: Int, $after: String) {
  record(module: $module, id: $id) { attachments(first: $first, page: $page, after: $after) { nodes { id } } } }`;
const vars = (v: Record<string, unknown>) => op(names, { module: "Contacts", id: IDS.rich, ...v });

const CORPUS: BadRequest[] = [
  { name: "a body that is not JSON", headers: json, body: "{ not json" },
  { name: "an empty JSON body", headers: json, body: "" },
  { name: "a JSON number as body", headers: json, body: "42" },
  { name: "a JSON string as body", headers: json, body: '"{ __typename }"' },
  {
    name: "a batched array of operations",
    headers: json,
    body: `[${op("{ __typename }")},${op("{ __typename }")}]`,
  },
  { name: "no query at all", headers: json, body: JSON.stringify({ variables: {} }) },
  { name: "a query that is a number", headers: json, body: JSON.stringify({ query: 5 }) },
  {
    name: "variables that are a string",
    headers: json,
    body: JSON.stringify({ query: names, variables: "x" }),
  },
  { name: "a syntax error", headers: json, body: op("{ record(module: Contacts id: ") },
  {
    name: "an unknown field",
    headers: json,
    body: op(`{ record(module: Contacts, id: "1") { photos } }`),
  },
  {
    name: "an unknown enum value",
    headers: json,
    body: op(`{ record(module: Leads, id: "1") { id } }`),
  },
  { name: "a module in lower case", headers: json, body: vars({ module: "contacts" }) },
  { name: "null for a non-null variable", headers: json, body: vars({ id: null }) },
  { name: "a string for an Int variable", headers: json, body: vars({ first: "ten" }) },
  { name: "an Int past 32 bits", headers: json, body: vars({ first: 2147483648 }) },
  { name: "a float for an Int", headers: json, body: vars({ first: 1.5 }) },
  { name: "an object for an ID", headers: json, body: vars({ id: { $gt: "" } }) },
  { name: "a non-numeric id", headers: json, body: vars({ id: "abc" }) },
  { name: "an id with a path", headers: json, body: vars({ id: "../../Deals/1" }) },
  { name: "an id with unicode digits", headers: json, body: vars({ id: "２０３４" }) },
  { name: "a negative id", headers: json, body: vars({ id: "-1" }) },
  { name: "an empty id", headers: json, body: vars({ id: "" }) },
  { name: "a 20-digit id", headers: json, body: vars({ id: "12345678901234567890" }) },
  { name: "a negative first", headers: json, body: vars({ first: -1 }) },
  { name: "page zero", headers: json, body: vars({ page: 0 }) },
  { name: "page past the 2000 cap", headers: json, body: vars({ first: 100, page: 21 }) },
  { name: "an empty page token", headers: json, body: vars({ after: "" }) },
  { name: "a 5000-character page token", headers: json, body: vars({ after: "x".repeat(5000) }) },
  {
    name: "an unknown operation name",
    headers: json,
    body: op("query A { __typename }", {}, { operationName: "B" }),
  },
  {
    name: "two operations and no name",
    headers: json,
    body: op("query A { __typename } query B { __typename }"),
  },
  { name: "a subscription", headers: json, body: op("subscription { record }") },
  {
    name: "a mutation over GET",
    method: "GET",
    path: `/graphql?query=${encodeURIComponent("mutation { __typename }")}`,
    headers: { "apollo-require-preflight": "true" },
  },
  {
    name: "a GET without a query",
    method: "GET",
    path: "/graphql?variables=%7B%7D",
    headers: { "apollo-require-preflight": "true", accept: "application/json" },
  },
  {
    name: "a text/plain body (CSRF)",
    headers: { "content-type": "text/plain" },
    body: op("{ __typename }"),
  },
  {
    name: "a form body",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "query=%7B__typename%7D",
  },
  {
    name: "multipart without the preflight header",
    headers: { "content-type": "multipart/form-data; boundary=x" },
    body: "--x--\r\n",
  },
  {
    name: "a 2 MB body",
    headers: json,
    body: op(`{ __typename }`, { pad: "x".repeat(2 * 1024 * 1024) }),
  },
  {
    name: "more than 500 aliases (the cap at the default call limit)",
    headers: json,
    body: op(
      `{ ${Array.from({ length: 520 }, (_, i) => `a${i}: record(module: Contacts, id: "1") { id }`).join(" ")} }`,
    ),
  },
  {
    name: "too many fields to validate",
    headers: json,
    body: op(`{ ${"__typename ".repeat(2600)} }`),
  },
  {
    name: "more than 10000 tokens (the cap at the default call limit)",
    headers: json,
    body: op(`{ ${"__typename ".repeat(10_100)} }`),
  },
  {
    name: "a prototype-polluting variables object",
    headers: json,
    body: `{"query":${JSON.stringify(names)},"variables":{"__proto__":{"admin":true},"module":"Contacts","id":"x"}}`,
  },
  {
    name: "an Authorization header with no token",
    headers: { ...json, authorization: "Zoho-oauthtoken" },
    body: vars({}),
  },
  {
    name: "an Authorization header of another scheme",
    headers: { ...json, authorization: "Basic dXNlcjpwYXNz" },
    body: vars({}),
  },
];

describe("bad input", () => {
  it("has a corpus of at least 30 malformed requests", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CORPUS.map((c) => [c.name, c] as const))(
    "answers %s with a 4xx or a GraphQL error naming the problem, no stack trace and no Bigin call",
    async (_name, request) => {
      stack.reset();
      const response = await fetch(`${stack.server.url}${request.path ?? "/graphql"}`, {
        method: request.method ?? "POST",
        headers: { ...auth, ...request.headers },
        body: request.body,
      });
      const text = await response.text();
      expect(text).not.toMatch(/\bat .+\.(?:js|ts):\d+/);
      expect(text).not.toContain(DEMO_TOKEN);
      let body: {
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
        message?: string;
      };
      try {
        body = JSON.parse(text);
      } catch {
        body = {};
      }
      const message = body.errors?.[0]?.message ?? body.message ?? "";
      expect(message.length, `no error message in: ${text.slice(0, 200)}`).toBeGreaterThan(5);
      expect((response.status >= 400 && response.status < 500) || body.errors !== undefined).toBe(
        true,
      );
      // Request errors answered as application/json have status 200 (GraphQL over HTTP).
      if (response.status < 400) {
        expect(body.errors?.[0]?.extensions?.code).toMatch(
          /^(BAD_USER_INPUT|UNAUTHENTICATED|GRAPHQL_VALIDATION_FAILED|GRAPHQL_PARSE_FAILED|OPERATION_RESOLUTION_FAILURE|QUERY_TOO_EXPENSIVE)$/,
        );
      }
      expect(stack.calls()).toHaveLength(0);
    },
  );

  it("keeps serving after all of it", async () => {
    stack.reset();
    const { body } = await stack.gql(
      `{ record(module: Contacts, id: "${IDS.rich}") { attachments { nodes { id } } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(stack.calls()).toHaveLength(1);
  });
});
