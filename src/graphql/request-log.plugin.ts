import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "./context.js";

/** One log line per GraphQL operation: its request id, name, duration and error codes. */
export function requestLogPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, errors, response }) {
          const codes = (errors ?? []).map((e) =>
            String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"),
          );
          contextValue.logger.info(
            {
              operationName: operationName ?? null,
              ms: Math.round((performance.now() - started) * 10) / 10,
              status: response.http.status ?? 200,
              ...(codes.length > 0 && { errors: codes }),
            },
            "graphql operation",
          );
        },
      };
    },
  };
}
