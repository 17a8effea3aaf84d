import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { configProblems as problems } from "../helpers/config.js";

describe("loadConfig: the call budget and credits", () => {
  it("has no fallback share of its own and no daily budget unless asked", () => {
    expect(loadConfig({})).toMatchObject({
      concurrency: 5,
      concurrencyLocalFallback: undefined,
      dailyCreditBudget: undefined,
    });
  });

  it("reads BIGIN_CONCURRENCY_LOCAL_FALLBACK and BIGIN_DAILY_CREDIT_BUDGET", () => {
    expect(
      loadConfig({
        BIGIN_CONCURRENCY: "10",
        BIGIN_CONCURRENCY_LOCAL_FALLBACK: "3",
        BIGIN_DAILY_CREDIT_BUDGET: "40000",
      }),
    ).toMatchObject({ concurrency: 10, concurrencyLocalFallback: 3, dailyCreditBudget: 40_000 });
  });

  it("refuses a fallback share above BIGIN_CONCURRENCY and a budget that is not a count", () => {
    expect(problems({ BIGIN_CONCURRENCY: "10", BIGIN_CONCURRENCY_LOCAL_FALLBACK: "11" })).toContain(
      'BIGIN_CONCURRENCY_LOCAL_FALLBACK="11": expected a whole number from 1 to 10',
    );
    expect(problems({ BIGIN_CONCURRENCY_LOCAL_FALLBACK: "0" })).toContain(
      "BIGIN_CONCURRENCY_LOCAL_FALLBACK",
    );
    for (const value of ["0", "-5", "1e5", "lots"]) {
      expect(problems({ BIGIN_DAILY_CREDIT_BUDGET: value })).toContain(
        `BIGIN_DAILY_CREDIT_BUDGET=${JSON.stringify(value)}: expected a whole number from 1 to 100000000`,
      );
    }
  });
});
