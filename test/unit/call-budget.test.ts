import { describe, expect, it } from "vitest";
import { LocalCallBudget } from "../../src/bigin/budget/call-budget.js";
import {
  CreditLedger,
  DailyCredits,
  MINUTE_MS,
  WINDOW_MINUTES,
} from "../../src/bigin/budget/credits.js";
import { BiginBudgetError, BiginQueueFullError } from "../../src/bigin/errors.js";
import { Limiter } from "../../src/bigin/limiter.js";
import { createLogger } from "../../src/logger.js";
import { logCapture } from "../helpers/refresh-stack.js";

const DAY_MS = WINDOW_MINUTES * MINUTE_MS;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("CreditLedger", () => {
  it("counts the credits of the rolling 24 hours", () => {
    const ledger = new CreditLedger();
    ledger.add(3, T0);
    ledger.add(2, T0 + 6 * 3600_000);
    expect(ledger.total(T0 + 6 * 3600_000)).toBe(5);
    // The first 3 leave the window 24 h after their minute.
    expect(ledger.total(T0 + DAY_MS - 1)).toBe(5);
    expect(ledger.total(T0 + DAY_MS + MINUTE_MS)).toBe(2);
    expect(ledger.total(T0 + 3 * DAY_MS)).toBe(0);
    ledger.add(1, T0 + 3 * DAY_MS);
    expect(ledger.total(T0 + 3 * DAY_MS)).toBe(1);
  });

  it("says when enough credits will have left the window to go below a budget", () => {
    const ledger = new CreditLedger();
    ledger.add(4, T0);
    ledger.add(4, T0 + 3600_000);
    expect(ledger.freeInMs(100, T0 + 3600_000)).toBe(0);
    // 8 spent, budget 5: the first 4 must leave, 24 h after their minute began.
    expect(ledger.freeInMs(5, T0 + 3600_000)).toBe(DAY_MS - 3600_000);
    // Budget 1: the second 4 must leave as well.
    expect(ledger.freeInMs(1, T0 + 3600_000)).toBe(DAY_MS);
  });
});

describe("DailyCredits (BIGIN_DAILY_CREDIT_BUDGET)", () => {
  it("warns once past 80 %, refuses at 100 % saying when to come back, and lets go below", () => {
    const logs = logCapture();
    const daily = new DailyCredits(10, createLogger("info", logs), "this process");
    daily.observe(7, () => 0, T0);
    expect(logs.lines).toHaveLength(0);
    daily.observe(8, () => 0, T0);
    daily.observe(9, () => 0, T0);
    expect(logs.text().match(/% of BIGIN_DAILY_CREDIT_BUDGET used/g)).toHaveLength(1);
    expect(logs.text()).toContain("80 % of BIGIN_DAILY_CREDIT_BUDGET used by this process");
    expect(() => daily.check(T0)).not.toThrow();
    daily.observe(10, () => 90_000, T0);
    let refused: unknown;
    try {
      daily.check(T0 + 1_000);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(BiginBudgetError);
    expect(refused).toMatchObject({ reason: "daily-credits", retryAfterSeconds: 89 });
    expect((refused as Error).message).toBe(
      "The daily Bigin credit budget is spent: 10 of 10 credits (BIGIN_DAILY_CREDIT_BUDGET) used in the last 24 hours; calls resume in about 89 s",
    );
    expect(logs.text()).toContain("BIGIN_DAILY_CREDIT_BUDGET is spent by this process");
    expect(() => daily.check(T0 + 90_000)).not.toThrow();
    daily.observe(2, () => 0, T0);
    daily.observe(9, () => 0, T0);
    expect(logs.text().match(/% of BIGIN_DAILY_CREDIT_BUDGET used/g)).toHaveLength(2);
  });
});

describe("Limiter", () => {
  it("hands a released slot to the oldest waiter: a caller arriving in between waits", async () => {
    const limiter = new Limiter(1, 10);
    await limiter.acquire();
    const order: string[] = [];
    const first = limiter.acquire().then(() => order.push("waiting"));
    limiter.release();
    // Arrives after the release, before the waiter has run: it must not take the slot.
    const second = limiter.acquire().then(() => order.push("late"));
    await first;
    expect(limiter.inFlight).toBe(1);
    limiter.release();
    await second;
    expect(order).toEqual(["waiting", "late"]);
  });

  it("lets waiters through when its cap is raised, and counts slots taken elsewhere", async () => {
    const limiter = new Limiter(1, 10);
    limiter.take();
    const waiting = [limiter.acquire(), limiter.acquire()];
    expect(limiter.queued).toBe(2);
    limiter.setLimit(3);
    await Promise.all(waiting);
    expect(limiter.inFlight).toBe(3);
  });
});

describe("LocalCallBudget (no REDIS_URL)", () => {
  it("caps the calls per credential and refuses past the queue limit", async () => {
    const budget = new LocalCallBudget(2, 1);
    const slots = [await budget.acquire("a"), await budget.acquire("a"), await budget.acquire("b")];
    const waiting = budget.acquire("a");
    await expect(budget.acquire("a")).rejects.toBeInstanceOf(BiginQueueFullError);
    expect(budget.status()).toMatchObject({ mode: "local", limit: 2, inFlight: 3, queued: 1 });
    slots[0]!.release(1);
    (await waiting).release(1);
    for (const slot of slots.slice(1)) slot.release(1);
    expect(budget.status()).toMatchObject({ inFlight: 0, queued: 0 });
    expect(budget.creditsUsed()).toBe(4);
  });

  it("refuses calls once this process has spent BIGIN_DAILY_CREDIT_BUDGET", async () => {
    const daily = new DailyCredits(2, createLogger("silent"), "this process");
    const budget = new LocalCallBudget(5, 10, daily);
    (await budget.acquire("a")).release(1);
    // A call that never reached Bigin costs nothing.
    (await budget.acquire("a")).release(0);
    (await budget.acquire("b")).release(1);
    await expect(budget.acquire("a")).rejects.toMatchObject({
      reason: "daily-credits",
      retryAfterSeconds: expect.any(Number),
    });
  });
});
