import type { Config } from "../../config.js";
import type { Logger } from "../../logger.js";
import type { SharedRedis } from "../../redis.js";
import { type CallBudget, LocalCallBudget } from "./call-budget.js";
import { DailyCredits } from "./credits.js";

/** The longest back-off after a 429 a new call waits for, as the client waits for Retry-After. */
const MAX_WAIT_MS = 10_000;
/** The first back-off after a 429 without Retry-After, as the client's first retry step. */
const BACKOFF_MS = 200;

/**
 * The call budget: shared by every replica through Redis with REDIS_URL (loaded only then),
 * else a cap per process.
 */
export async function createCallBudget(
  config: Pick<
    Config,
    "concurrency" | "concurrencyLocalFallback" | "queueLimit" | "dailyCreditBudget"
  >,
  redis: SharedRedis | undefined,
  logger: Logger,
): Promise<CallBudget> {
  if (!redis) {
    const daily = config.dailyCreditBudget
      ? new DailyCredits(config.dailyCreditBudget, logger, "this process")
      : undefined;
    return new LocalCallBudget(config.concurrency, config.queueLimit, daily);
  }
  const { SharedCallBudget } = await import("./shared-call-budget.js");
  return SharedCallBudget.create({
    redis,
    concurrency: config.concurrency,
    queueLimit: config.queueLimit,
    fallbackConcurrency: config.concurrencyLocalFallback,
    maxWaitMs: MAX_WAIT_MS,
    backoffMs: BACKOFF_MS,
    daily: new DailyCredits(config.dailyCreditBudget, logger, "the deployment"),
    logger,
  });
}
