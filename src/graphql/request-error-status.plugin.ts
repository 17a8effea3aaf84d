import type { ApolloServerPlugin } from "@apollo/server";
import Negotiator from "negotiator";

// The media types Apollo Server chooses between for a single result, in its order of preference.
const MEDIA_TYPES = ["application/json", "application/graphql-response+json"];

/** The media type Apollo Server answers with for this Accept header (JSON when absent). */
export function negotiatedMediaType(accept: string | undefined): string | undefined {
  if (accept === undefined || accept === "") return MEDIA_TYPES[0];
  return new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES);
}

/**
 * Request errors (a document that does not parse or validate, variables that do not coerce,
 * QUERY_TOO_EXPENSIVE: the operation never ran) answered as `application/json` get status 200,
 * as the GraphQL-over-HTTP spec recommends for that media type. Gateways that do not ask for
 * `application/graphql-response+json` (@apollo/gateway sends `Accept: *\/*`) replace a 4xx
 * answer with an opaque error of their own, losing `extensions.code` and its details.
 * `application/graphql-response+json` answers keep the 4xx the spec asks of them, and so do
 * requests that are not well-formed (no query, a body that is not JSON, no CSRF preflight
 * header: Apollo's `BAD_REQUEST`).
 */
export function requestErrorStatusPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart({ request }) {
      return {
        async willSendResponse({ response }) {
          if (response.http.status !== 400 || response.body.kind !== "single") return;
          const { singleResult } = response.body;
          if ("data" in singleResult) return;
          // Apollo's BAD_REQUEST: no query at all, and the like; not a well-formed request.
          if (singleResult.errors?.some((e) => e.extensions?.code === "BAD_REQUEST")) return;
          const accept = request.http?.headers.get("accept");
          if (negotiatedMediaType(accept) === "application/json") response.http.status = 200;
        },
      };
    },
  };
}
