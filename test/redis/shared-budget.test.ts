import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { LEASE_TTL_MS } from "../../src/bigin/budget/shared-call-budget.js";
import { createLogger } from "../../src/logger.js";
import { connectRedis } from "../../src/redis.js";
import { DEMO_IDS } from "../../src/sandbox/index.js";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startRedis } from "../helpers/redis.js";
import { logCapture } from "../helpers/refresh-stack.js";
import { startReplicas, type Replicas } from "../helpers/replicas.js";
import { DEMO_TOKEN } from "../helpers/stack.js";

const redis = await startRedis();
let replicas: Replicas | undefined;
afterEach(async () => {
  await replicas?.close();
  replicas = undefined;
});
afterAll(() => redis.server?.stop());
// Credits are counted for the whole deployment: each test starts from none.
beforeEach(async () => {
  if (redis.skip) return;
  const connection = connectRedis(redis.server!.url, createLogger("silent"));
  await connection.ready(5_000);
  await connection.client.flushall();
  await connection.close();
});

const names = (r: Replicas, index: number, id: string = IDS.rich) =>
  r.gql(index, AttachmentNamesDocument, { module: "Contacts", id });

const lists = (r: Replicas) => r.biginCalls().filter((call) => call.path.endsWith("/Attachments"));

async function metric(r: Replicas, index: number, name: string): Promise<number> {
  const text = await (await fetch(`${r.servers[index]!.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

const readiness = async (r: Replicas, index: number) =>
  (await fetch(`${r.servers[index]!.url}/readyz`)).json() as Promise<Record<string, unknown>>;

async function until(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${String(check)}`);
    await sleep(50);
  }
}

