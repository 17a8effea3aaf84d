/**
 * What GET /graphql hands the explorer page, in a JSON block that src/explorer/main.ts reads. Nothing
 * in it is secret: `headers` holds at most the embedded sandbox's public demo token.
 */
export interface ExplorerConfig {
  /** `sandbox`: Apollo Sandbox from Apollo's CDN, else GraphiQL; `offline`: GraphiQL only. */
  first: "sandbox" | "offline";
  /** The operation the editor opens with. */
  document?: string;
  /** The request headers the editor opens with (and gives a new tab). */
  headers?: Record<string, string>;
  /** The embedded Apollo Sandbox's script, and the server version it reports. */
  apolloSandbox: { script: string; runtime: string };
}
