import { composeServices } from "@apollo/composition";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { parse } from "graphql";
import { createLogger } from "../../src/logger.js";
import type { GraphQLResponse } from "./stack.js";

export interface SubgraphEndpoint {
  name: string;
  /** The subgraph's /graphql URL. */
  url: string;
  sdl: string;
}

/** Reads a running subgraph's SDL the way `rover subgraph introspect` does: `_service { sdl }`. */
export async function introspectSubgraph(name: string, url: string): Promise<SubgraphEndpoint> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = (await response.json()) as { data?: { _service?: { sdl?: string } } };
  const sdl = body.data?._service?.sdl;
  if (typeof sdl !== "string") {
    throw new Error(`${name} answered no _service.sdl: ${JSON.stringify(body)}`);
  }
  return { name, url, sdl };
}

/**
 * Composes subgraphs into a supergraph. Throws with every composition error (and its code) when it
 * cannot; @apollo/composition returns hints only with a successful composition.
 */
export function composeSupergraph(subgraphs: readonly SubgraphEndpoint[]): {
  supergraphSdl: string;
  hints: string[];
} {
  const result = composeServices(
    subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
  );
  if (result.errors) {
    throw new Error(
      [
        `composition of ${subgraphs.map((s) => s.name).join(", ")} failed:`,
        ...result.errors.map((error) => `  ${String(error.extensions.code)}: ${error.message}`),
      ].join("\n"),
    );
  }
  return {
    supergraphSdl: result.supergraphSdl,
    hints: result.hints.map((hint) => hint.toString()),
  };
}

export interface Gateway {
  url: string;
  /** POSTs an operation to the gateway, with `authorization` when given. */
  gql<T = Record<string, unknown>>(
    query: string,
    options?: { authorization?: string; variables?: Record<string, unknown> },
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

interface GatewayContext {
  authorization?: string | undefined;
}

/**
 * Runs @apollo/gateway over a static supergraph on a loopback port. It forwards the client's
 * Authorization header to every subgraph, as a production gateway must.
 */
export async function startGateway(supergraphSdl: string): Promise<Gateway> {
  const logger = createLogger("silent");
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization)
            request.http?.headers.set("authorization", context.authorization);
        },
      }),
  });
  const server = new ApolloServer<GatewayContext>({ gateway, logger });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: "127.0.0.1" },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  return {
    url,
    async gql(query, options = {}) {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.authorization !== undefined && { authorization: options.authorization }),
        },
        body: JSON.stringify({ query, variables: options.variables }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphQLResponse<never>["body"],
      };
    },
    close: () => server.stop(),
  };
}
