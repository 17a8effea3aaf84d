import { defineConfig } from "@graphql-hive/gateway";
import { unifiedGraphHandler } from "@graphql-hive/router-runtime";

export const gatewayConfig = defineConfig({
  // Written by `rover supergraph compose --config supergraph.yaml` (or served by Hive's CDN).
  supergraph: "./supergraph.graphql",
  // Hive's Rust query planner: the errors of a batched `_entities` fetch land on the entries they
  // belong to (the default runtime puts all of them on the first entry's path).
  unifiedGraphHandler,
  // GraphQL multipart requests (uploads), passed on to the subgraph.
  multipart: true,
  propagateHeaders: {
    fromClientToSubgraphs({ request, subgraphName }) {
      if (subgraphName !== "attachments") return;
      return {
        authorization: request.headers.get("authorization"),
        "x-request-id": request.headers.get("x-request-id"),
        // CSRF prevention on this subgraph: uploads need it.
        "apollo-require-preflight": request.headers.get("apollo-require-preflight"),
      };
    },
  },
  // Refuses, before any subgraph call, operations whose cost @cost and @listSize put above
  // 10 × BIGIN_MAX_CALLS_PER_OPERATION + BIGIN_MAX_NODES_PER_OPERATION (the defaults: 100, 5000).
  demandControl: { maxCost: 6000, includeExtensionMetadata: true },
});
