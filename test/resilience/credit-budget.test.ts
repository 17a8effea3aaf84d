import { afterEach, describe, expect, it } from "vitest";
import { DEMO_IDS } from "../../src/sandbox/index.js";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { logCapture } from "../helpers/refresh-stack.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const names = (s: Stack, id: string = IDS.rich) =>
  s.gql(AttachmentNamesDocument, { module: "Contacts", id });

async function metric(s: Stack, name: string): Promise<number> {
  const text = await (await fetch(`${s.server.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

describe("Bigin credits (one process, no Redis)", () => {
  it("counts the credits every answered call spent, per operation and over 24 hours", async () => {
    stack = await startStack();
    await names(stack);
    await names(stack, IDS.empty);
    // A call that never got an answer costs nothing.
    stack.sandbox.faults.add({ reset: true, times: 1 });
    await names(stack, IDS.many);
    const text = await (await fetch(`${stack.server.url}/metrics`)).text();
    expect(text).toContain('bigin_credits_spent_total{operation="GET /:module/:id/Attachments"} 2');
    expect(await metric(stack, "bigin_credits_used_24h")).toBe(2);
    expect(await metric(stack, "bigin_call_budget_limit")).toBe(5);
    expect(await metric(stack, "bigin_call_budget_fallback")).toBe(0);
  });

  it("refuses calls with RATE_LIMITED once BIGIN_DAILY_CREDIT_BUDGET is spent, before Bigin is asked", async () => {
    const logs = logCapture();
    stack = await startStack({ BIGIN_DAILY_CREDIT_BUDGET: "2", LOG_LEVEL: "warn" }, {}, logs);
    expect((await names(stack)).body.errors).toBeUndefined();
    expect(logs.text()).not.toContain("BIGIN_DAILY_CREDIT_BUDGET");
    expect((await names(stack, IDS.empty)).body.errors).toBeUndefined();
    expect(logs.text()).toContain("100 % of BIGIN_DAILY_CREDIT_BUDGET used by this process");
    const { body } = await names(stack, IDS.many);
    expect(body.errors![0]!.message).toMatch(
      /^The daily Bigin credit budget is spent: 2 of 2 credits \(BIGIN_DAILY_CREDIT_BUDGET\) used in the last 24 hours; calls resume in about \d+ s$/,
    );
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "RATE_LIMITED",
      retryable: true,
      reason: "daily-credits",
      retryAfterSeconds: expect.any(Number),
    });
    expect(body.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(23 * 3600);
    // Downloads too: 429 with the same message.
    const download = await fetch(
      `${stack.server.url}/files/Contacts/${IDS.rich}/attachments/${DEMO_IDS.attachments.contactPng}`,
      { headers: { authorization: `Zoho-oauthtoken ${DEMO_TOKEN}` } },
    );
    expect(download.status).toBe(429);
    expect(await download.json()).toMatchObject({
      code: "RATE_LIMITED",
      message: expect.stringContaining("BIGIN_DAILY_CREDIT_BUDGET"),
    });
    expect(stack.calls().filter((c) => c.path.startsWith("/bigin/"))).toHaveLength(2);
  });
});
