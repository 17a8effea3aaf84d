import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from "@as-integrations/fastify";
import fastifyCors, { type FastifyCorsOptions } from "@fastify/cors";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
} from "fastify";
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { createContext, type Context, type Services } from "../graphql/context.js";
import { documentLimitError, documentProtection } from "../graphql/document-limits.js";
import { ErrorCode } from "../graphql/errors.js";
import { operationLimitsPlugin } from "../graphql/operation-limits.js";
import { requestErrorStatusPlugin } from "../graphql/request-error-status.plugin.js";
import { requestLogPlugin } from "../graphql/request-log.plugin.js";
import { createSchema } from "../graphql/schema.js";
import { answerClientError } from "./client-errors.js";
import { createCorsPolicy, GRAPHQL_CACHE_CONTROL, type CorsPolicy } from "./cors-policy.js";
import { answerStallGuard, boundAnswerStalls } from "./answer-stalls.js";
import { drainableConnections } from "./drain.js";
import { createExplorer } from "./explorer.js";
import { registerFileRoutes } from "./files.js";
import { createReadiness } from "./health.js";
import { boundRequestBodies, RequestBodyError } from "./request-bodies.js";
import { maxUploadRequestBytes, readUploadRequest, refuseHopelessUpload } from "./uploads.js";

export interface AppOptions {
  config: Config;
  services: Services;
  /** The Bigin API domain this server calls. */
  apiUrl: string;
  /** Filled into the explorer's headers when running against the sandbox. */
  demoToken?: string | undefined;
  exampleQuery?: string | undefined;
}

