import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../../logger.js";
import type { SharedRedis } from "../../redis.js";
import { BiginBudgetError, BiginQueueFullError } from "../errors.js";
import { Limiter } from "../limiter.js";
import type { BudgetMode, BudgetSlot, BudgetStatus, CallBudget } from "./call-budget.js";
import type { DailyCredits } from "./credits.js";
import { ACQUIRE, BACK_OFF, HEARTBEAT, LEAVE, PRESENCE, RELEASE } from "./scripts.js";

/** A lease not renewed for this long is given back: the bound for a replica that died. */
export const LEASE_TTL_MS = 5_000;
/** How often a replica renews its leases and places (and checks for announcements it missed). */
const HEARTBEAT_MS = 1_000;
/**
 * After Redis answers again, how long a replica keeps to its fallback share: longer than the
 * longest reconnect delay (src/redis.ts, 5 s), so that every replica is back before any takes
 * the whole budget again.
 */
const SETTLE_MS = 6_000;
/**
 * A replica says it is alive (and learns how many are) with every heartbeat; one silent for
 * this long no longer counts.
 */
const REPLICA_WINDOW_MS = 15_000;

const PREFIX = "bigin-attachments:budget:";
const REPLICAS_KEY = `${PREFIX}replicas`;
const CREDITS_KEY = "bigin-attachments:credits";
const GRANTS = `${PREFIX}grant:`;

export interface SharedCallBudgetOptions {
  redis: SharedRedis;
  /** BIGIN_CONCURRENCY: calls at once per credential for the whole deployment. */
  concurrency: number;
  /** BIGIN_QUEUE_LIMIT: calls of this process that may wait, per credential. */
  queueLimit: number;
  /** BIGIN_CONCURRENCY_LOCAL_FALLBACK; default: the budget divided by the live replicas. */
  fallbackConcurrency: number | undefined;
  /** Longest back-off a new call waits for; past it, the call is refused at once. */
  maxWaitMs: number;
  /** First back-off after a 429 without Retry-After; doubles with each 429 in a row. */
  backoffMs: number;
  daily: DailyCredits;
  logger: Logger;
}

interface Waiter {
  id: string;
  /** The acquire script has queued it (heartbeats keep its place alive). */
  queued: boolean;
  grant(): void;
  /** Redis failed: the call goes on under the fallback cap. */
  abandon(): void;
}

/** What this process holds and waits for with one credential. */
class KeyState {
  /**
   * Counts every call of this process holding a slot (leased or not). Without a cap while the
   * budget is shared; with the fallback share as its cap otherwise.
   */
  readonly gate: Limiter;
  readonly leases = new Set<string>();
  readonly waiters = new Map<string, Waiter>();
  /** Slots taken while Redis was unreachable: no lease yet. */
  readonly unleased = new Set<SharedSlot>();
  pumpAt = Infinity;
  pumpTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly key: string,
    /** The Redis keys of the scripts (one hash tag), then the deployment's credits. */
    readonly keys: readonly string[],
    limit: number,
    queueLimit: number,
  ) {
    this.gate = new Limiter(limit, queueLimit);
  }

  get idle(): boolean {
    return this.gate.idle && this.waiters.size === 0 && this.pumpTimer === undefined;
  }
}

class SharedSlot implements BudgetSlot {
  private released = false;
  readonly takenAt = performance.now();

  constructor(
    private readonly owner: SharedCallBudget,
    readonly state: KeyState,
    public lease: string | undefined,
  ) {}

  release(credits: number): void {
    if (this.released) return;
    this.released = true;
    this.owner.giveBack(this, credits);
  }
}

type Script = (...keysThenArgs: string[]) => Promise<unknown>;

const calls = (n: number) => `${n} Bigin call${n === 1 ? "" : "s"}`;

/**
 * One call budget for every replica, in Redis: slots are leases in a sorted set that expire
 * unless renewed, waiting calls queue first come, first served across replicas, a slot given
 * back is handed to the oldest waiter and announced to its replica (pub/sub). One round trip
 * to take a slot, one to give it back. A 429 pauses new calls on every replica. When Redis
 * cannot be reached each replica keeps to a share of the budget until it can.
 */
