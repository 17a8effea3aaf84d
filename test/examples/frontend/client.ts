import { ApolloClient, HttpLink } from "@apollo/client";
import UploadHttpLink from "apollo-upload-client/UploadHttpLink.mjs";
import { createCache } from "./cache.js";

// An Apollo Client for this API: the caller's Bigin token on every request, uploads as GraphQL
// multipart requests, and the cache policies of cache.ts.
export function createClient(uri: string, token: string): ApolloClient {
  return new ApolloClient({
    link: new UploadHttpLink({
      uri,
      headers: {
        authorization: `Zoho-oauthtoken ${token}`,
        // CSRF prevention: uploads (multipart requests) need it.
        "apollo-require-preflight": "true",
      },
    }),
    cache: createCache(),
  });
}

// Without uploads Apollo Client's own HttpLink does: here sending queries as GET requests.
export function createQueryOnlyClient(uri: string, token: string): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({
      uri,
      headers: { authorization: `Zoho-oauthtoken ${token}` },
      useGETForQueries: true,
    }),
    cache: createCache(),
  });
}