export interface App {
  fastify: FastifyInstance;
  apollo: ApolloServer<Context>;
  /** Marks the server as draining: /readyz turns 503. */
  startDraining(): void;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Largest JSON body accepted on /graphql. */
const BODY_LIMIT = 1024 * 1024;

/** The headers Apollo's CSRF prevention accepts as proof of a non-simple request. */
function hasPreflightHeader(req: FastifyRequest): boolean {
  return (
    (req.headers["apollo-require-preflight"] ?? "") !== "" ||
    (req.headers["x-apollo-operation-name"] ?? "") !== ""
  );
}

/** The CORS policy as @fastify/cors takes it: the header lists comma-joined. */
function fastifyCorsOptions({ options }: CorsPolicy): FastifyCorsOptions {
  return {
    ...options,
    methods: options.methods.join(","),
    allowedHeaders: options.allowedHeaders.join(","),
    exposedHeaders: options.exposedHeaders.join(","),
    // As for any OPTIONS: a 204 even without Origin (not a browser's preflight, but harmless).
    strictPreflight: false,
  };
}

function noSchemas(): never {
  throw new Error("Route schemas are not compiled here: validate in the handler");
}

const isMultipart = (req: FastifyRequest) =>
  /^multipart\/form-data\b/i.test(req.headers["content-type"] ?? "");

/** Fastify 5 + Apollo Server 5: /graphql, /files, /healthz, /readyz, /metrics. */
export async function createApp(options: AppOptions): Promise<App> {
  const { config, services } = options;
  let draining = false;

  const app = Fastify({
    // The process's pino logger: its level and redaction hold for Fastify's lines too.
    loggerInstance: services.logger as FastifyBaseLogger,
    // One line per GraphQL operation comes from requestLogPlugin; none per HTTP request.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: "requestId",
    }),
    // A caller's x-request-id when it is sane, else a fresh one.
    requestIdHeader: false,
    genReqId(req) {
      const incoming = req.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: BODY_LIMIT,
    // Malformed requests and slow headers: answered without logging their raw bytes.
    clientErrorHandler: answerClientError,
    // Keep-alive from clients and gateways: longer than common proxy idle timeouts.
    keepAliveTimeout: 65_000,
    trustProxy: false,
    // No route has a JSON schema: do not load Ajv and fast-json-stringify (about 240 modules)
    // for nothing. A schema added later fails at start-up, saying so.
    schemaController: {
      compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas },
    },
  });

  const uploadLimits = {
    maxFileBytes: services.files.maxAttachmentBytes,
    maxFieldBytes: BODY_LIMIT,
  };
  boundRequestBodies(app, {
    ...config.requestBody,
    maxBytes: (request) => (isMultipart(request) ? maxUploadRequestBytes(uploadLimits) : undefined),
  });
  const guardAnswer = answerStallGuard(config.requestBody.idleTimeoutMs, services.logger);
  boundAnswerStalls(app, guardAnswer);
  const connections = drainableConnections(app.server);

  const explorer =
    config.landingPage === "off"
      ? undefined
      : await createExplorer({
          first: config.landingPage,
          document: options.exampleQuery,
          demoToken: options.demoToken,
          logger: services.logger,
        });

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
      operationLimitsPlugin({
        maxCalls: config.maxCallsPerOperation,
        maxNodes: config.maxNodesPerOperation,
      }),
      requestErrorStatusPlugin(),
      requestLogPlugin(),
      // No cache hints here: skip the per-field wrapper the cache-control plugin installs.
      ApolloServerPluginCacheControlDisabled(),
      // Stops accepting and lets requests in flight finish (10 s at most) when Apollo stops.
      fastifyApolloDrainPlugin(app),
      explorer?.plugin ?? ApolloServerPluginLandingPageDisabled(),
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

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  // Every route; preflights (OPTIONS) are answered here, before Apollo's CSRF check.
  await app.register(fastifyCors, fastifyCorsOptions(createCorsPolicy(config)));

  app.get("/", (_req, reply) => reply.redirect("/graphql", 302));
  app.get("/healthz", () => ({ status: "ok" }));
  app.get("/metrics", async (_req, reply) => {
    const registry = services.metrics?.registry;
    if (!registry) {
      return reply.code(404).send({ code: "NOT_FOUND", message: "Metrics are off" });
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  const readiness = createReadiness(
    options.apiUrl,
    () => draining,
    services.serverCredential && services.authMode !== "passthrough"
      ? { credential: services.serverCredential, required: services.authMode === "server" }
      : undefined,
    services.redis,
    services.client.budget,
  );
  app.get("/readyz", async (_req, reply) => {
    const { status, body } = await readiness.check();
    return reply.code(status).send(body);
  });

  registerFileRoutes(app, services, guardAnswer);
  explorer?.register(app);

  // Multipart requests (file uploads): graphql-upload reads the stream itself, before Apollo,
  // which still demands a preflight header on them (CSRF prevention).
  app.addContentTypeParser("multipart/form-data", (_req, _payload, done) => done(null));
  const graphqlHandler = fastifyApolloHandler(apollo, {
    context: async (request, reply) => {
      const controller = new AbortController();
      // Every Bigin call waiting or in flight listens to it (dozens for a gateway's _entities).
      setMaxListeners(0, controller.signal);
      const res = reply.raw;
      res.once("close", () => {
        if (!res.writableFinished) controller.abort(new Error("client went away"));
      });
      return createContext({
        requestId: request.id,
        // Fastify's child of services.logger, bound to the request id.
        logger: request.log as Logger,
        services,
        signal: controller.signal,
        authorization: request.headers.authorization,
      });
    },
  });
  app.route({
    method: ["GET", "POST"],
    url: "/graphql",
    async onRequest(request, reply) {
      reply.header("Cache-Control", GRAPHQL_CACHE_CONTROL);
      if (request.method === "POST" && isMultipart(request)) {
        return refuseHopelessUpload(request, reply, services, uploadLimits);
      }
    },
    async preValidation(request, reply) {
      // Without a preflight header Apollo refuses the request anyway: do not spool its file first.
      if (!isMultipart(request) || !hasPreflightHeader(request)) return;
      request.body = await readUploadRequest(request, reply, uploadLimits);
    },
    handler: graphqlHandler,
  });

  // Other methods on /graphql: 405 naming the ones it takes, as Apollo Server answers them.
  app.route({
    method: ["PUT", "PATCH", "DELETE"],
    url: "/graphql",
    handler: (_req, reply) =>
      reply
        .code(405)
        .header("allow", "GET, POST")
        .send({ code: "METHOD_NOT_ALLOWED", message: "/graphql takes GET and POST" }),
  });

  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ code: "NOT_FOUND", message: "No such route" }),
  );
  // Body parsing, upload and other errors: a JSON answer naming the problem, no stack trace.
  app.setErrorHandler(
    (error: FastifyError & { status?: number; expose?: boolean }, _req, reply) => {
      const status = Number(error.statusCode ?? error.status ?? 500);
      const known = status >= 400 && status < 500;
      if (!known) services.logger.error({ err: error }, "request failed");
      return reply.code(known ? status : 500).send({
        code:
          error instanceof RequestBodyError
            ? error.code
            : status === 413
              ? "PAYLOAD_TOO_LARGE"
              : known
                ? "BAD_REQUEST"
                : "INTERNAL_SERVER_ERROR",
        message: known && error.expose !== false ? error.message : "Internal server error",
      });
    },
  );

  return {
    fastify: app,
    apollo,
    startDraining() {
      draining = true;
      connections.drain();
    },
  };
}
