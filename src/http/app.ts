import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { Server } from "node:http";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import cors from "cors";
import express, { type NextFunction, type Request, type Response } from "express";
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { Config } from "../config.js";
import { createContext, type Context, type Services } from "../graphql/context.js";
import { documentLimitError, documentProtection } from "../graphql/document-limits.js";
import { ErrorCode } from "../graphql/errors.js";
import { operationLimitsPlugin } from "../graphql/operation-limits.js";
import { requestLogPlugin } from "../graphql/request-log.plugin.js";
import { createSchema } from "../graphql/schema.js";
import { createCorsPolicy, GRAPHQL_CACHE_CONTROL } from "./cors-policy.js";
import { createFilesRouter } from "./files.js";
import { createReadiness } from "./health.js";
import graphqlUploadExpress from "graphql-upload/graphqlUploadExpress.mjs";

export interface AppOptions {
  config: Config;
  services: Services;
  /** The Bigin API domain this server calls. */
  apiUrl: string;
  httpServer: Server;
  /** Shown in the landing page's headers when running against the sandbox. */
  demoToken?: string | undefined;
  exampleQuery?: string | undefined;
}

export interface App {
  express: express.Express;
  apollo: ApolloServer<Context>;
  /** Marks the server as draining: /readyz turns 503. */
  startDraining(): void;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The headers Apollo's CSRF prevention accepts as proof of a non-simple request. */
function hasPreflightHeader(req: Request): boolean {
  return (
    (req.get("apollo-require-preflight") ?? "") !== "" ||
    (req.get("x-apollo-operation-name") ?? "") !== ""
  );
}

/** Express 5 + Apollo Server 5: /graphql, /healthz, /readyz. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config, services } = options;
  let draining = false;

  // Caps on document size and shape, above what BIGIN_MAX_CALLS_PER_OPERATION lets run.
  const protection = documentProtection(config.maxCallsPerOperation, config.introspection);

  const apollo = new ApolloServer<Context>({
    schema: createSchema(),
    validationRules: protection.validationRules,
    parseOptions: protection.parseOptions,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    logger: services.logger,
    // main.ts stops the server on SIGTERM/SIGINT. Apollo's own handlers (installed unless
    // NODE_ENV=test) would race it, and the process would never exit.
    stopOnTerminationSignals: false,
    plugins: [
      // graphql-armor is typed against Apollo's CommonJS build; the plugin objects are the same.
      ...(protection.plugins as unknown as ApolloServerPlugin<Context>[]),
      operationLimitsPlugin(config.maxCallsPerOperation),
      requestLogPlugin(),
      // No cache hints here: skip the per-field wrapper the cache-control plugin installs.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      config.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({
            embed: true,
            includeCookies: false,
            ...(options.exampleQuery && { document: options.exampleQuery }),
            ...(options.demoToken && {
              headers: { Authorization: `Zoho-oauthtoken ${options.demoToken}` },
            }),
          })
        : ApolloServerPluginLandingPageDisabled(),
    ],
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      const code = formatted.extensions?.code;
      const limit = documentLimitError(formatted);
      if (limit) return limit;
      if (code === ErrorCode.INTERNAL_SERVER_ERROR || code === undefined) {
        services.logger.error({ err: unwrapResolverError(error) }, "unexpected error");
        return {
          message: "Internal server error",
          ...(formatted.locations && { locations: formatted.locations }),
          ...(formatted.path && { path: formatted.path }),
          extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
        };
      }
      return formatted;
    },
  });
  await apollo.start();

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  // Every route; preflights (OPTIONS) are answered here, before Apollo's CSRF check.
  app.use(cors(createCorsPolicy(config).options));

  app.get("/", (_req, res) => res.redirect(302, "/graphql"));
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/metrics", async (_req, res) => {
    const registry = services.metrics?.registry;
    if (!registry) {
      res.status(404).json({ code: "NOT_FOUND", message: "Metrics are off" });
      return;
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  const readiness = createReadiness(
    options.apiUrl,
    () => draining,
    services.serverCredential && services.authMode !== "passthrough"
      ? { credential: services.serverCredential, required: services.authMode === "server" }
      : undefined,
    services.redis,
  );
  app.get("/readyz", readiness.handler);

  app.use("/files", createFilesRouter(services));

  app.use("/graphql", (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Cache-Control", GRAPHQL_CACHE_CONTROL);
    next();
  });
  // Multipart requests (file uploads): parsed before Apollo, which still demands a preflight
  // header on them (CSRF prevention).
  const parseUploads = graphqlUploadExpress({
    maxFiles: 1,
    maxFileSize: services.files.maxAttachmentBytes + 1,
  });
  app.use("/graphql", (req: Request, res: Response, next: NextFunction) => {
    // Without a preflight header Apollo refuses the request anyway: do not spool its file first.
    if (req.is("multipart/form-data") && !hasPreflightHeader(req)) {
      req.body = {};
      return next();
    }
    return parseUploads(req, res, next);
  });
  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const incoming = req.get("x-request-id");
        const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader("x-request-id", requestId);
        const controller = new AbortController();
        // Every Bigin call waiting or in flight listens to it (dozens for a gateway's _entities).
        setMaxListeners(0, controller.signal);
        res.once("close", () => {
          if (!res.writableFinished) controller.abort(new Error("client went away"));
        });
        return createContext({
          requestId,
          services,
          signal: controller.signal,
          authorization: req.get("authorization"),
        });
      },
    }),
  );

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ code: "NOT_FOUND", message: "No such route" });
  });
  // Body-parser and other middleware errors: a JSON answer naming the problem, no stack trace.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof error === "object" && error !== null && "status" in error
        ? Number((error as { status: unknown }).status)
        : 500;
    const expose =
      typeof error === "object" &&
      error !== null &&
      (error as { expose?: unknown }).expose === true;
    if (status >= 500 || !expose) services.logger.error({ err: error }, "request failed");
    res.status(status >= 400 && status < 600 ? status : 500).json({
      code:
        status === 413
          ? "PAYLOAD_TOO_LARGE"
          : status < 500
            ? "BAD_REQUEST"
            : "INTERNAL_SERVER_ERROR",
      message:
        status < 500 && error instanceof Error && expose ? error.message : "Internal server error",
    });
  });

  return {
    express: app,
    apollo,
    startDraining() {
      draining = true;
    },
  };
}
