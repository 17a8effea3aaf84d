import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import type { DestinationStream } from "pino";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { startSandbox, type Sandbox, type StartSandboxOptions } from "../../src/sandbox/index.js";
import { startServer, type RunningServer } from "../../src/server.js";

export const DEMO_TOKEN = "sandbox-demo-token";

export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: Array<{
      message: string;
      path?: Array<string | number>;
      extensions?: Record<string, unknown> & { code?: string };
    }>;
    extensions?: Record<string, unknown>;
  };
}

export interface Stack {
  sandbox: Sandbox;
  server: RunningServer;
  /** POSTs an operation to /graphql; the demo token unless `token` says otherwise (null: none). */
  gql<T = Record<string, unknown>, V = Record<string, unknown>>(
    document: TypedDocumentNode<T, V> | string,
    variables?: V,
    options?: {
      token?: string | null;
      authorization?: string;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    },
  ): Promise<GraphQLResponse<T>>;
  /** The Bigin API calls the sandbox received (control calls excluded). */
  calls(): Sandbox["requests"];
  reset(): void;
  close(): Promise<void>;
}

/** Starts the sandbox and the server on port 0, configured only through the environment. */
/** POSTs an operation to `${baseUrl}/graphql` and reads the JSON answer. */
export async function postGraphQL<T, V>(
  baseUrl: string,
  document: TypedDocumentNode<T, V> | string,
  variables: V | undefined,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    signal: signal ?? null,
    body: JSON.stringify({
      query: typeof document === "string" ? document : print(document),
      variables,
    }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as GraphQLResponse<T>["body"],
  };
}

/** A server on port 0 calling the sandbox at `sandboxUrl`, configured only through the environment. */
export async function startTestServer(
  sandboxUrl: string,
  env: Record<string, string> = {},
  logDestination?: DestinationStream,
): Promise<RunningServer> {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    BIGIN_API_URL: sandboxUrl,
    // The sandbox is Zoho's accounts server too (refresh-token mode).
    BIGIN_ACCOUNTS_URL: sandboxUrl,
    BIGIN_RETRIES: "0",
    LOG_LEVEL: "silent",
    ...env,
  });
  if (config.upstream.kind !== "bigin") throw new Error("expected BIGIN_API_URL to be used");
  return startServer(config, {
    apiUrl: config.upstream.apiUrl,
    logger: createLogger(config.logLevel, logDestination),
  });
}

export async function startStack(
  env: Record<string, string> = {},
  sandboxOptions: StartSandboxOptions = {},
  /** Where the server's log lines go (with LOG_LEVEL set in `env`); default nowhere. */
  logDestination?: DestinationStream,
): Promise<Stack> {
  const sandbox = await startSandbox({ port: 0, ...sandboxOptions });
  const server = await startTestServer(sandbox.url, env, logDestination);
  return {
    sandbox,
    server,
    async gql(document, variables, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const token = options.token === undefined ? DEMO_TOKEN : options.token;
      if (options.authorization !== undefined) headers.authorization = options.authorization;
      else if (token !== null) headers.authorization = `Zoho-oauthtoken ${token}`;
      return postGraphQL(server.url, document, variables, headers, options.signal);
    },
    calls: () => sandbox.requests,
    reset() {
      sandbox.faults.clear();
      sandbox.resetStats();
    },
    async close() {
      await server.close();
      await sandbox.close();
    },
  };
}
