import { CombinedGraphQLErrors, ServerError, type ApolloClient } from "@apollo/client";
import { RecordAttachmentsDocument, type BiginModule } from "./gql/graphql.js";

/** One thing that went wrong, as a view shows it. */
export interface Problem {
  /** The field that failed, e.g. `record.attachments`; empty for the whole request. */
  path: string;
  /** UNAUTHENTICATED, NOT_FOUND, RATE_LIMITED, BAD_USER_INPUT, ... or HTTP_<status>. */
  code: string;
  retryable: boolean;
  /** Seconds to wait before retrying, when the server knows. */
  retryAfterSeconds?: number;
  message: string;
}

// GraphQL errors arrive as one CombinedGraphQLErrors whose `errors` are the server's, extensions
// included; an answer that is not GraphQL (e.g. 413 for a body over 1 MB) as a ServerError.
export function problems(error: unknown): Problem[] {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.map((e) => ({
      path: (e.path ?? []).join("."),
      code: String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"),
      retryable: e.extensions?.retryable === true,
      ...(typeof e.extensions?.retryAfterSeconds === "number" && {
        retryAfterSeconds: e.extensions.retryAfterSeconds,
      }),
      message: e.message,
    }));
  }
  if (ServerError.is(error)) {
    const code = `HTTP_${error.statusCode}`;
    return [{ path: "", code, retryable: error.statusCode >= 500, message: error.message }];
  }
  // A browser that refused the answer (CORS) or no network: `TypeError: Failed to fetch`.
  return error ? [{ path: "", code: "NETWORK", retryable: true, message: String(error) }] : [];
}

// errorPolicy "all" keeps the data of the fields that worked: a failed `attachments` is null
// while `record { module id }` is there. With the default "none" any error drops all data.
export async function readAttachments(client: ApolloClient, module: BiginModule, id: string) {
  const { data, error } = await client.query({
    query: RecordAttachmentsDocument,
    variables: { module, id },
    errorPolicy: "all",
  });
  return { attachments: data?.record?.attachments ?? null, problems: problems(error) };
}
