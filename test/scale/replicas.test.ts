import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { print } from "graphql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LEASE_TTL_MS } from "../../src/bigin/budget/shared-call-budget.js";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { startBuiltServer, type BuiltServer } from "../helpers/built-server.js";
import {
  haproxyMissing,
  SCALE_TESTS_REQUIRED,
  startLoadBalancer,
  type LoadBalancer,
} from "../helpers/load-balancer.js";
import { concurrencyBetween, startOrgBigin, type OrgBigin } from "../helpers/org-bigin.js";
import { freePort, startRedis, type RedisStart } from "../helpers/redis.js";

/**
 * Several replicas of the built server (`npm start`'s dist/main.js, each its own process) behind
 * HAProxy, sharing one redis-server, in front of one Zoho org that allows ORG_LIMIT calls at
 * once and answers 429 above it.
 */
const ORG_LIMIT = 10;
/**
 * Each Bigin call takes this long: long against what a loaded 2-CPU machine adds (a burst of
 * 200 operations takes 0.5 s to reach Bigin at all, a slot handed on 5–50 ms), so that the
 * time bound measures the budget, not the machine.
 */
const LATENCY_MS = 500;
const TOKEN = "org-token";

const missing = haproxyMissing();
const redis: RedisStart = missing ? { skip: "" } : await startRedis();
const skip = missing ?? redis.skip;

/** What a client (a web app, a gateway) sees of one operation. */
interface Outcome {
  id: string;
  ok: boolean;
  /** The replica that answered (HAProxy's x-served-by). */
  servedBy: string | null;
  /** Answers the load balancer gave itself (502/503): its replica went away mid-request. */
  lost: number;
  detail: string;
}

let org: OrgBigin;
let lb: LoadBalancer;
const replicas = new Map<string, BuiltServer>();
const ports = new Map<string, number>();
let nextRecord = 0;

beforeAll(async () => {
  if (skip) return;
  org = await startOrgBigin({ concurrency: ORG_LIMIT, latencyMs: LATENCY_MS, token: TOKEN });
  for (const name of ["r1", "r2", "r3", "r4"]) ports.set(name, await freePort());
  // r4 is in the configuration from the start, down until it is started (as a scaled-up pod).
  lb = await startLoadBalancer([...ports].map(([name, port]) => ({ name, port })));
  await Promise.all(["r1", "r2", "r3"].map(startReplica));
  await routedTo(["r1", "r2", "r3"]);
  // Warm-up (JIT, keep-alive sockets), not measured.
  await drive(records(30), 30);
}, 90_000);

afterAll(async () => {
  await Promise.all([...replicas.values()].map((replica) => replica.stop()));
  await lb?.stop();
  await org?.close();
  await redis.server?.stop();
});

beforeEach((context) => {
  if (!skip) return;
  // CI installs HAProxy and redis-server: there, a missing one is a failure, not a skip.
  if (SCALE_TESTS_REQUIRED) {
    throw new Error(`Scale tests need HAProxy and redis-server (SCALE_TESTS_REQUIRED=1): ${skip}`);
  }
  context.skip(`Scale tests skipped: ${skip}.`);
});

async function startReplica(name: string): Promise<void> {
  const server = await startBuiltServer({
    PORT: String(ports.get(name)),
    BIGIN_API_URL: org.url,
    REDIS_URL: redis.server!.url,
    BIGIN_CONCURRENCY: String(ORG_LIMIT),
  });
  replicas.set(name, server);
  await until(async () => (await readiness(name)).callBudget === "shared");
}

async function readiness(name: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${replicas.get(name)!.url}/readyz`).catch(() => undefined);
  return ((await response?.json()) as Record<string, unknown> | undefined) ?? {};
}

async function metric(name: string, metricName: string): Promise<number> {
  const text = await (await fetch(`${replicas.get(name)!.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${metricName} `) || line.startsWith(`${metricName}{`))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

async function until(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${String(check)}`);
    await sleep(50);
  }
}

/** Waits until the load balancer sends requests to each of `names`. */
async function routedTo(names: string[]): Promise<void> {
  const seen = new Set<string>();
  await until(async () => {
    const outcomes = await drive(records(names.length * 2), names.length * 2);
    for (const outcome of outcomes) if (outcome.servedBy) seen.add(outcome.servedBy);
    return names.every((name) => seen.has(name));
  });
}

