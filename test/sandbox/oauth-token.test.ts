import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  DEMO_IDS,
  DEMO_OAUTH_CLIENT,
  type Sandbox,
  startSandbox,
} from "../../src/sandbox/index.js";
import { expectBiginError, listAttachments, read } from "./helpers.js";

const READ_ONLY_REFRESH = "1000.read-only-refresh-token";
const THROTTLED_REFRESH = "1000.throttled-refresh-token";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    accessTokenTtlSeconds: 1,
    oauthThrottle: { limit: 100, windowMs: 600_000 },
    oauthClients: [
      {
        clientId: "1000.TESTCLIENT",
        clientSecret: "test-secret",
        refreshTokens: {
          [READ_ONLY_REFRESH]: [
            "ZohoBigin.modules.contacts.READ",
            "ZohoBigin.modules.attachments.READ",
          ],
          [THROTTLED_REFRESH]: ["ZohoBigin.modules.ALL"],
        },
      },
    ],
  });
});
afterAll(() => sandbox.close());

const demoParams = {
  grant_type: "refresh_token",
  client_id: DEMO_OAUTH_CLIENT.clientId,
  client_secret: DEMO_OAUTH_CLIENT.clientSecret,
  refresh_token: DEMO_OAUTH_CLIENT.refreshToken,
};

/** POST /oauth/v2/token with a form body (or, with `inQuery`, the query string). */
async function tokenRequest(params: Record<string, string>, inQuery = false) {
  const url = new URL("/oauth/v2/token", sandbox.url);
  if (inQuery)
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return read(
    await fetch(url, {
      method: "POST",
      ...(!inQuery && {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(params).toString(),
      }),
    }),
  );
}

describe("POST /oauth/v2/token", () => {
  it("issues an access token the API accepts, with Zoho's success body", async () => {
    const answer = await tokenRequest(demoParams);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^1000\.\w+\.\w+$/),
      scope: "ZohoBigin.modules.ALL ZohoBigin.modules.attachments.ALL",
      api_domain: sandbox.url,
      token_type: "Bearer",
      expires_in: 1,
    });
    const list = await listAttachments(
      sandbox,
      "Contacts",
      DEMO_IDS.contact,
      { fields: "id" },
      {
        token: answer.body.access_token,
      },
    );
    expect(list.status).toBe(200);
  });

  it("accepts the parameters in the query string too", async () => {
    const answer = await tokenRequest(demoParams, true);
    expect(answer.body.access_token).toEqual(expect.any(String));
  });

  it("counts token requests of any outcome", async () => {
    const before = sandbox.tokenRequests;
    await tokenRequest(demoParams);
    await tokenRequest({ ...demoParams, client_secret: "wrong" });
    expect(sandbox.tokenRequests).toBe(before + 2);
  });

  it("gives issued tokens the refresh token's scopes", async () => {
    const answer = await tokenRequest({
      ...demoParams,
      client_id: "1000.TESTCLIENT",
      client_secret: "test-secret",
      refresh_token: READ_ONLY_REFRESH,
    });
    const token = answer.body.access_token as string;
    const contacts = await listAttachments(
      sandbox,
      "Contacts",
      DEMO_IDS.contact,
      {
        fields: "id",
      },
      { token },
    );
    expect(contacts.status).toBe(200);
    const pipelines = await listAttachments(
      sandbox,
      "Pipelines",
      DEMO_IDS.pipeline,
      {
        fields: "id",
      },
      { token },
    );
    expectBiginError(pipelines, 401, "OAUTH_SCOPE_MISMATCH");
  });

  it("lets issued tokens expire after expires_in", async () => {
    const answer = await tokenRequest(demoParams);
    await sleep(1_100);
    const list = await listAttachments(
      sandbox,
      "Contacts",
      DEMO_IDS.contact,
      { fields: "id" },
      {
        token: answer.body.access_token,
      },
    );
    expectBiginError(list, 401, "INVALID_TOKEN");
  });

  it("answers a bad refresh token with HTTP 200 and invalid_code", async () => {
    const answer = await tokenRequest({ ...demoParams, refresh_token: "1000.revoked" });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ error: "invalid_code" });
  });

  it("answers an unknown client or a wrong secret with HTTP 200 and invalid_client", async () => {
    for (const params of [
      { ...demoParams, client_id: "1000.UNKNOWN" },
      { ...demoParams, client_secret: "wrong" },
      // A refresh token of another client does not work with this one.
      { ...demoParams, client_id: "1000.TESTCLIENT" },
    ]) {
      const answer = await tokenRequest(params);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ error: "invalid_client" });
    }
  });

  it("answers other grant types with unsupported_grant_type", async () => {
    const answer = await tokenRequest({ ...demoParams, grant_type: "authorization_code" });
    expect(answer.body).toEqual({ error: "unsupported_grant_type" });
  });

  it("throttles new access tokens per refresh token, as Zoho does", async () => {
    const throttled = await startSandbox({
      oauthThrottle: { limit: 3, windowMs: 600_000 },
      oauthClients: [
        {
          clientId: "1000.TESTCLIENT",
          clientSecret: "test-secret",
          refreshTokens: { [THROTTLED_REFRESH]: ["ZohoBigin.modules.ALL"] },
        },
      ],
    });
    const tokenRequest = (params: Record<string, string>) =>
      fetch(new URL("/oauth/v2/token", throttled.url), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(params).toString(),
      }).then(read);
    onTestFinished(() => throttled.close());
    const params = {
      grant_type: "refresh_token",
      client_id: "1000.TESTCLIENT",
      client_secret: "test-secret",
      refresh_token: THROTTLED_REFRESH,
    };
    for (let i = 0; i < 3; i += 1) {
      expect((await tokenRequest(params)).body.access_token).toEqual(expect.any(String));
    }
    const refused = await tokenRequest(params);
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({
      error: "Access Denied",
      error_description:
        "You have made too many requests continuously. Please try again after some time.",
    });
    // Another refresh token is not affected.
    expect((await tokenRequest(demoParams)).body.access_token).toEqual(expect.any(String));
  });
});
