import type { IncomingMessage } from "node:http";
import { jsonResponse } from "../respond.js";
import type { RouteHandler } from "../router.js";

const MAX_BODY_BYTES = 64 * 1024;

/** A form body (`application/x-www-form-urlencoded`); anything else reads as no parameters. */
async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk);
  }
  const type = req.headers["content-type"] ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) return {};
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString("utf8"))) {
    form[name] ??= value;
  }
  return form;
}

/**
 * `POST {accounts}/oauth/v2/token` with `grant_type=refresh_token` (bigin-api.md §8), parameters
 * in a form body or the query string. Like Zoho, it answers its errors with HTTP 200 and
 * `{"error": ...}`; issued access tokens join the sandbox's token table and expire.
 */
export const oauthToken: RouteHandler = {
  async handle(ctx) {
    const oauth = ctx.state.oauth;
    if (oauth === undefined) return jsonResponse(200, { error: "invalid_client" });
    const params = { ...ctx.query, ...(await readForm(ctx.req)) };
    const now = ctx.state.now();
    const grant = oauth.server.grant(params, now);
    if (!grant.ok) return jsonResponse(200, grant.body);
    ctx.state.tokens.set(grant.accessToken, grant.scopes, grant.expiresAt);
    oauth.onTokenIssued?.(grant.accessToken, grant.scopes, grant.expiresAt);
    return jsonResponse(200, {
      access_token: grant.accessToken,
      scope: grant.scopes.join(" "),
      api_domain: oauth.apiDomain(),
      token_type: "Bearer",
      expires_in: grant.expiresInSeconds,
    });
  },
};
