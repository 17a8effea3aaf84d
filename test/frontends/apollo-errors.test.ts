import {
  ApolloClient,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  ServerError,
  type ErrorPolicy,
} from "@apollo/client";
import { parse } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IDS } from "../helpers/ids.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";

const UNKNOWN_RECORD = "1234567890123456789";
const TWO_RECORDS = parse(`
  query TwoRecords($good: ID!, $bad: ID!) {
    good: record(module: Contacts, id: $good) { module id attachments(first: 2) { nodes { id fileName } } }
    bad: record(module: Contacts, id: $bad) { module id attachments(first: 2) { nodes { id fileName } } }
  }
`);

let stack: Stack;
/** Method and URL of every request the link sent. */
let sent: Array<{ method: string; url: string }> = [];
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => {
  sent = [];
});

/** The README's HttpLink set-up: GET for queries, the caller's token. */
function createClient(token: string | null = DEMO_TOKEN): ApolloClient {
  return new ApolloClient({
    cache: new InMemoryCache({ typePolicies: { BiginRecord: { keyFields: ["module", "id"] } } }),
    link: new HttpLink({
      uri: `${stack.server.url}/graphql`,
      useGETForQueries: true,
      headers: token === null ? {} : { authorization: `Zoho-oauthtoken ${token}` },
      fetch: (input, init) => {
        sent.push({ method: init?.method ?? "GET", url: String(input) });
        return fetch(input, init);
      },
    }),
  });
}

const query = (client: ApolloClient, errorPolicy: ErrorPolicy) =>
  client.query({
    query: TWO_RECORDS,
    variables: { good: IDS.rich, bad: UNKNOWN_RECORD },
    errorPolicy,
    fetchPolicy: "network-only",
  });

describe("Apollo Client 4 against the server", () => {
  it("sends queries as GET with useGETForQueries, past CSRF prevention", async () => {
    const result = await createClient().query({
      query: parse(
        `{ record(module: Contacts, id: "${IDS.rich}") { module id attachments(first: 1) { nodes { id } } } }`,
      ),
    });
    expect(result.error).toBeUndefined();
    expect(result.data).toMatchObject({
      record: { attachments: { nodes: [{ id: expect.any(String) }] } },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe("GET");
    expect(sent[0]!.url).toContain("/graphql?");
  });

  it('keeps the data of the other fields with errorPolicy "all", errors in CombinedGraphQLErrors', async () => {
    const result = await query(createClient(), "all");
    expect(result.data).toMatchObject({
      good: { id: IDS.rich, attachments: { nodes: expect.arrayContaining([expect.anything()]) } },
      bad: { id: UNKNOWN_RECORD, attachments: null },
    });
    expect(CombinedGraphQLErrors.is(result.error)).toBe(true);
    const { errors } = result.error as CombinedGraphQLErrors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      path: ["bad", "attachments"],
      extensions: { code: "NOT_FOUND", retryable: false, bigin: { code: "INVALID_DATA" } },
    });
  });

  it("rejects with CombinedGraphQLErrors under the default errorPolicy (none), partial data on the error only", async () => {
    const error: unknown = await query(createClient(), "none").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    expect((error as CombinedGraphQLErrors).errors[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((error as CombinedGraphQLErrors).data).toMatchObject({ good: { id: IDS.rich } });
  });

  it("shows a missing token as UNAUTHENTICATED, with the fields that need no Bigin call", async () => {
    const result = await query(createClient(null), "all");
    expect(result.data).toMatchObject({
      good: { id: IDS.rich, attachments: null },
      bad: { id: UNKNOWN_RECORD, attachments: null },
    });
    const codes = (result.error as CombinedGraphQLErrors).errors.map((e) => e.extensions?.code);
    expect(codes).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED"]);
  });

  it("shows an answer that is not GraphQL (a body over the limit) as ServerError with its status", async () => {
    const error: unknown = await createClient()
      .mutate({
        mutation: parse(
          `mutation ($title: String) { attachLink(module: Contacts, recordId: "${IDS.empty}", url: "https://example.com", title: $title) { id } }`,
        ),
        variables: { title: "x".repeat(1_100_000) },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(ServerError.is(error)).toBe(true);
    expect((error as ServerError).statusCode).toBe(413);
    expect(JSON.parse((error as ServerError).bodyText)).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    expect(sent.at(-1)?.method).toBe("POST");
  });
});
