import { describe, expect, it } from "vitest";
import { nextTurn } from "../../src/graphql/next-turn.js";

describe("nextTurn", () => {
  it("lets lower ranks in first, and equal ranks in the order they asked", async () => {
    const order: string[] = [];
    await Promise.all([
      nextTurn(2).then(() => order.push("2a")),
      nextTurn(1).then(() => order.push("1a")),
      nextTurn(2).then(() => order.push("2b")),
      nextTurn(1).then(() => order.push("1b")),
    ]);
    expect(order).toEqual(["1a", "1b", "2a", "2b"]);
  });

  it("gives each caller a turn of the event loop of its own, timers and I/O in between", async () => {
    const seen: string[] = [];
    await Promise.all([
      nextTurn(1).then(() => {
        setTimeout(() => seen.push("timer"), 0);
        // Long enough for the timer to be due when the loop comes round again.
        const until = Date.now() + 5;
        while (Date.now() < until);
        seen.push("first");
      }),
      nextTurn(1).then(() => seen.push("second")),
    ]);
    expect(seen).toEqual(["first", "timer", "second"]);
  });
});
