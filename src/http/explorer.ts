import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname, join, sep } from "node:path";
import type { ApolloServerPlugin } from "@apollo/server";
import type { FastifyInstance } from "fastify";
import Negotiator from "negotiator";
import type { Logger } from "../logger.js";
import type { ExplorerConfig } from "./explorer-config.js";

/** Where the page's scripts are served from; GraphiQL's chunks, workers and styles too. */
const EXPLORER_ASSETS_PATH = "/graphql/explorer/";
/** Apollo's embedded Sandbox, as Apollo Server's own landing page loads it. */
const APOLLO_SANDBOX = {
  script:
    "https://embeddable-sandbox.cdn.apollographql.com/v2/embeddable-sandbox.umd.production.min.js",
  frames: "https://sandbox.embed.apollographql.com",
};
/** What src/explorer/build.mjs writes: the page's script and every file it loads, by Vite. */
const BUILT = new URL("../../dist/explorer/", import.meta.url);
const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".ttf": "font/ttf",
  ".woff2": "font/woff2",
  ".svg": "image/svg+xml",
};

export interface ExplorerOptions {
  /** GRAPHQL_LANDING_PAGE: `sandbox` tries Apollo Sandbox first, `offline` only GraphiQL. */
  first: ExplorerConfig["first"];
  /** The operation the editor opens with. */
  document?: string | undefined;
  /** The sandbox's public demo token, filled into the editor's Authorization header. */
  demoToken?: string | undefined;
  logger: Logger;
}

export interface Explorer {
  /** Serves the page at GET /graphql to browsers (Apollo's landing-page hook). */
  plugin: ApolloServerPlugin;
  /** Serves the page's built scripts under EXPLORER_ASSETS_PATH. */
  register(app: FastifyInstance): void;
}

/** A file as served: its path and size. */
interface Variant {
  file: URL;
  size: number;
}

interface Asset {
  type: string;
  /** The file itself, and its compressed copies by Content-Encoding (`br`, `gzip`). */
  variants: Map<string, Variant>;
}

/** The encodings build.mjs writes copies in, by the suffix of their files; smallest first. */
const ENCODINGS = [
  { encoding: "br", suffix: ".br" },
  { encoding: "gzip", suffix: ".gz" },
];
const OFFERED = [...ENCODINGS.map(({ encoding }) => encoding), "identity"];

/** The built files under dist/explorer/assets, by name; undefined when they were not built. */
async function builtAssets(): Promise<{ entry: string; assets: Map<string, Asset> } | undefined> {
  let manifest: Record<string, { file: string; isEntry?: boolean }>;
  try {
    manifest = JSON.parse(await readFile(new URL(".vite/manifest.json", BUILT), "utf8"));
  } catch {
    return undefined;
  }
  const entry = Object.values(manifest).find((chunk) => chunk.isEntry)?.file;
  if (!entry) return undefined;
  const names = new Set(await readdir(new URL("assets/", BUILT)));
  const variant = async (name: string): Promise<Variant> => {
    const file = new URL(`assets/${name}`, BUILT);
    return { file, size: (await stat(file)).size };
  };
  const assets = new Map<string, Asset>();
  for (const name of names) {
    if (ENCODINGS.some(({ suffix }) => name.endsWith(suffix))) continue;
    const variants = new Map([["identity", await variant(name)]]);
    for (const { encoding, suffix } of ENCODINGS) {
      if (names.has(name + suffix)) variants.set(encoding, await variant(name + suffix));
    }
    const type = CONTENT_TYPES[extname(name)] ?? "application/octet-stream";
    assets.set(`assets/${name}`, { type, variants });
  }
  return { entry, assets };
}

function apolloServerVersion(): string {
  const require = createRequire(import.meta.url);
  // Its exports do not include package.json: find it above the entry point.
  const main = require.resolve("@apollo/server");
  const root = main.slice(0, main.lastIndexOf(`${sep}dist${sep}`));
  return (require(join(root, "package.json")) as { version: string }).version;
}