/** Ids of records no earlier operation asked for. */
function records(count: number): string[] {
  return Array.from({ length: count }, () => String(2034029000000000000n + BigInt(nextRecord++)));
}

const query = print(AttachmentNamesDocument);

async function operate(id: string): Promise<Outcome> {
  let lost = 0;
  for (;;) {
    const response = await fetch(`${lb.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Zoho-oauthtoken ${TOKEN}` },
      body: JSON.stringify({ query, variables: { module: "Contacts", id } }),
    }).catch((error: unknown) => error as Error);
    // The replica died with the request: HAProxy answers 502 or drops the connection, and a
    // client retries the query, as Apollo Client's RetryLink does.
    const gone = response instanceof Error || response.status === 502 || response.status === 503;
    if (gone && lost < 2) {
      if (!(response instanceof Error)) await response.arrayBuffer();
      lost += 1;
      continue;
    }
    if (response instanceof Error) throw response;
    const text = await response.text();
    const body = JSON.parse(text) as {
      data?: { record?: { attachments?: { nodes?: Array<{ fileName?: string }> } } };
      errors?: unknown;
    };
    const ok =
      response.status === 200 &&
      body.errors === undefined &&
      body.data?.record?.attachments?.nodes?.[0]?.fileName === `file-${id}.pdf`;
    return { id, ok, servedBy: response.headers.get("x-served-by"), lost, detail: text };
  }
}

/**
 * Runs one operation per id with at most `concurrency` at once through the load balancer, and
 * `during` alongside.
 */
async function drive(
  ids: string[],
  concurrency: number,
  during?: () => Promise<void>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) outcomes.push(await operate(ids[next++]!));
  };
  await Promise.all([
    ...Array.from({ length: Math.min(concurrency, ids.length) }, worker),
    during?.(),
  ]);
  return outcomes;
}

const failures = (outcomes: Outcome[]) => outcomes.filter((o) => !o.ok).map((o) => o.detail);
const rateLimited = () => org.calls.filter((call) => call.status === 429).length;

