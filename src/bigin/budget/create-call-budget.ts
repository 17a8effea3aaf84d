import type { Config } from "../../config.js";
import type { Logger } from "../../logger.js";
import type { SharedRedis } from "../../redis.js";
import { FIRST_BACKOFF_MS, MAX_RETRY_AFTER_MS } from "../client.js";
import { type CallBudget, LocalCallBudget } from "./call-budget.js";
import { DailyCredits } from "./credits.js";

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
    // A pause after a 429 lasts and grows as a call's own retries would wait.
    maxWaitMs: MAX_RETRY_AFTER_MS,
    backoffMs: FIRST_BACKOFF_MS,
    daily: new DailyCredits(config.dailyCreditBudget, logger, "the deployment"),
    logger,
  });
}
