import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { composeServices } from "@apollo/composition";
import { createGatewayRuntime, type GatewayConfig } from "@graphql-hive/gateway";
import { parse } from "graphql";
import { createLogger } from "../../src/logger.js";
import { startApolloGateway } from "../examples/apollo-gateway.js";
import { gatewayConfig } from "../examples/hive/gateway.config.js";
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
    options?: {
      authorization?: string;
      variables?: Record<string, unknown>;
      headers?: Record<string, string>;
    },
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

function gatewayClient(url: string, close: () => Promise<void>): Gateway {
  return {
    url,
    async gql(query, options = {}) {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...options.headers,
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
    close,
  };
}

/** The README's @apollo/gateway (test/examples/apollo-gateway.ts) on a loopback port. */
export async function startGateway(supergraphSdl: string): Promise<Gateway> {
  const { url, stop } = await startApolloGateway({
    supergraphSdl,
    port: 0,
    logger: createLogger("silent"),
  });
  return gatewayClient(url, stop);
}

/**
 * The README's Hive Gateway (test/examples/hive/gateway.config.ts) over this supergraph, on a
 * loopback port; `overrides` replace parts of that configuration.
 */
export async function startHiveGateway(
  supergraphSdl: string,
  overrides: Partial<GatewayConfig> = {},
): Promise<Gateway> {
  // The CLI's configuration (defineConfig) as the programmatic runtime takes it.
  const runtime = createGatewayRuntime({
    ...(gatewayConfig as GatewayConfig),
    supergraph: supergraphSdl,
    logging: false,
    ...overrides,
  } as GatewayConfig);
  const server = createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return gatewayClient(`http://127.0.0.1:${port}/graphql`, async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await runtime.dispose();
  });
}
