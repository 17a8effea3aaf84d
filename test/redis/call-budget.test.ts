import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { BudgetSlot } from "../../src/bigin/budget/call-budget.js";
import { DailyCredits } from "../../src/bigin/budget/credits.js";
import {
  LEASE_TTL_MS,
  SharedCallBudget,
  type SharedCallBudgetOptions,
} from "../../src/bigin/budget/shared-call-budget.js";
import { BiginBudgetError } from "../../src/bigin/errors.js";
import { createLogger } from "../../src/logger.js";
import { connectRedis, type SharedRedis } from "../../src/redis.js";
import { startRedis } from "../helpers/redis.js";
import { logCapture } from "../helpers/refresh-stack.js";

const redis = await startRedis();
afterAll(() => redis.server?.stop());

/** A replica's budget: its own Redis connections, as a separate process would have. */
interface Replica {
  budget: SharedCallBudget;
  connection: SharedRedis;
  logs: ReturnType<typeof logCapture>;
}
const replicas: Replica[] = [];
afterEach(async () => {
  for (const { budget, connection } of replicas.splice(0)) {
    await budget.close();
    await connection.close();
  }
});

async function replica(options: Partial<SharedCallBudgetOptions> = {}): Promise<Replica> {
  const logs = logCapture();
  const logger = createLogger("info", logs);
  const connection = connectRedis(redis.server!.url, logger);
  await connection.ready(2_000);
  const budget = await SharedCallBudget.create({
    redis: connection,
    concurrency: 2,
    queueLimit: 100,
    fallbackConcurrency: undefined,
    maxWaitMs: 10_000,
    backoffMs: 200,
    daily: new DailyCredits(undefined, logger, "the deployment"),
    logger,
    ...options,
  });
  const made = { budget, connection, logs };
  replicas.push(made);
  return made;
}

/** Resolves with the slot and records when it came; `order` gets `name` at that moment. */
function take(budget: SharedCallBudget, key: string, order: string[], name: string) {
  return budget.acquire(key).then((slot) => {
    order.push(name);
    return slot;
  });
}

async function inRedis(command: (client: SharedRedis["client"]) => Promise<unknown>) {
  const connection = connectRedis(redis.server!.url, createLogger("silent"));
  await connection.ready(5_000);
  await command(connection.client);
  await connection.close();
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error("condition not met in time");
    await sleep(10);
  }
}

