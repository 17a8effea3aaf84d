import { Limiter } from "../limiter.js";
import { CreditLedger, type DailyCredits } from "./credits.js";

/** A held slot of the call budget. */
export interface BudgetSlot {
  /** Gives the slot back, with the credits the call spent (0 when Bigin never answered). */
  release(credits: number): void;
}

/**
 * `local`: a cap per process (no REDIS_URL); `shared`: one budget for every replica, in Redis;
 * `fallback`: Redis unreachable, this process keeps to its share; `settling`: Redis is back and
 * this process still keeps to its share while the other replicas reconnect.
 */
export type BudgetMode = "local" | "shared" | "settling" | "fallback";

export interface BudgetStatus {
  mode: BudgetMode;
  /** Calls at once this process works under now: the budget, or its share of it. */
  limit: number;
  inFlight: number;
  queued: number;
  /**
   * Redis commands the budget has sent (none without Redis): to take and give back slots, and
   * for upkeep (heartbeats, presence, back-offs).
   */
  redisRoundTrips: { slot: number; upkeep: number };
  /** Replicas alive in Redis in the last 15 s, as last seen (undefined without Redis). */
  replicas?: number | undefined;
}

/** How many Bigin calls run at once per credential (BIGIN_CONCURRENCY), and what they cost. */
export interface CallBudget {
  /**
   * Resolves with a slot for a call with the credential `key`. Rejects with BiginQueueFullError,
   * BiginBudgetError (back-off or daily credits), or the signal's reason when it aborts.
   */
  acquire(key: string, signal?: AbortSignal): Promise<BudgetSlot>;
  /** Bigin answered 429 to a call with `key`; `retryAfterMs` from its Retry-After, if any. */
  rateLimited(key: string, retryAfterMs: number | undefined): void;
  status(): BudgetStatus;
  /** Credits of the last 24 hours: the deployment's with Redis, else this process's. */
  creditsUsed(): number;
  close(): Promise<void>;
}

/**
 * The budget of one process (no REDIS_URL): at most `concurrency` calls at once per credential,
 * at most `queueLimit` waiting. Each call backs off on its own after a 429 (the client's retries).
 */
export class LocalCallBudget implements CallBudget {
  private readonly limiters = new Map<string, Limiter>();
  private readonly ledger = new CreditLedger();

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
    private readonly daily?: DailyCredits,
  ) {}

  async acquire(key: string, signal?: AbortSignal): Promise<BudgetSlot> {
    this.daily?.check();
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new Limiter(this.concurrency, this.queueLimit);
      this.limiters.set(key, limiter);
    }
    try {
      await limiter.acquire(signal);
    } catch (error) {
      if (limiter.idle) this.limiters.delete(key);
      throw error;
    }
    const held = limiter;
    let released = false;
    return {
      release: (credits) => {
        if (released) return;
        released = true;
        held.release();
        if (held.idle) this.limiters.delete(key);
        this.spend(credits);
      },
    };
  }

  rateLimited(): void {}

  status(): BudgetStatus {
    let inFlight = 0;
    let queued = 0;
    for (const limiter of this.limiters.values()) {
      inFlight += limiter.inFlight;
      queued += limiter.queued;
    }
    return {
      mode: "local",
      limit: this.concurrency,
      inFlight,
      queued,
      redisRoundTrips: { slot: 0, upkeep: 0 },
    };
  }

  creditsUsed(): number {
    return this.ledger.total();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private spend(credits: number): void {
    if (credits <= 0) return;
    this.ledger.add(credits);
    const budget = this.daily?.budget;
    if (budget !== undefined) {
      this.daily!.observe(this.ledger.total(), () => this.ledger.freeInMs(budget));
    }
  }
}
