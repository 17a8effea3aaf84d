import "reflect-metadata";
import { readFile } from "node:fs/promises";
import { stripIgnoredCharacters } from "graphql";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { createCorsPolicy } from "./http/cors-policy.js";
import { createLogger, flushLogs } from "./logger.js";
import { redactUrl } from "./redact.js";
import type { Sandbox } from "./sandbox/index.js";
import { startServer } from "./server.js";

/**
 * The explorer's first operation, on the sandbox's demo contact: the query the README opens
 * with (schema/operations/explore.graphql, next to dist/). Empty when the file is not there.
 */
async function exploreQuery(): Promise<string> {
  try {
    return await readFile(new URL("../schema/operations/explore.graphql", import.meta.url), "utf8");
  } catch {
    return "";
  }
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);

  let sandbox: Sandbox | undefined;
  let apiUrl: string;
  // The sandbox's code (routes, store, demo data) is loaded only when it is served.
  let demoToken = "";
  let example = "";
  if (config.upstream.kind === "sandbox") {
    const { startSandbox, ...demo } = await import("./sandbox/index.js");
    demoToken = demo.DEMO_TOKEN;
    example = await exploreQuery();
    sandbox = await startSandbox({ port: config.upstream.port, host: "127.0.0.1" });
    apiUrl = sandbox.url;
    logger.info(
      { sandbox: sandbox.url },
      "No BIGIN_DC or BIGIN_API_URL set: serving the embedded Bigin sandbox (demo data)",
    );
  } else {
    apiUrl = config.upstream.apiUrl;
    logger.info({ bigin: redactUrl(apiUrl), dc: config.upstream.dc }, "Calling Bigin");
  }

  if (config.oauth) {
    if (config.authMode === "passthrough") {
      logger.warn(
        "AUTH_MODE=passthrough: BIGIN_CLIENT_ID, BIGIN_CLIENT_SECRET and BIGIN_REFRESH_TOKEN are not used",
      );
    } else {
      logger.info(
        { authMode: config.authMode },
        "Refresh-token mode: requests without Authorization call Bigin as the server's Zoho user",
      );
    }
  }

  const cors = createCorsPolicy(config);
  if (cors.serverCredential && cors.defaulted) {
    logger.info(
      "CORS: no web page on another origin may call this server (it holds a credential); list web apps' origins in CORS_ORIGINS",
    );
  } else {
    logger.info({ corsOrigins: cors.origins }, "CORS: origins allowed to call this server");
  }

  const server = await startServer(config, {
    apiUrl,
    logger,
    // The sandbox is the accounts server too.
    ...(sandbox && { accountsUrl: sandbox.url }),
    ...(sandbox && { exampleQuery: example }),
    // AUTH_MODE=server refuses callers' tokens: the landing page must not send one.
    ...(sandbox && config.authMode !== "server" && { demoToken: demoToken }),
  }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE" || error.code === "EACCES") {
      process.stderr.write(
        `Cannot listen on PORT ${config.port}: ${error.code}. Set PORT to a free port.\n`,
      );
      await flushLogs(logger);
      process.exit(1);
    }
    throw error;
  });
  logger.info({ url: `${server.url}/graphql` }, "GraphQL server ready");

  if (sandbox) {
    const body = JSON.stringify({
      query: stripIgnoredCharacters(example || "{ __typename }"),
    });
    process.stdout.write(
      [
        "",
        `  GraphQL:  ${server.url}/graphql   (open it in a browser to explore it)`,
        `  Bigin:    the embedded sandbox at ${sandbox.url} (set BIGIN_DC or BIGIN_API_URL for a real account)`,
        config.authMode === "server"
          ? "  Token:    none: the server's refresh token is used (AUTH_MODE=server)"
          : `  Token:    Authorization: Zoho-oauthtoken ${demoToken}`,
        ...(config.oauth && config.authMode === "either"
          ? ["            (or none: the server's refresh token is used for requests without one)"]
          : []),
        "",
        "  Try it:",
        `  curl -s ${server.url}/graphql \\`,
        "    -H 'content-type: application/json' \\",
        ...(config.authMode === "server"
          ? []
          : [`    -H 'authorization: Zoho-oauthtoken ${demoToken}' \\`]),
        `    -d '${body}'`,
        "",
        "",
      ].join("\n"),
    );
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // npm forwards the terminal's signal too, so a second one is common: the stop is bounded.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: finishing in-flight requests");
    void (async () => {
      await server.close();
      await sandbox?.close();
      logger.info("stopped");
      await flushLogs(logger);
      process.exit(0);
    })();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
