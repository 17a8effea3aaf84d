import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRefreshTokenCredential } from "./bigin/auth/refresh-token.js";
import { RedisTokenStore } from "./bigin/auth/redis-token-store.js";
import { BiginClient } from "./bigin/client.js";
import type { Config } from "./config.js";
import type { Services } from "./graphql/context.js";
import { createApp, type App } from "./http/app.js";
import { createSignedUrls } from "./http/signed-urls.js";
import type { Logger } from "./logger.js";
import { createAttachmentCache } from "./cache/create-attachment-cache.js";
import { createMetrics } from "./metrics.js";
import { createCallBudget } from "./bigin/budget/create-call-budget.js";

export interface RunningServer {
  /** e.g. http://127.0.0.1:4000 (no trailing slash). */
  url: string;
  port: number;
  httpServer: Server;
  app: App;
  services: Services;
  /** Stops accepting, lets in-flight requests finish (bounded), closes upstream sockets. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** The Bigin API domain to call (or a URL ending in /bigin/v2). */
  apiUrl: string;
  logger: Logger;
  demoToken?: string;
  exampleQuery?: string;
  /** Zoho's accounts domain for refresh-token mode; default config.upstream.accountsUrl. */
  accountsUrl?: string;
}

/** Builds the app and listens on config.port / config.host (port 0: any free port). */
export async function startServer(
  config: Config,
  options: StartServerOptions,
): Promise<RunningServer> {
  const metrics = createMetrics();
  const accountsUrl =
    options.accountsUrl ??
    (config.upstream.kind === "bigin" ? config.upstream.accountsUrl : undefined);
  if (config.oauth && accountsUrl === undefined) {
    throw new Error("refresh-token mode needs the accounts URL (BIGIN_DC or BIGIN_ACCOUNTS_URL)");
  }
  // Loaded only when configured: the Redis client is a few MB of code an idle server need not hold.
  const redis = config.redisUrl
    ? (await import("./redis.js")).connectRedis(config.redisUrl, options.logger)
    : undefined;
  // Start with Redis when it answers soon; without it (working alone) when it does not.
  if (redis && !(await redis.ready(2_000))) {
    options.logger.warn(
      { redis: { at: redis.where } },
      "Redis is not answering yet: starting without it (it is used once it answers)",
    );
  }
  const client = new BiginClient({
    apiUrl: options.apiUrl,
    concurrency: config.concurrency,
    queueLimit: config.queueLimit,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    logger: options.logger,
    observer: metrics.observer,
    budget: await createCallBudget(config, redis, options.logger),
  });
  metrics.watch(client);
  const serverCredential =
    config.oauth && accountsUrl !== undefined
      ? createRefreshTokenCredential({
          ...config.oauth,
          accountsUrl,
          timeoutMs: config.timeoutMs,
          logger: options.logger,
          onRefresh: () => metrics.tokenRefreshes.inc(),
          store: redis && new RedisTokenStore(redis),
          onStoreError: (error) =>
            redis?.failed("shared access token: refreshing in this process", error),
        })
      : undefined;
  const attachmentCache = createAttachmentCache({
    ttlSeconds: config.attachmentCacheTtlSeconds,
    redis,
    onLookup: (hit) => metrics.cacheLookups.inc({ result: hit ? "hit" : "miss" }),
  });
  let publicUrl = config.publicUrl;
  const services: Services = {
    client,
    logger: options.logger,
    serverCredential,
    authMode: config.authMode,
    metrics,
    files: {
      signedUrls: createSignedUrls({
        secret: config.downloadUrlSecret,
        publicUrl: () => publicUrl,
        logger: options.logger,
      }),
      maxAttachmentBytes: config.maxAttachmentBytes,
    },
    attachmentCache,
    redis,
  };
  const app = await createApp({
    config,
    services,
    apiUrl: options.apiUrl,
    demoToken: options.demoToken,
    exampleQuery: options.exampleQuery,
  });
  // No HOST: every interface, IPv6 and IPv4.
  await app.fastify.listen({ port: config.port, host: config.host ?? "::" });
  const httpServer = app.fastify.server;
  const { port } = httpServer.address() as AddressInfo;
  const host =
    config.host && config.host !== "0.0.0.0" && config.host !== "::" ? config.host : "localhost";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  // The default PUBLIC_URL names PORT; with port 0 only the bound port makes working links.
  if (config.port === 0 && publicUrl === "http://localhost:0") publicUrl = url;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    httpServer,
    app,
    services,
    close() {
      closing ??= (async () => {
        app.startDraining();
        await app.apollo.stop();
        await client.budget.close();
        client.close();
        await redis?.close();
      })();
      return closing;
    },
  };
}
