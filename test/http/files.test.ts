import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_IDS } from "../../src/sandbox/index.js";
import { IDS } from "../helpers/ids.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const A = DEMO_IDS.attachments;
const auth = { authorization: `Zoho-oauthtoken ${DEMO_TOKEN}` };
const get = (path: string, headers: Record<string, string> = auth, signal?: AbortSignal) =>
  fetch(`${stack.server.url}${path}`, { headers, ...(signal && { signal }) });

describe("GET /files/...", () => {
  it("streams an attachment with the Authorization header, names intact", async () => {
    const response = await get(`/files/Contacts/${IDS.rich}/attachments/${A.contactPng}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-length")).toBe("412876");
    expect(response.headers.get("content-disposition")).toBe(
      "attachment; filename=Signed_Form_Scan.png",
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBe("sandbox");
    expect((await response.arrayBuffer()).byteLength).toBe(412_876);
    expect(stack.calls()).toHaveLength(1);
  });

  it("answers HEAD with the headers alone", async () => {
    const response = await fetch(
      `${stack.server.url}/files/Contacts/${IDS.rich}/attachments/${A.contactPng}`,
      { method: "HEAD", headers: auth },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-length")).toBe("412876");
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    expect(stack.calls()).toHaveLength(1);
  });

  it("answers 404 for Bigin's 204 (no such attachment, no photo)", async () => {
    const attachment = await get(`/files/Contacts/${IDS.rich}/attachments/2034020000000999999`);
    expect(attachment.status).toBe(404);
    expect(await attachment.json()).toEqual({ code: "NOT_FOUND", message: expect.any(String) });
    const photo = await get(`/files/Contacts/${IDS.empty}/photo`);
    expect(photo.status).toBe(404);
  });

  it("answers JSON errors with the status of the error code", async () => {
    const link = await get(`/files/Contacts/${IDS.rich}/attachments/${A.contactLink}`);
    expect(link.status).toBe(400);
    expect(await link.json()).toMatchObject({
      code: "BAD_USER_INPUT",
      message: expect.stringContaining("DOWNLOAD_NOT_ALLOWED"),
    });
    // Neither a header nor a signed link.
    const anonymous = await get(`/files/Contacts/${IDS.rich}/attachments/${A.contactPdf}`, {});
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toMatchObject({ code: "FORBIDDEN" });
    const badToken = await get(`/files/Contacts/${IDS.rich}/photo`, {
      authorization: "Zoho-oauthtoken nope",
    });
    expect(badToken.status).toBe(401);
    const badId = await get(`/files/Contacts/12ab/photo`);
    expect(badId.status).toBe(400);
    const noPhotos = await get(`/files/Tasks/${IDS.byModule.Tasks}/photo`);
    expect(noPhotos.status).toBe(404);
    stack.sandbox.faults.error(429, "TOO_MANY_REQUESTS", { times: 1 });
    const limited = await get(`/files/Contacts/${IDS.rich}/photo`);
    expect(limited.status).toBe(429);
    // Unauthenticated and locally refused requests never reached Bigin.
    expect(stack.calls().map((c) => c.path)).not.toContain(
      `/bigin/v2/Tasks/${IDS.byModule.Tasks}/photo`,
    );
  });

  it("aborts the upstream request when the client goes away", async () => {
    stack.sandbox.faults.add({ path: "/Attachments/", slowBodyMs: 20_000 });
    const controller = new AbortController();
    const response = get(
      `/files/Contacts/${IDS.rich}/attachments/${A.contactJpeg}`,
      auth,
      controller.signal,
    );
    await expect.poll(() => stack.sandbox.inFlight, { timeout: 5_000 }).toBe(1);
    controller.abort();
    await expect(response).rejects.toThrow();
    await expect.poll(() => stack.calls()[0]?.endedAt, { timeout: 5_000 }).toBeDefined();
    expect(stack.sandbox.inFlight).toBe(0);
  });
});

describe("GET /files/... against a slow Bigin", () => {
  let slow: Stack;
  beforeAll(async () => {
    slow = await startStack({ BIGIN_TIMEOUT_MS: "400" });
  });
  afterAll(() => slow.close());

  it("gives up on a body that stalls past BIGIN_TIMEOUT_MS and cancels the Bigin request", async () => {
    slow.sandbox.faults.add({ path: "/photo", slowBodyMs: 10_000 });
    const started = Date.now();
    await expect(
      fetch(`${slow.server.url}/files/Contacts/${IDS.rich}/photo`, { headers: auth }).then((r) =>
        r.arrayBuffer(),
      ),
    ).rejects.toThrow();
    // Well before the sandbox would have sent the rest of the body.
    expect(Date.now() - started).toBeLessThan(8_000);
    await expect.poll(() => slow.sandbox.inFlight, { timeout: 5_000 }).toBe(0);
  });
});
