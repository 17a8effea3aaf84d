import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDS, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { expectBiginError, listAttachments, read } from "./helpers.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterEach(() => {
  sandbox.faults.clear();
  sandbox.resetStats();
});
afterAll(() => sandbox.close());

const JOHN = DEMO_IDS.contact;
const control = (path: string, init: RequestInit = {}) =>
  fetch(`${sandbox.url}/__sandbox${path}`, init).then(read);
const postFault = (rule: unknown) =>
  control("/faults", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(rule),
  });

describe("request log", () => {
  it("records method, path, decoded query, authorization, status and timings in arrival order", async () => {
    await listAttachments(sandbox, "Contacts", JOHN, { fields: "File_Name,$type", per_page: 5 });
    await listAttachments(sandbox, "Nope", JOHN, { fields: "id" }, { token: null });
    expect(sandbox.requests).toHaveLength(2);
    const [first, second] = sandbox.requests;
    expect(first).toMatchObject({
      method: "GET",
      path: `/bigin/v2/Contacts/${JOHN}/Attachments`,
      query: { fields: "File_Name,$type", per_page: "5" },
      authorization: "Zoho-oauthtoken sandbox-demo-token",
      status: 200,
    });
    expect(first?.endedAt).toBeGreaterThanOrEqual(first?.startedAt ?? Infinity);
    expect(second).toMatchObject({ path: `/bigin/v2/Nope/${JOHN}/Attachments`, status: 400 });
    expect(second?.authorization).toBeUndefined();
    expect(second?.startedAt).toBeGreaterThanOrEqual(first?.startedAt ?? Infinity);
  });

  it("records 204 answers", async () => {
    await listAttachments(sandbox, "Contacts", DEMO_IDS.contactWithoutAttachments, {
      fields: "id",
    });
    expect(sandbox.requests[0]?.status).toBe(204);
  });

  it("tracks the peak of concurrent requests until resetStats()", async () => {
    sandbox.faults.add({ latencyMs: 100 });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => listAttachments(sandbox, "Contacts", JOHN, { fields: "id" })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(sandbox.peakInFlight).toBe(5);
    expect(sandbox.inFlight).toBe(0);
    sandbox.resetStats();
    expect(sandbox.peakInFlight).toBe(0);
    expect(sandbox.requests).toHaveLength(0);
    await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" });
    expect(sandbox.peakInFlight).toBe(1);
  });
});

describe("maxConcurrency", () => {
  it("answers requests beyond the limit in flight with 429 TOO_MANY_REQUESTS", async () => {
    const limited = await startSandbox({ maxConcurrency: 2 });
    try {
      limited.faults.add({ latencyMs: 100 });
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          listAttachments(limited, "Contacts", JOHN, { fields: "id" }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 200, 429, 429]);
      for (const answer of answers.filter((a) => a.status === 429)) {
        expectBiginError(answer, 429, "TOO_MANY_REQUESTS");
      }
      // Once the others finished, there is room again.
      expect((await listAttachments(limited, "Contacts", JOHN, { fields: "id" })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("refuses a maxConcurrency that is not a positive integer", async () => {
    await expect(startSandbox({ maxConcurrency: 0 })).rejects.toThrow(/maxConcurrency/);
  });
});

describe("control endpoints (/__sandbox)", () => {
  it("GET /requests returns the log, without the control calls", async () => {
    await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" });
    await control("/stats");
    const answer = await control("/requests");
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(1);
    expect(answer.body[0]).toMatchObject({ method: "GET", status: 200, query: { fields: "id" } });
  });

  it("DELETE /requests resets the stats", async () => {
    await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" });
    expect((await control("/requests", { method: "DELETE" })).status).toBe(204);
    expect(sandbox.requests).toHaveLength(0);
    expect(sandbox.peakInFlight).toBe(0);
  });

  it("GET /stats reports inFlight, peakInFlight and the request count", async () => {
    await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" });
    await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" });
    expect((await control("/stats")).body).toEqual({ inFlight: 0, peakInFlight: 1, requests: 2 });
  });

  it("POST /faults adds a rule with a string path", async () => {
    const added = await postFault({
      path: "/Contacts/",
      status: 500,
      body: { code: "X" },
      times: 1,
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ id: expect.any(Number) });
    expect((await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" })).status).toBe(500);
    expect((await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" })).status).toBe(200);
  });

  it('POST /faults takes a RegExp path as {"pathRegex": "..."}', async () => {
    expect(
      (await postFault({ path: { pathRegex: "^/bigin/v2/Notes/" }, status: 418 })).status,
    ).toBe(201);
    expect((await postFault({ pathRegex: "/Tasks/\\d+/", status: 419 })).status).toBe(201);
    expect((await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" })).status).toBe(200);
    expect((await listAttachments(sandbox, "Notes", DEMO_IDS.note, { fields: "id" })).status).toBe(
      418,
    );
    expect((await listAttachments(sandbox, "Tasks", DEMO_IDS.task, { fields: "id" })).status).toBe(
      419,
    );
  });

  it("POST /faults takes latency, hang, reset and Retry-After headers too", async () => {
    await postFault({
      times: 1,
      status: 429,
      headers: { "Retry-After": "2" },
      body: { code: "TOO_MANY_REQUESTS" },
    });
    const answer = await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("2");
    await postFault({ times: 1, reset: true });
    await expect(listAttachments(sandbox, "Contacts", JOHN, { fields: "id" })).rejects.toThrow();
  });

  it("POST /faults refuses a malformed rule with 400", async () => {
    for (const body of [
      "not json",
      "[]",
      JSON.stringify({ latencyMs: "slow" }),
      JSON.stringify({ path: 3 }),
    ]) {
      const answer = await control("/faults", { method: "POST", body });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/invalid fault rule/);
    }
  });

  it("DELETE /faults clears every rule; DELETE /faults/{id} removes one", async () => {
    const { body } = await postFault({ status: 500 });
    await postFault({ status: 503 });
    expect((await control(`/faults/${body.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await control(`/faults/${body.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" })).status).toBe(503);
    expect((await control("/faults", { method: "DELETE" })).status).toBe(204);
    expect((await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" })).status).toBe(200);
  });

  it("answers unknown control paths with 404 and wrong methods with 405", async () => {
    expect((await control("/nope")).status).toBe(404);
    expect((await control("/stats", { method: "POST" })).status).toBe(405);
    expect(sandbox.requests).toHaveLength(0);
  });
});