describe.skipIf(redis.skip !== undefined)("replicas sharing the call budget through Redis", () => {
  it("pauses every replica after a 429 one of them saw, without asking Bigin", async () => {
    replicas = await startReplicas(2, { REDIS_URL: redis.server!.url, BIGIN_RETRIES: "2" });
    replicas.sandbox.faults.rateLimit({ retryAfter: 60, times: 1 });
    const first = await names(replicas, 0);
    expect(first.body.errors![0]!.extensions).toMatchObject({
      code: "RATE_LIMITED",
      retryAfterSeconds: 60,
    });
    const second = await names(replicas, 1, IDS.empty);
    expect(second.body.errors![0]!.extensions).toMatchObject({
      code: "RATE_LIMITED",
      retryable: true,
      reason: "backoff",
    });
    expect(second.body.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(55);
    expect(second.body.errors![0]!.message).toContain("paused");
    expect(lists(replicas)).toHaveLength(1);
  });

  it("makes calls after a short 429 wait for the back-off on every replica", async () => {
    replicas = await startReplicas(2, { REDIS_URL: redis.server!.url, BIGIN_RETRIES: "2" });
    replicas.sandbox.faults.rateLimit({ retryAfter: 1, times: 1 });
    const [first, second] = await Promise.all([
      names(replicas, 0),
      sleep(200).then(() => names(replicas!, 1, IDS.empty)),
    ]);
    expect(first.body.errors).toBeUndefined();
    expect(second.body.errors).toBeUndefined();
    const [limited, ...after] = lists(replicas);
    expect(limited!.status).toBe(429);
    // Neither replica called Bigin during the second Retry-After asked for.
    for (const call of after) expect(call.startedAt - limited!.startedAt).toBeGreaterThan(950);
  });

  it("holds the slot of a streamed download (and renews its lease) until the body has ended", async () => {
    replicas = await startReplicas(2, { REDIS_URL: redis.server!.url, BIGIN_CONCURRENCY: "1" });
    // Slower than a lease lives: only renewals keep it.
    const bodyMs = LEASE_TTL_MS + 1_000;
    replicas.sandbox.faults.add({ path: "/Attachments/", slowBodyMs: bodyMs, times: 1 });
    const download = fetch(
      `${replicas.servers[0]!.url}/files/Contacts/${IDS.rich}/attachments/${DEMO_IDS.attachments.contactPdf}`,
      { headers: { authorization: `Zoho-oauthtoken ${DEMO_TOKEN}` } },
    ).then((response) => response.arrayBuffer());
    await until(() => replicas!.biginCalls().length === 1);
    const listed = await names(replicas, 1);
    await download;
    expect(listed.body.errors).toBeUndefined();
    const [downloaded, list] = replicas.biginCalls();
    expect(list!.startedAt).toBeGreaterThanOrEqual(downloaded!.endedAt!);
    expect(list!.startedAt - downloaded!.startedAt).toBeGreaterThan(bodyMs - 200);
  });

  it("counts the deployment's credits and refuses calls past BIGIN_DAILY_CREDIT_BUDGET on every replica", async () => {
    const logs = logCapture();
    replicas = await startReplicas(
      2,
      { REDIS_URL: redis.server!.url, BIGIN_DAILY_CREDIT_BUDGET: "3", LOG_LEVEL: "warn" },
      {},
      logs,
    );
    expect((await names(replicas, 0)).body.errors).toBeUndefined();
    expect((await names(replicas, 1, IDS.empty)).body.errors).toBeUndefined();
    // Each replica learns the deployment's total (every heartbeat at the latest).
    await until(async () => (await metric(replicas!, 0, "bigin_credits_used_24h")) === 2);
    expect(await metric(replicas, 0, "bigin_credits_spent_total")).toBe(1);
    expect(logs.text()).not.toContain("BIGIN_DAILY_CREDIT_BUDGET");
    expect((await names(replicas, 0, IDS.many)).body.errors).toBeUndefined();
    await until(() => logs.text().includes("BIGIN_DAILY_CREDIT_BUDGET is spent by the deployment"));
    expect(logs.text()).toContain("100 % of BIGIN_DAILY_CREDIT_BUDGET used by the deployment");
    const refused = await names(replicas, 1);
    expect(refused.body.errors![0]!.extensions).toMatchObject({
      code: "RATE_LIMITED",
      reason: "daily-credits",
    });
    expect(refused.body.errors![0]!.message).toContain("3 of 3 credits");
    expect(lists(replicas)).toHaveLength(3);
  });

  it("reports the shared budget and its fallback on /readyz and /metrics", async () => {
    replicas = await startReplicas(2, { REDIS_URL: redis.server!.url, BIGIN_CONCURRENCY: "6" });
    expect(await readiness(replicas, 0)).toMatchObject({
      status: "ready",
      redis: "ok",
      callBudget: "shared",
    });
    expect(await metric(replicas, 0, "bigin_call_budget_limit")).toBe(6);
    expect(await metric(replicas, 0, "bigin_call_budget_fallback")).toBe(0);
    await names(replicas, 0);
    expect(await metric(replicas, 0, "bigin_call_budget_redis_round_trips_total")).toBeGreaterThan(
      0,
    );

    // Both replicas have seen each other (every heartbeat): each takes half while Redis is down.
    await sleep(1_200);
    await redis.server!.stop();
    await until(async () => (await readiness(replicas!, 0)).callBudget === "fallback");
    expect(await readiness(replicas, 0)).toMatchObject({ status: "ready", redis: "down" });
    expect(await metric(replicas, 0, "bigin_call_budget_fallback")).toBe(1);
    expect(await metric(replicas, 0, "bigin_call_budget_limit")).toBe(3);
    expect((await names(replicas, 0, IDS.empty)).body.errors).toBeUndefined();

    await redis.server!.restart();
    await until(async () => (await readiness(replicas!, 0)).callBudget === "shared", 20_000);
    expect(await metric(replicas, 0, "bigin_call_budget_limit")).toBe(6);
    expect(await metric(replicas, 0, "bigin_call_budget_fallback")).toBe(0);
  }, 40_000);
});
