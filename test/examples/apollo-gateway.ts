import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer, type ApolloServerOptions } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

interface GatewayContext {
  authorization?: string | undefined;
  requestId?: string | undefined;
}

/** @apollo/gateway over a supergraph, forwarding the caller's Authorization and x-request-id. */
export async function startApolloGateway(options: {
  supergraphSdl: string;
  port?: number;
  logger?: ApolloServerOptions<GatewayContext>["logger"];
}) {
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger: options.logger,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        willSendRequest({ request, context }) {
          const headers = request.http?.headers;
          if (context.authorization) headers?.set("authorization", context.authorization);
          if (context.requestId) headers?.set("x-request-id", context.requestId);
        },
      }),
  });
  const server = new ApolloServer<GatewayContext>({ gateway, logger: options.logger });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 4000 },
    context: async ({ req }) => ({
      authorization: req.headers.authorization,
      requestId: req.headers["x-request-id"] as string | undefined,
    }),
  });
  return { url, stop: () => server.stop() };
}