export class SharedCallBudget implements CallBudget {
  private readonly replica = randomBytes(6).toString("hex");
  private sequence = 0;
  private mode: BudgetMode;
  private readonly states = new Map<string, KeyState>();
  /** Every waiting call of this process, by id, in the order they came. */
  private readonly waiters = new Map<string, Waiter>();
  private readonly scripts: Record<
    "acquire" | "release" | "heartbeat" | "backOff" | "presence" | "leave",
    Script
  >;
  private readonly timer: NodeJS.Timeout;
  private settleTimer: NodeJS.Timeout | undefined;
  /**
   * Live replicas seen in Redis (this one included): the most seen within REPLICA_WINDOW_MS, as
   * a Redis that lost its data knows none at first. Undefined until it was first asked.
   */
  private replicas: number | undefined;
  private replicasSeenAt = 0;
  /** How long the last calls held their slots (ms), newest last. */
  private readonly holds: number[] = [];
  /** Falling back: no new call until the calls running elsewhere have probably ended. */
  private drainUntil = 0;
  private drainTimer: NodeJS.Timeout | undefined;
  /** Credits spent while Redis could not record them. */
  private unrecorded = 0;
  /** Redis commands sent: to take and give back slots, and to keep them (heartbeats, …). */
  private readonly roundTrips = { slot: 0, upkeep: 0 };
  /** Until create() has waited for the subscription: the first mode is decided there. */
  private starting = true;
  private closed = false;

  private constructor(
    private readonly options: SharedCallBudgetOptions,
    private readonly subscriber: Redis,
  ) {
    const { redis } = options;
    this.scripts = {
      acquire: redis.script(ACQUIRE, 6),
      release: redis.script(RELEASE, 6),
      heartbeat: redis.script(HEARTBEAT, 6),
      backOff: redis.script(BACK_OFF, 6),
      presence: redis.script(PRESENCE, 2),
      leave: redis.script(LEAVE, 1),
    };
    this.mode = "fallback";
    subscriber.on("message", (_channel: string, id: string) => this.waiters.get(id)?.grant());
    for (const client of [redis.client, subscriber]) {
      client.on("close", () => this.down());
      client.on("ready", () => void this.presence().then((ok) => ok && this.up()));
    }
    this.timer = setInterval(() => this.tick(), HEARTBEAT_MS).unref();
    void this.presence();
  }

