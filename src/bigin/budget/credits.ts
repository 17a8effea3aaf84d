import type { Logger } from "../../logger.js";
import { BiginBudgetError } from "../errors.js";

/**
 * Credits one Bigin call costs. Zoho prices calls by kind (bigin-api.md §7): 1 by default, 3 for
 * Get Records with a custom view, 1 per 10 records for inserts and updates, 50 or 500 for bulk
 * jobs. Every endpoint this server calls (attachments and photos: list, download, upload, delete)
 * is a default call: 1 credit.
 */
export function creditsFor(_method: string, _path: string): number {
  return 1;
}

export const MINUTE_MS = 60_000;
/** Zoho counts credits over a rolling 24 hours; we count them per minute. */
export const WINDOW_MINUTES = 24 * 60;

/** Credits spent by this process over the rolling 24 hours, in one-minute buckets. */
export class CreditLedger {
  private readonly buckets = new Float64Array(WINDOW_MINUTES);
  private sum = 0;
  /** The oldest minute still counted; the buckets of older minutes have been emptied. */
  private oldest = -Infinity;

  add(credits: number, now = Date.now()): void {
    if (credits <= 0) return;
    const minute = Math.floor(now / MINUTE_MS);
    this.advance(minute);
    this.buckets[minute % WINDOW_MINUTES]! += credits;
    this.sum += credits;
  }

  /** Credits spent in the last 24 hours. */
  total(now = Date.now()): number {
    this.advance(Math.floor(now / MINUTE_MS));
    return this.sum;
  }

  /** In how many ms the total drops below `budget` as minutes leave the window (0: it is below). */
  freeInMs(budget: number, now = Date.now()): number {
    let left = this.total(now);
    if (left < budget) return 0;
    const minute = Math.floor(now / MINUTE_MS);
    for (let m = this.oldest; m <= minute; m += 1) {
      left -= this.buckets[m % WINDOW_MINUTES]!;
      // Minute m leaves the window when minute m + WINDOW_MINUTES begins.
      if (left < budget) return (m + WINDOW_MINUTES) * MINUTE_MS - now;
    }
    return WINDOW_MINUTES * MINUTE_MS;
  }

  /** Empties the buckets of minutes that left the window (amortised: one per minute). */
  private advance(minute: number): void {
    const first = minute - WINDOW_MINUTES + 1;
    if (this.oldest >= first) return;
    if (first - this.oldest >= WINDOW_MINUTES) {
      this.buckets.fill(0);
      this.sum = 0;
    } else {
      for (let m = this.oldest; m < first; m += 1) {
        this.sum -= this.buckets[m % WINDOW_MINUTES]!;
        this.buckets[m % WINDOW_MINUTES] = 0;
      }
    }
    this.oldest = first;
  }
}

/**
 * BIGIN_DAILY_CREDIT_BUDGET: refuses calls once the credits of the last 24 hours reach it, and
 * warns in the log once they pass 80 % (again after they have dropped below).
 */
export class DailyCredits {
  private warned = false;
  private exhaustedLogged = false;
  /** Until when calls are refused (epoch ms). */
  private refusedUntil = 0;
  /** The last total seen (this process's, or the deployment's from Redis). */
  last = 0;

  constructor(
    readonly budget: number | undefined,
    private readonly logger: Logger,
    /** Whose credits the totals count, for the log: "this process" or "the deployment". */
    private readonly scope: string,
  ) {}

  /** Throws BiginBudgetError while the budget is known to be spent. */
  check(now = Date.now()): void {
    if (now < this.refusedUntil) throw this.error(this.refusedUntil - now);
  }

  /**
   * Takes a fresh total: warns once past 80 %; when the budget is spent, refuses calls for
   * `freeInMs()` (when enough credits will have left the window). Never throws.
   */
  observe(total: number, freeInMs: () => number, now = Date.now()): void {
    this.last = total;
    const budget = this.budget;
    if (budget === undefined) return;
    if (total < budget * 0.8) {
      this.warned = false;
      this.exhaustedLogged = false;
      this.refusedUntil = 0;
      return;
    }
    if (!this.warned) {
      this.warned = true;
      this.logger.warn(
        { credits: { used: total, budget } },
        `Bigin credits: ${Math.floor((total / budget) * 100)} % of BIGIN_DAILY_CREDIT_BUDGET used by ${this.scope} in the last 24 hours`,
      );
    }
    if (total < budget) {
      this.refusedUntil = 0;
      return;
    }
    this.refusedUntil = now + Math.max(1_000, freeInMs());
    if (!this.exhaustedLogged) {
      this.exhaustedLogged = true;
      this.logger.error(
        { credits: { used: total, budget } },
        `Bigin credits: BIGIN_DAILY_CREDIT_BUDGET is spent by ${this.scope}; Bigin calls are refused with RATE_LIMITED until credits leave the 24-hour window`,
      );
    }
  }

  /** The refusal when Redis said the deployment's budget is spent, free again in `freeInMs`. */
  refusal(freeInMs: number, now = Date.now()): BiginBudgetError {
    this.refusedUntil = Math.max(this.refusedUntil, now + Math.max(1_000, freeInMs));
    return this.error(this.refusedUntil - now);
  }

  private error(waitMs: number): BiginBudgetError {
    const seconds = Math.ceil(waitMs / 1000);
    return new BiginBudgetError(
      "daily-credits",
      `The daily Bigin credit budget is spent: ${this.last} of ${this.budget} credits (BIGIN_DAILY_CREDIT_BUDGET) used in the last 24 hours; calls resume in about ${seconds} s`,
      seconds,
    );
  }
}