/** JSON that cannot end the <script> element it sits in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function page(config: ExplorerConfig, entry: string | undefined): string {
  const sandbox = config.first === "sandbox";
  // Nothing but this server, and Apollo's two hosts when Sandbox is tried: the browser refuses
  // anything else. Monaco (GraphiQL's editor) adds <style> elements: 'unsafe-inline' styles.
  const csp = [
    "default-src 'self'",
    `script-src 'self'${sandbox ? ` ${new URL(APOLLO_SANDBOX.script).origin}` : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `frame-src ${sandbox ? APOLLO_SANDBOX.frames : "'none'"}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  // Relative, so that the page works under a path prefix a proxy adds.
  const script = entry
    ? `<script type="module" src="${EXPLORER_ASSETS_PATH.slice(1)}${entry}"></script>`
    : "";
  const status = entry
    ? "Loading the GraphQL explorer…"
    : "The GraphQL explorer is not built: run <code>npm run build</code>, then reload.";
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width,initial-scale=1" />
    <meta http-equiv="Content-Security-Policy" content="${csp}" />
    <title>GraphQL explorer · bigin-attachments-graphql</title>
    <link rel="icon" href="data:," />
    <style>
      html, body, #explorer { height: 100%; margin: 0; }
      #explorer > p { padding: 1em; font-family: system-ui, sans-serif; }
      #explorer > iframe { display: block; width: 100%; height: 100%; border: 0; }
    </style>
    <script type="application/json" id="explorer-config">${scriptJson(config)}</script>
    ${script}
  </head>
  <body>
    <div id="explorer"><p>${status}</p><noscript>The explorer needs JavaScript.</noscript></div>
  </body>
</html>
`;
}

/**
 * The explorer at GET /graphql: Apollo Sandbox when Apollo's CDN answers, else GraphiQL, built
 * into dist/explorer and served by this server, so that it works with no request leaving the
 * machine.
 */
export async function createExplorer(options: ExplorerOptions): Promise<Explorer> {
  const built = await builtAssets();
  if (!built) {
    options.logger.warn(
      { explorer: EXPLORER_ASSETS_PATH },
      "The GraphQL explorer is not built (dist/explorer): run `npm run build`",
    );
  }
  const runtime = `@apollo/server@${apolloServerVersion()}`;
  const config: ExplorerConfig = {
    first: options.first,
    ...(options.document && { document: options.document }),
    ...(options.demoToken && {
      headers: { Authorization: `Zoho-oauthtoken ${options.demoToken}` },
    }),
    apolloSandbox: {
      script: `${APOLLO_SANDBOX.script}?runtime=${encodeURIComponent(runtime)}`,
      runtime,
    },
  };
  const html = page(config, built?.entry);
  return {
    plugin: {
      async serverWillStart() {
        return {
          async renderLandingPage() {
            return { html };
          },
        };
      },
    },
    register(app) {
      app.get(`${EXPLORER_ASSETS_PATH}*`, (request, reply) => {
        const asset = built?.assets.get((request.params as { "*": string })["*"]);
        if (!asset) {
          return reply.code(404).send({ code: "NOT_FOUND", message: "No such explorer file" });
        }
        // The smallest copy in an encoding the browser takes (any with a quality above 0).
        const accepted = new Negotiator(request.raw).encodings(OFFERED);
        const encoding =
          OFFERED.find((name) => accepted.includes(name) && asset.variants.has(name)) ?? "identity";
        const variant = asset.variants.get(encoding)!;
        if (encoding !== "identity") reply.header("content-encoding", encoding);
        return (
          reply
            .type(asset.type)
            .header("content-length", variant.size)
            .header("vary", "accept-encoding")
            .header("x-content-type-options", "nosniff")
            // Vite puts a hash of the content in every name.
            .header("cache-control", "public, max-age=31536000, immutable")
            .send(createReadStream(variant.file))
        );
      });
    },
  };
}