describe.skipIf(redis.skip !== undefined)("the call budget shared through Redis", () => {
  it("lets BIGIN_CONCURRENCY calls run at once over all replicas, first come, first served", async () => {
    const key = randomUUID();
    const [a, b, c] = [await replica(), await replica(), await replica()];
    const order: string[] = [];
    const held = [await take(a.budget, key, order, "a1"), await take(b.budget, key, order, "b1")];
    // The budget (2) is taken: these wait, in this order, whichever replica they are on.
    const waiting: Array<Promise<BudgetSlot>> = [];
    const queue = connectRedis(redis.server!.url, createLogger("silent"));
    await queue.ready(5_000);
    const queued = async () =>
      Number(await queue.client.zcard(`bigin-attachments:budget:{${key}}:queue`));
    for (const [r, name] of [
      [c, "c1"],
      [a, "a2"],
      [b, "b2"],
      [c, "c2"],
    ] as const) {
      const before = await queued();
      waiting.push(take(r.budget, key, order, name));
      // Come first means queued first in Redis: each replica's command reaches it on its own
      // connection, so wait for it before the next one asks.
      for (let tries = 0; (await queued()) === before; tries += 1) {
        if (tries > 1000) throw new Error(`${name} never reached the queue`);
        await sleep(10);
      }
    }
    await queue.close();
    await sleep(100);
    expect(order).toEqual(["a1", "b1"]);
    // One slot at a time, so that the order they arrive in is the order they were handed out.
    const slots = [...held];
    for (let i = 0; i < 4; i += 1) {
      slots[i]!.release(1);
      slots.push(await waiting[i]!);
      await sleep(50);
      expect(order).toHaveLength(3 + i);
    }
    expect(order).toEqual(["a1", "b1", "c1", "a2", "b2", "c2"]);
    for (const slot of slots.slice(4)) slot.release(1);
  });

  it("costs one Redis round trip to take a slot and one to give it back", async () => {
    const key = randomUUID();
    const [a, b] = [await replica({ concurrency: 1 }), await replica({ concurrency: 1 })];
    const slotTrips = () =>
      a.budget.status().redisRoundTrips.slot + b.budget.status().redisRoundTrips.slot;
    const before = slotTrips();
    const first = await a.budget.acquire(key);
    const second = b.budget.acquire(key);
    await until(() => b.budget.status().queued === 1);
    first.release(1);
    // Handed over in Redis and announced: b sends nothing more to get it.
    (await second).release(1);
    expect(slotTrips() - before).toBe(4);
  });

  it("gives back the slots of a replica that died within the lease time", async () => {
    const key = randomUUID();
    const [dying, alive] = [await replica(), await replica()];
    await dying.budget.acquire(key);
    await dying.budget.acquire(key);
    const waiting = alive.budget.acquire(key);
    await until(() => alive.budget.status().queued === 1);
    // Like kill -9: no release, no heartbeat, its connections gone.
    dying.connection.client.disconnect();
    await dying.budget.close();
    const died = Date.now();
    (await waiting).release(0);
    const waited = Date.now() - died;
    expect(waited).toBeGreaterThanOrEqual(LEASE_TTL_MS - 1_500);
    expect(waited).toBeLessThan(LEASE_TTL_MS + 3_000);
  });

  it("pauses new calls on every replica after a 429, for Retry-After or a doubling back-off", async () => {
    const key = randomUUID();
    const [a, b] = [await replica(), await replica()];
    a.budget.rateLimited(key, 1_000);
    await sleep(50);
    let started = Date.now();
    (await b.budget.acquire(key)).release(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);

    // Longer than a call waits: refused at once, saying when to come back.
    a.budget.rateLimited(key, 60_000);
    await sleep(50);
    started = Date.now();
    const refused = await b.budget.acquire(key).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(refused).toBeInstanceOf(BiginBudgetError);
    expect(refused).toMatchObject({ reason: "backoff", retryAfterSeconds: 60 });

    // Without Retry-After: 200 ms, then 400 ms for the next 429 after it.
    const other = randomUUID();
    a.budget.rateLimited(other, undefined);
    await sleep(20);
    started = Date.now();
    (await b.budget.acquire(other)).release(0);
    const first = Date.now() - started;
    b.budget.rateLimited(other, undefined);
    await sleep(20);
    started = Date.now();
    (await a.budget.acquire(other)).release(0);
    const second = Date.now() - started;
    expect(first).toBeGreaterThanOrEqual(100);
    expect(second).toBeGreaterThanOrEqual(300);
  });

  it("drops a waiting call that gives up, and hands its turn to the next", async () => {
    const key = randomUUID();
    const [a, b] = [await replica({ concurrency: 1 }), await replica({ concurrency: 1 })];
    const held = await a.budget.acquire(key);
    const controller = new AbortController();
    const gaveUp = b.budget.acquire(key, controller.signal).catch((error: unknown) => error);
    await until(() => b.budget.status().queued === 1);
    const next = a.budget.acquire(key);
    await until(() => a.budget.status().queued === 1);
    controller.abort(new Error("client went away"));
    expect(await gaveUp).toMatchObject({ message: "client went away" });
    held.release(0);
    (await next).release(0);
    expect(b.budget.status()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it("falls back to a share per replica while Redis is down, and shares again once it is back", async () => {
    const key = randomUUID();
    await inRedis((client) => client.del("bigin-attachments:budget:replicas"));
    const [a, b] = [await replica({ concurrency: 4 }), await replica({ concurrency: 4 })];
    // Each says it is alive every 5 s: wait until both have seen the other.
    await until(() => a.budget.status().replicas === 2 && b.budget.status().replicas === 2);
    const held = [await a.budget.acquire(key), await a.budget.acquire(key)];
    held.push(await a.budget.acquire(key), await b.budget.acquire(key));
    const queued = [b.budget.acquire(key), b.budget.acquire(key)];
    await until(() => b.budget.status().queued === 2);

    await redis.server!.stop();
    await until(
      () => a.budget.status().mode === "fallback" && b.budget.status().mode === "fallback",
    );
    // Two replicas seen: each keeps to 4 / 2 = 2 calls at once, the calls running included.
    expect(a.budget.status().limit).toBe(2);
    // The queued calls do not wait for Redis: b has 1 running, so one of them goes on now.
    const [first] = await Promise.race([Promise.all([queued[0]!]), sleep(1_000).then(() => [])]);
    expect(first).toBeDefined();
    expect(b.budget.status()).toMatchObject({ inFlight: 2, queued: 1 });
    held.pop()!.release(1);
    (await queued[1]!).release(1);
    first!.release(1);
    expect(a.logs.text()).toContain("Redis is unreachable");
    expect(a.logs.text().match(/Bigin calls at once per credential/g)).toHaveLength(1);

    await redis.server!.restart();
    await until(() => a.budget.status().mode !== "fallback", 15_000);
    expect(a.budget.status().mode).toBe("settling");
    // The calls that outlived the outage hold leases again: b waits for them.
    await until(() => a.budget.status().mode === "shared", 10_000);
    await until(() => b.budget.status().mode === "shared", 10_000);
    const extra = await b.budget.acquire(key);
    const late = b.budget.acquire(key);
    await until(() => b.budget.status().queued === 1);
    await sleep(100);
    expect(b.budget.status()).toMatchObject({ inFlight: 1, queued: 1 });
    held.pop()!.release(1);
    (await late).release(1);
    extra.release(1);
    for (const slot of held) slot.release(1);
  }, 60_000);

  it("counts the deployment's credits and refuses calls past BIGIN_DAILY_CREDIT_BUDGET", async () => {
    // Credits are the deployment's, whichever credential spent them: start from none.
    await inRedis((client) => client.del("bigin-attachments:credits"));
    const logger = (logs: ReturnType<typeof logCapture>) => createLogger("info", logs);
    const aLogs = logCapture();
    const a = await replica({ daily: new DailyCredits(5, logger(aLogs), "the deployment") });
    const b = await replica();
    for (let i = 0; i < 4; i += 1) (await a.budget.acquire(randomUUID())).release(1);
    await until(() => a.budget.creditsUsed() === 4);
    expect(aLogs.text()).toContain("80 % of BIGIN_DAILY_CREDIT_BUDGET");
    (await b.budget.acquire(randomUUID())).release(1);
    await until(() => b.budget.creditsUsed() === 5);
    const refused = await a.budget.acquire(randomUUID()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BiginBudgetError);
    expect(refused).toMatchObject({ reason: "daily-credits" });
    expect((refused as BiginBudgetError).retryAfterSeconds).toBeGreaterThan(23 * 3600);
    expect((refused as Error).message).toContain("5 of 5 credits (BIGIN_DAILY_CREDIT_BUDGET)");
  });
});
