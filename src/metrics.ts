import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { BiginClient, BiginObserver } from "./bigin/client.js";

/** Prometheus metrics of this process, served at /metrics. */
export interface Metrics {
  registry: Registry;
  /** Feeds Bigin call and retry counts; give it to the BiginClient. */
  observer: BiginObserver;
  /** Page loads asked for by resolvers and Bigin calls made for them, per batch. */
  recordBatch(requested: number, made: number): void;
  /** Counts refreshes of the server-held access token. */
  tokenRefreshes: Counter;
  cacheLookups: Counter<"result">;
  /** Samples in-flight and queued calls from the client at scrape time. */
  watch(client: BiginClient): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const calls = new Counter({
    name: "bigin_calls_total",
    help: "Bigin API calls (every attempt), by operation, HTTP status and Bigin error code",
    labelNames: ["operation", "status", "code"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "bigin_call_duration_seconds",
    help: "Duration of Bigin API calls (to the response headers)",
    labelNames: ["operation"] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const retries = new Counter({
    name: "bigin_retries_total",
    help: "Bigin calls retried after a 5xx, 429, time-out or reset",
    labelNames: ["operation"] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: "bigin_rate_limited_total",
    help: "Bigin answers with HTTP 429",
    registers: [registry],
  });
  const saved = new Counter({
    name: "bigin_calls_saved_by_batching_total",
    help: "Attachment page loads answered without a Bigin call of their own (batched or reused)",
    registers: [registry],
  });
  const tokenRefreshes = new Counter({
    name: "bigin_token_refreshes_total",
    help: "Access tokens obtained with the server-held refresh token",
    registers: [registry],
  });
  const cacheLookups = new Counter({
    name: "attachment_cache_lookups_total",
    help: "Attachment page cache lookups, by result (hit or miss)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "bigin_calls_in_flight",
    help: "Bigin calls running now",
    registers: [registry],
  });
  const queued = new Gauge({
    name: "bigin_calls_queued",
    help: "Bigin calls waiting for a concurrency slot",
    registers: [registry],
  });
  const credits = new Counter({
    name: "bigin_credits_spent_total",
    help: "Bigin API credits spent by this process (every answered attempt), by operation",
    labelNames: ["operation"] as const,
    registers: [registry],
  });
  const credits24h = new Gauge({
    name: "bigin_credits_used_24h",
    help: "Bigin API credits spent over the rolling 24 hours: by the deployment with REDIS_URL, else by this process",
    registers: [registry],
  });
  const budgetLimit = new Gauge({
    name: "bigin_call_budget_limit",
    help: "Bigin calls at once per credential this process works under: BIGIN_CONCURRENCY, or its fallback share while Redis is unreachable",
    registers: [registry],
  });
  const budgetFallback = new Gauge({
    name: "bigin_call_budget_fallback",
    help: "1 while Redis is unreachable and this process keeps to its fallback share of the call budget, else 0",
    registers: [registry],
  });
  const budgetRoundTrips = new Counter({
    name: "bigin_call_budget_redis_round_trips_total",
    help: "Redis commands the shared call budget sent: to take and give back slots (kind=slot), and to keep them (kind=upkeep: heartbeats, presence, back-offs)",
    labelNames: ["kind"] as const,
    registers: [registry],
  });

  return {
    registry,
    tokenRefreshes,
    cacheLookups,
    observer: {
      call(event) {
        calls.inc({
          operation: event.operation,
          status: event.status === undefined ? "none" : String(event.status),
          code: event.code ?? "",
        });
        duration.observe({ operation: event.operation }, event.durationMs / 1000);
        if (event.credits > 0) credits.inc({ operation: event.operation }, event.credits);
        if (event.status === 429) rateLimited.inc();
      },
      retry(event) {
        retries.inc({ operation: event.operation });
      },
    },
    recordBatch(requested, made) {
      if (requested > made) saved.inc(requested - made);
    },
    watch(client) {
      const counted = { slot: 0, upkeep: 0 };
      const collect = () => {
        const status = client.budget.status();
        inFlight.set(status.inFlight);
        queued.set(status.queued);
        budgetLimit.set(status.limit);
        budgetFallback.set(status.mode === "fallback" || status.mode === "settling" ? 1 : 0);
        for (const kind of ["slot", "upkeep"] as const) {
          budgetRoundTrips.inc({ kind }, status.redisRoundTrips[kind] - counted[kind]);
          counted[kind] = status.redisRoundTrips[kind];
        }
        credits24h.set(client.budget.creditsUsed());
      };
      // prom-client calls collect() at scrape time.
      Object.assign(inFlight, { collect });
    },
  };
}