  /** Subscribes to this replica's announcements (waiting up to `waitMs`), then starts. */
  static async create(options: SharedCallBudgetOptions, waitMs = 2_000): Promise<SharedCallBudget> {
    // Subscribes once connected (the command waits for the connection), and again after each
    // reconnection (ioredis re-subscribes by itself).
    const subscriber = options.redis.client.duplicate({
      enableOfflineQueue: true,
      commandTimeout: undefined,
    });
    // Without a listener an 'error' event would end the process; the main connection logs.
    subscriber.on("error", () => {});
    const budget = new SharedCallBudget(options, subscriber);
    await Promise.race([
      subscriber.subscribe(`${GRANTS}${budget.replica}`).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, waitMs).unref()),
    ]);
    budget.starting = false;
    if (budget.connected()) {
      budget.mode = "shared";
    } else {
      options.logger.warn(
        { redis: { at: options.redis.where } },
        `Redis is not answering yet: this process makes at most ${calls(budget.share())} at once per credential (BIGIN_CONCURRENCY_LOCAL_FALLBACK) until it does`,
      );
    }
    return budget;
  }

  async acquire(key: string, signal?: AbortSignal): Promise<BudgetSlot> {
    this.options.daily.check();
    const state = this.state(key);
    if (state.waiters.size + state.gate.queued >= this.options.queueLimit) {
      throw new BiginQueueFullError(this.options.queueLimit);
    }
    try {
      for (;;) {
        if (this.mode === "shared") {
          const lease = await this.queue(state, signal);
          if (lease === undefined) continue;
          state.gate.take();
          return new SharedSlot(this, state, lease);
        }
        await state.gate.acquire(signal);
        // Settling (or shared again by now): keep to the share and take a lease as well.
        const lease =
          this.mode === "fallback"
            ? undefined
            : await this.queue(state, signal).catch((error: unknown) => {
                state.gate.release();
                throw error;
              });
        const slot = new SharedSlot(this, state, lease);
        if (lease === undefined) state.unleased.add(slot);
        return slot;
      }
    } finally {
      this.forget(state);
    }
  }

  rateLimited(key: string, retryAfterMs: number | undefined): void {
    if (this.mode === "fallback") return;
    const state = this.state(key);
    const { backoffMs, maxWaitMs } = this.options;
    this.call(this.scripts.backOff, state, [
      String(retryAfterMs === undefined ? -1 : Math.round(retryAfterMs)),
      String(backoffMs),
      String(maxWaitMs),
    ]).then(
      (pause) => this.pumpAfter(state, Number(pause)),
      (error: unknown) => this.failed(error),
    );
  }

  status(): BudgetStatus {
    let inFlight = 0;
    let queued = 0;
    for (const state of this.states.values()) {
      inFlight += state.gate.inFlight;
      queued += state.gate.queued + state.waiters.size;
    }
    const limit = this.mode === "shared" ? this.options.concurrency : this.share();
    return {
      mode: this.mode,
      limit,
      inFlight,
      queued,
      redisRoundTrips: { ...this.roundTrips },
      replicas: this.replicas,
    };
  }

  creditsUsed(): number {
    return this.options.daily.last;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.settleTimer);
    clearTimeout(this.drainTimer);
    const wasShared = this.mode !== "fallback";
    // Whatever still comes goes on without Redis.
    this.mode = "fallback";
    if (wasShared) {
      const leaving: Array<Promise<unknown>> = [this.scripts.leave(REPLICAS_KEY, this.replica)];
      for (const state of this.states.values()) {
        clearTimeout(state.pumpTimer);
        const ids = [...state.leases, ...state.waiters.keys()];
        if (ids.length > 0) leaving.push(this.scripts.release(...this.args(state, ["0", ...ids])));
      }
      await Promise.allSettled(leaving);
    }
    for (const waiter of [...this.waiters.values()]) waiter.abandon();
    this.subscriber.disconnect();
  }

  /** Called by a slot once: gives the lease back (handing it on) and records the credits. */
  giveBack(slot: SharedSlot, credits: number): void {
    const { state, lease } = slot;
    this.holds.push(performance.now() - slot.takenAt);
    if (this.holds.length > 32) this.holds.shift();
    state.gate.release();
    state.unleased.delete(slot);
    if (lease !== undefined) state.leases.delete(lease);
    if (lease !== undefined && this.mode !== "fallback") {
      const spent = credits + this.takeUnrecorded();
      this.call(this.scripts.release, state, [String(spent), lease]).then(
        (total) => this.sawCredits(Number(total)),
        (error: unknown) => {
          this.unrecorded += spent;
          this.failed(error);
        },
      );
    } else if (credits > 0) {
      // Recorded in Redis once it answers; counted here meanwhile.
      this.unrecorded += credits;
      this.sawCredits(this.options.daily.last + credits);
    }
    this.forget(state);
  }

  /**
   * Waits in the shared queue. Resolves with the lease id, or undefined when Redis failed
   * meanwhile (the budget has fallen back); rejects when the signal aborts or the call is
   * refused (BiginBudgetError).
   */
  private queue(state: KeyState, signal: AbortSignal | undefined): Promise<string | undefined> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const id = `${this.replica}|${(this.sequence += 1)}`;
    return new Promise<string | undefined>((resolve, reject) => {
      let done = false;
      const finish = (outcome: { lease?: string } | { error: unknown }) => {
        if (done) return false;
        done = true;
        state.waiters.delete(id);
        this.waiters.delete(id);
        signal?.removeEventListener("abort", onAbort);
        if ("error" in outcome) {
          reject(outcome.error as Error);
        } else {
          if (outcome.lease !== undefined) state.leases.add(outcome.lease);
          resolve(outcome.lease);
        }
        return true;
      };
      // The place (or a slot handed to it meanwhile) goes back; the script runs after the
      // acquire on the same connection, whatever its answer.
      const leave = () => void this.call(this.scripts.release, state, ["0", id]).catch(() => {});
      const onAbort = () => {
        if (finish({ error: signal!.reason })) leave();
      };
      const waiter: Waiter = {
        id,
        queued: false,
        grant: () => void finish({ lease: id }),
        abandon: () => {
          if (finish({}) && !this.closed) leave();
        },
      };
      state.waiters.set(id, waiter);
      this.waiters.set(id, waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      const { maxWaitMs, daily } = this.options;
      this.call(this.scripts.acquire, state, [id, String(maxWaitMs), String(daily.budget ?? 0)])
        .then((reply) => {
          const [outcome, ms, total] = reply as [string, number, number];
          this.sawCredits(total, outcome === "credits" ? ms : undefined);
          if (done) return;
          if (outcome === "granted") return waiter.grant();
          if (outcome === "queued") {
            waiter.queued = true;
            if (ms > 0) this.pumpAfter(state, ms);
            return;
          }
          if (outcome === "paused") {
            const seconds = Math.ceil(ms / 1000);
            return void finish({
              error: new BiginBudgetError(
                "backoff",
                `Bigin answered 429 (too many requests): calls with this credential are paused for ${seconds} s, longer than a call waits`,
                seconds,
              ),
            });
          }
          finish({ error: daily.refusal(ms) });
        })
        .catch((error: unknown) => {
          this.failed(error);
          waiter.abandon();
        });
    });
  }

  private tick(): void {
    if (this.mode === "fallback") {
      // Connected but failing commands (e.g. time-outs): ask again every heartbeat.
      if (this.connected()) void this.presence().then((ok) => ok && this.up());
      return;
    }
    void this.presence();
    for (const state of this.states.values()) this.renew(state, false);
  }

  /** One heartbeat for a credential: renews, re-queues lost places, hands free slots on. */
  private renew(state: KeyState, always: boolean): void {
    const queued = [...state.waiters.values()].filter((w) => w.queued).map((w) => w.id);
    const leases = [...state.leases];
    if (!always && leases.length === 0 && queued.length === 0) return this.forget(state);
    const spent = this.takeUnrecorded();
    this.call(this.scripts.heartbeat, state, [
      String(spent),
      String(leases.length),
      ...leases,
      ...queued,
    ]).then(
      (reply) => {
        const [pause, total, ...granted] = reply as [number, number, ...string[]];
        this.sawCredits(total);
        for (const id of granted) this.waiters.get(id)?.grant();
        if (pause > 0 && state.waiters.size > 0) this.pumpAfter(state, pause);
      },
      (error: unknown) => {
        this.unrecorded += spent;
        this.failed(error);
      },
    );
  }

  /** Hands free slots on once a back-off of `ms` has passed (a heartbeat would, up to 1 s later). */
  private pumpAfter(state: KeyState, ms: number): void {
    const at = Date.now() + ms + 5;
    if (state.pumpTimer !== undefined && state.pumpAt <= at) return;
    clearTimeout(state.pumpTimer);
    state.pumpAt = at;
    state.pumpTimer = setTimeout(() => {
      state.pumpTimer = undefined;
      state.pumpAt = Infinity;
      if (this.mode !== "fallback") this.renew(state, true);
      this.forget(state);
    }, at - Date.now()).unref();
  }

  /** Says this replica is alive; learns how many are and the credits. Resolves whether it worked. */
  private async presence(): Promise<boolean> {
    if (this.closed) return false;
    const spent = this.takeUnrecorded();
    try {
      this.roundTrips.upkeep += 1;
      const [replicas, total] = (await this.scripts.presence(
        REPLICAS_KEY,
        CREDITS_KEY,
        this.replica,
        String(REPLICA_WINDOW_MS),
        String(spent),
      )) as [number, number];
      const now = Date.now();
      if (
        this.replicas === undefined ||
        replicas >= this.replicas ||
        now - this.replicasSeenAt > REPLICA_WINDOW_MS
      ) {
        this.replicas = replicas;
        this.replicasSeenAt = now;
      }
      this.sawCredits(total);
      if (this.mode !== "shared") this.setLimits();
      return true;
    } catch (error) {
      this.unrecorded += spent;
      this.failed(error);
      return false;
    }
  }

  /** Redis failed: every replica keeps to its share until it answers again. */
  private down(): void {
    if (this.starting || this.closed || this.mode === "fallback") return;
    clearTimeout(this.settleTimer);
    this.mode = "fallback";
    // The other replicas' calls under the shared budget are still running, unseen from here:
    // let them end (as long as calls took lately, at most a lease time) before the shares start.
    const drainMs = Math.min(Math.max(0, ...this.holds), LEASE_TTL_MS);
    this.drainUntil = Date.now() + drainMs;
    clearTimeout(this.drainTimer);
    this.drainTimer = setTimeout(() => {
      this.drainUntil = 0;
      this.setLimits();
    }, drainMs).unref();
    this.setLimits();
    this.options.logger.warn(
      { redis: { at: this.options.redis.where }, bigin: { concurrency: this.share() } },
      `Redis is unreachable: this process makes at most ${calls(this.share())} at once per credential (its share of BIGIN_CONCURRENCY=${this.options.concurrency}) until Redis answers`,
    );
    // Waiting calls go on under the fallback cap, oldest first.
    for (const waiter of [...this.waiters.values()]) waiter.abandon();
  }

  /** Redis answers again: take leases for the calls running without one, then settle. */
  private up(): void {
    if (this.starting || this.closed || this.mode !== "fallback" || !this.connected()) return;
    this.mode = "settling";
    for (const state of this.states.values()) {
      for (const slot of state.unleased) {
        slot.lease = `${this.replica}|${(this.sequence += 1)}`;
        state.leases.add(slot.lease);
      }
      state.unleased.clear();
      this.renew(state, false);
    }
    this.options.logger.info(
      { redis: { at: this.options.redis.where } },
      `Redis answers again: the Bigin call budget is shared by the replicas again (this process keeps to its share for ${SETTLE_MS / 1000} s more)`,
    );
    this.settleTimer = setTimeout(() => {
      if (this.mode !== "settling") return;
      this.mode = "shared";
      this.setLimits();
    }, SETTLE_MS).unref();
  }

  private failed(error: unknown): void {
    if (this.closed) return;
    this.options.redis.failed("Bigin call budget: each replica keeps to its share", error);
    this.down();
  }

  private connected(): boolean {
    return this.options.redis.client.status === "ready" && this.subscriber.status === "ready";
  }

  /** The fallback cap: BIGIN_CONCURRENCY_LOCAL_FALLBACK, else the budget over the live replicas. */
  private share(): number {
    const { fallbackConcurrency, concurrency } = this.options;
    if (fallbackConcurrency !== undefined) return fallbackConcurrency;
    // Never seen Redis: assume company, the safe side.
    if (this.replicas === undefined) return 1;
    return Math.max(1, Math.floor(concurrency / Math.max(1, this.replicas)));
  }

  /** The cap of this process's calls per credential: none while the budget is shared. */
  private limit(): number {
    if (this.mode === "shared") return Infinity;
    return this.mode === "fallback" && Date.now() < this.drainUntil ? 0 : this.share();
  }

  private setLimits(): void {
    const limit = this.limit();
    for (const state of this.states.values()) state.gate.setLimit(limit);
  }

  private state(key: string): KeyState {
    let state = this.states.get(key);
    if (!state) {
      const tag = `${PREFIX}{${key}}:`;
      const keys = ["leases", "queue", "waiters", "ticket", "backoff"].map((k) => tag + k);
      state = new KeyState(key, [...keys, CREDITS_KEY], this.limit(), this.options.queueLimit);
      this.states.set(key, state);
    }
    return state;
  }

  private forget(state: KeyState): void {
    if (state.idle && state.leases.size === 0) this.states.delete(state.key);
  }

  private args(state: KeyState, args: string[]): string[] {
    return [...state.keys, String(this.options.concurrency), String(LEASE_TTL_MS), GRANTS, ...args];
  }

  private call(script: Script, state: KeyState, args: string[]): Promise<unknown> {
    this.roundTrips[
      script === this.scripts.acquire || script === this.scripts.release ? "slot" : "upkeep"
    ] += 1;
    return script(...this.args(state, args));
  }

  private takeUnrecorded(): number {
    const spent = this.unrecorded;
    this.unrecorded = 0;
    return spent;
  }

  private sawCredits(total: number, freeInMs?: number): void {
    this.options.daily.observe(total, () => freeInMs ?? 60_000);
  }
}
