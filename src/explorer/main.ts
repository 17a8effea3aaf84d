// The page served at GET /graphql: Apollo Sandbox when Apollo's CDN can be reached, else (or
// with GRAPHQL_LANDING_PAGE=offline, or ?explorer=graphiql) GraphiQL, bundled into this server.
import type { ExplorerConfig } from "../http/explorer-config.js";

/** How long Apollo Sandbox's script may take before GraphiQL opens instead. */
const SANDBOX_TIMEOUT_MS = 5000;

interface EmbeddedSandboxOptions {
  target: HTMLElement;
  initialEndpoint: string;
  initialState: { document?: string; headers?: Record<string, string>; includeCookies: boolean };
  hideCookieToggle: boolean;
  endpointIsEditable: boolean;
  runtime: string;
  runTelemetry: boolean;
  allowDynamicStyles: boolean;
}
declare global {
  interface Window {
    EmbeddedSandbox?: new (options: EmbeddedSandboxOptions) => unknown;
  }
}

const config = JSON.parse(
  document.getElementById("explorer-config")!.textContent!,
) as ExplorerConfig;
const root = document.getElementById("explorer")!;
// Like Apollo's landing page, the explorer calls the URL it was served from.
const endpoint = location.origin + location.pathname;

/** True once Apollo's script has loaded; false when it fails or takes too long. */
function loadScript(src: string): Promise<boolean> {
  return new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve(true);
    script.onerror = () => resolve(false);
    setTimeout(() => resolve(false), SANDBOX_TIMEOUT_MS);
    document.head.append(script);
  });
}

async function openApolloSandbox(): Promise<boolean> {
  const loaded = await loadScript(config.apolloSandbox.script);
  const EmbeddedSandbox = window.EmbeddedSandbox;
  if (!loaded || typeof EmbeddedSandbox !== "function") return false;
  root.replaceChildren();
  try {
    // The options Apollo Server's own landing page passes (ApolloServerPluginLandingPageLocalDefault).
    new EmbeddedSandbox({
      target: root,
      initialEndpoint: endpoint,
      initialState: { document: config.document, headers: config.headers, includeCookies: false },
      hideCookieToggle: false,
      endpointIsEditable: false,
      runtime: config.apolloSandbox.runtime,
      runTelemetry: true,
      allowDynamicStyles: false,
    });
    return true;
  } catch (error) {
    console.error(error);
    return false;
  }
}

async function openGraphiQL(): Promise<void> {
  const { renderGraphiQL } = await import("./graphiql.js");
  renderGraphiQL(root, config, endpoint);
}

const wanted = new URLSearchParams(location.search).get("explorer");
if (config.first === "offline" || wanted === "graphiql" || !(await openApolloSandbox())) {
  if (config.first === "sandbox" && wanted !== "graphiql") {
    console.info("Apollo Sandbox cannot be reached: opening GraphiQL, served by this server.");
  }
  await openGraphiQL();
}
