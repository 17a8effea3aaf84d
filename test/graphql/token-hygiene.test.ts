import { print } from "graphql";
import { describe, expect, it } from "vitest";
import { DEMO_OAUTH_CLIENT } from "../../src/sandbox/index.js";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { logCapture, startRefreshStack } from "../helpers/refresh-stack.js";
import type { Stack } from "../helpers/stack.js";

const CALLER_TOKEN = "1000.caller-own-access-token-5f1c";
const WRONG_SECRET = "wrong-client-secret-9d2e";
const WRONG_REFRESH = "1000.wrong-refresh-token-77ab";
const query = print(AttachmentNamesDocument);

/** Every response of a test, raw: status line, headers and body. */
function recorder() {
  const responses: string[] = [];
  return {
    responses,
    async fetch(url: string, init: RequestInit = {}) {
      const response = await fetch(url, init);
      const text = await response.text();
      responses.push(
        `${response.status}\n${[...response.headers].map(([n, v]) => `${n}: ${v}`).join("\n")}\n${text}`,
      );
      return text;
    },
    gql(stack: Stack, authorization?: string, id: string = IDS.rich) {
      return this.fetch(`${stack.server.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(authorization !== undefined && { authorization }),
        },
        body: JSON.stringify({ query, variables: { module: "Contacts", id } }),
      });
    },
  };
}

describe("token hygiene", () => {
  it("never lets the client secret, the refresh token or an access token reach the log or a response", async () => {
    const logs = logCapture();
    const http = recorder();
    const issued: string[] = [];
    const onTokenIssued = (token: string) => issued.push(token);
    const tokens = {
      [CALLER_TOKEN]: ["ZohoBigin.modules.ALL", "ZohoBigin.modules.attachments.ALL"],
    };

    const good = await startRefreshStack({}, { tokens, onTokenIssued }, logs);
    try {
      // First requests (one refresh), a rejected token (refresh + retry), transport failures.
      await Promise.all(IDS.allWithAttachments.map(({ id }) => http.gql(good, undefined, id)));
      good.sandbox.faults.error(401, "INVALID_TOKEN", { times: 1, path: "/Attachments" });
      await http.gql(good);
      good.sandbox.faults.add({ path: "/Attachments", reset: true, times: 1 });
      await http.gql(good);
      good.sandbox.faults.add({ path: "/Attachments", malformed: true, times: 1 });
      await http.gql(good);
      // Callers' own tokens: valid, unknown, and in a malformed header.
      await http.gql(good, `Zoho-oauthtoken ${CALLER_TOKEN}`);
      await http.gql(good, `Bearer ${CALLER_TOKEN}x`);
      await http.gql(good, `Zoho-oauthtoken ${CALLER_TOKEN} extra`);
      await http.fetch(`${good.server.url}/readyz`);
      await http.fetch(`${good.server.url}/healthz`);
      await http.fetch(`${good.server.url}/metrics`);
    } finally {
      await good.close();
    }

    // Zoho refusing: a wrong secret, a wrong refresh token, an unreachable accounts server.
    for (const env of <Array<Record<string, string>>>[
      { BIGIN_CLIENT_SECRET: WRONG_SECRET },
      { BIGIN_REFRESH_TOKEN: WRONG_REFRESH },
      {},
    ]) {
      const bad = await startRefreshStack(env, { onTokenIssued }, logs);
      try {
        if (Object.keys(env).length === 0) {
          bad.sandbox.faults.add({ path: "/oauth/v2/token", reset: true });
        }
        await http.gql(bad);
        await http.gql(bad);
      } finally {
        await bad.close();
      }
    }

    const output = logs.text();
    // The checks below only mean something if the server did log and answer.
    expect(output).toContain("obtained a Bigin access token");
    expect(output).toContain('"msg":"Bigin call"');
    expect(output).toContain("backing off");
    expect(http.responses.length).toBeGreaterThan(15);
    expect(issued.length).toBeGreaterThanOrEqual(2);

    const secrets = [
      DEMO_OAUTH_CLIENT.clientSecret,
      DEMO_OAUTH_CLIENT.refreshToken,
      WRONG_SECRET,
      WRONG_REFRESH,
      CALLER_TOKEN,
      ...issued,
    ];
    const haystacks = { log: output, responses: http.responses.join("\n\n") };
    for (const secret of secrets) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect(text.includes(secret), `${where} holds ${secret.slice(0, 12)}…`).toBe(false);
      }
    }
  });
});
