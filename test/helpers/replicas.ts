import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { DestinationStream } from "pino";
import { startSandbox, type Sandbox, type StartSandboxOptions } from "../../src/sandbox/index.js";
import type { RunningServer } from "../../src/server.js";
import { DEMO_TOKEN, postGraphQL, startTestServer, type GraphQLResponse } from "./stack.js";

/** Several servers (replicas, each with its own client and credential) over one sandbox. */
export interface Replicas {
  sandbox: Sandbox;
  servers: RunningServer[];
  /** POSTs an operation to replica `index`; the demo token unless `token` says otherwise (null: none). */
  gql<T = Record<string, unknown>, V = Record<string, unknown>>(
    index: number,
    document: TypedDocumentNode<T, V> | string,
    variables?: V,
    options?: { token?: string | null },
  ): Promise<GraphQLResponse<T>>;
  /** The Bigin API calls the sandbox received from all replicas (token requests excluded). */
  biginCalls(): Sandbox["requests"];
  close(): Promise<void>;
}

/** Starts a sandbox and `count` servers on port 0, configured through the environment. */
export async function startReplicas(
  count: number,
  env: Record<string, string> = {},
  sandboxOptions: StartSandboxOptions = {},
  /** Where the servers' log lines go (with LOG_LEVEL set in `env`); default nowhere. */
  logDestination?: DestinationStream,
): Promise<Replicas> {
  const sandbox = await startSandbox({ port: 0, ...sandboxOptions });
  const servers: RunningServer[] = [];
  for (let i = 0; i < count; i += 1) {
    servers.push(await startTestServer(sandbox.url, env, logDestination));
  }
  return {
    sandbox,
    servers,
    async gql(index, document, variables, options = {}) {
      const token = options.token === undefined ? DEMO_TOKEN : options.token;
      const headers: Record<string, string> =
        token === null ? {} : { authorization: `Zoho-oauthtoken ${token}` };
      return postGraphQL(servers[index]!.url, document, variables, headers);
    },
    biginCalls: () => sandbox.requests.filter((call) => call.path.startsWith("/bigin/")),
    async close() {
      await Promise.all(servers.map((server) => server.close()));
      await sandbox.close();
    },
  };
}