describe("replicas behind a load balancer share one Bigin budget", () => {
  it("serves a burst of 200 operations with 10 calls at once, no 429, near the ideal time", async () => {
    org.reset();
    const started = performance.now();
    const outcomes = await drive(records(200), 200);
    const elapsed = performance.now() - started;
    const ideal = (200 * LATENCY_MS) / ORG_LIMIT;
    console.info(
      `scale: 200 operations in ${elapsed.toFixed(0)} ms, ideal ${ideal} ms (${(elapsed / ideal).toFixed(2)}×); ` +
        `upstream peak ${org.peak}, 429s ${rateLimited()}, served by ${[...new Set(outcomes.map((o) => o.servedBy))].join(", ")}`,
    );
    expect(failures(outcomes)).toEqual([]);
    expect(org.calls).toHaveLength(200);
    expect(rateLimited()).toBe(0);
    expect(org.peak).toBe(ORG_LIMIT);
    // Every replica took part.
    for (const name of ["r1", "r2", "r3"]) {
      expect(outcomes.filter((o) => o.servedBy === name).length).toBeGreaterThan(40);
    }
    expect(elapsed).toBeLessThan(1.3 * ideal);
  });

  it("gets back the slots of a replica killed with kill -9 mid-burst; the others finish", async () => {
    org.reset();
    let victim = "";
    let killedAt = 0;
    let slotsHeld = 0;
    const outcomes = await drive(records(240), 60, async () => {
      await until(() => org.calls.length >= 60);
      // The replica holding the most slots now (first come, first served: not always the same).
      const held = await Promise.all(
        [...replicas.keys()].map(async (name) => ({
          name,
          slots: await metric(name, "bigin_calls_in_flight"),
        })),
      );
      victim = held.sort((a, b) => b.slots - a.slots)[0]!.name;
      const { child } = replicas.get(victim)!;
      killedAt = performance.now();
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      // Its calls to Bigin broke off with it; their leases stay in Redis until they expire.
      await sleep(100);
      slotsHeld = org.calls.filter((call) => call.aborted).length;
    });
    replicas.delete(victim);
    const end = performance.now();
    const back = killedAt + LEASE_TTL_MS + 1_500;
    const afterwards = concurrencyBetween(org.calls, back, end - LATENCY_MS);
    console.info(
      `scale: kill -9 with ${slotsHeld} calls in flight; ${outcomes.filter((o) => o.lost).length} operations lost with it and retried; ` +
        `${((end - back) / 1000).toFixed(1)} s measured after the lease time: up to ${afterwards} calls at once`,
    );
    expect(slotsHeld).toBeGreaterThan(0);
    expect(failures(outcomes)).toEqual([]);
    expect(rateLimited()).toBe(0);
    expect(org.peak).toBeLessThanOrEqual(ORG_LIMIT);
    // The operations running on the killed replica were lost (and retried), not the others.
    const lost = outcomes.filter((o) => o.lost > 0).length;
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThan(60);
    // The killed replica's slots came back: the survivors use the whole budget again.
    expect(end - back).toBeGreaterThan(1_000);
    expect(afterwards).toBe(ORG_LIMIT);
  }, 60_000);

  it("keeps the budget at 10 when a fourth replica joins mid-burst", async () => {
    org.reset();
    const outcomes = await drive(records(200), 60, async () => {
      await until(() => org.calls.length >= 30);
      await startReplica("r4");
    });
    const byR4 = outcomes.filter((o) => o.servedBy === "r4").length;
    console.info(
      `scale: the fourth replica served ${byR4} of 200 operations; upstream peak ${org.peak}`,
    );
    expect(failures(outcomes)).toEqual([]);
    expect(byR4).toBeGreaterThan(0);
    expect(await metric("r4", "bigin_calls_total")).toBeGreaterThan(0);
    expect(rateLimited()).toBe(0);
    expect(org.peak).toBe(ORG_LIMIT);
  }, 60_000);

  it("falls back to a share per replica while Redis is down, and shares again once it is back", async () => {
    org.reset();
    const names = [...replicas.keys()];
    let stoppedAt = 0;
    let restartedAt = 0;
    const during: Array<{ limit: number; fallback: number; readyz: Record<string, unknown> }> = [];
    const outcomes = await drive(records(300), 60, async () => {
      await until(() => org.calls.length >= 30);
      await redis.server!.stop();
      stoppedAt = performance.now();
      // Each replica notices, and keeps to its share of the budget.
      await until(async () => (await readiness(names[0]!)).callBudget === "fallback");
      await sleep(2_000);
      for (const name of names) {
        during.push({
          limit: await metric(name, "bigin_call_budget_limit"),
          fallback: await metric(name, "bigin_call_budget_fallback"),
          readyz: await readiness(name),
        });
      }
      await redis.server!.restart();
      restartedAt = performance.now();
    });
    const shares = during.reduce((sum, d) => sum + d.limit, 0);
    // Once the calls started under the shared budget have ended, the shares are what runs.
    const whileDown = concurrencyBetween(org.calls, stoppedAt + 2 * LATENCY_MS, restartedAt);
    console.info(
      `scale: Redis down for ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s: fallback limits ${during.map((d) => d.limit).join(" + ")} = ${shares}, ` +
        `up to ${whileDown} calls at once while down; peak ${org.peak}, 429s ${rateLimited()} (retried)`,
    );
    expect(failures(outcomes)).toEqual([]);
    for (const d of during) {
      expect(d.fallback).toBe(1);
      expect(d.readyz).toMatchObject({ status: "ready", redis: "down", callBudget: "fallback" });
    }
    expect(shares).toBeLessThanOrEqual(ORG_LIMIT);
    expect(whileDown).toBeLessThanOrEqual(shares);
    for (const name of names) {
      const logs = replicas.get(name)!.logs.join("\n");
      expect(logs.match(/Redis is unreachable: this process makes at most/g)).toHaveLength(1);
    }
    // Back to the shared budget: every replica says so once it has settled.
    for (const name of names) {
      await until(async () => (await readiness(name)).callBudget === "shared");
    }
    org.reset();
    const after = await drive(records(60), 60);
    expect(failures(after)).toEqual([]);
    expect(rateLimited()).toBe(0);
    expect(org.peak).toBe(ORG_LIMIT);
  }, 60_000);
});
