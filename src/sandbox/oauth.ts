import { randomBytes } from "node:crypto";

/** An OAuth client the sandbox's token endpoint knows, with the refresh tokens issued to it. */
export interface SandboxOAuthClient {
  clientId: string;
  clientSecret: string;
  /** Refresh token → the scopes of the access tokens it yields. */
  refreshTokens: Readonly<Record<string, readonly string[]>>;
}

/** The demo client every sandbox knows; the README's refresh-token example uses it. */
export const DEMO_OAUTH_CLIENT = {
  clientId: "1000.SANDBOXDEMOCLIENT",
  clientSecret: "sandbox-demo-client-secret",
  refreshToken: "1000.sandbox-demo-refresh-token",
} as const;

export const DEFAULT_OAUTH_CLIENTS: readonly SandboxOAuthClient[] = [
  {
    clientId: DEMO_OAUTH_CLIENT.clientId,
    clientSecret: DEMO_OAUTH_CLIENT.clientSecret,
    refreshTokens: {
      [DEMO_OAUTH_CLIENT.refreshToken]: [
        "ZohoBigin.modules.ALL",
        "ZohoBigin.modules.attachments.ALL",
      ],
    },
  },
];

/** Zoho's throttle: at most `limit` new access tokens per refresh token per `windowMs`. */
export interface OAuthThrottle {
  limit: number;
  windowMs: number;
}

export const ZOHO_TOKEN_THROTTLE: OAuthThrottle = { limit: 10, windowMs: 10 * 60 * 1000 };

/** The answer of `POST /oauth/v2/token`: Zoho sends its errors with HTTP 200 too. */
export type TokenGrant =
  | {
      ok: true;
      accessToken: string;
      scopes: readonly string[];
      expiresInSeconds: number;
      expiresAt: number;
    }
  | { ok: false; body: Record<string, string> };

/** The sandbox's accounts server: clients, refresh tokens, the throttle and a request counter. */
export class SandboxOAuth {
  private readonly clients = new Map<string, SandboxOAuthClient>();
  private readonly issued = new Map<string, number[]>();
  /** Token requests received (any outcome). */
  requests = 0;

  constructor(
    clients: readonly SandboxOAuthClient[],
    readonly accessTokenTtlSeconds: number,
    readonly throttle: OAuthThrottle,
  ) {
    for (const client of clients) this.clients.set(client.clientId, client);
  }

  /** `grant_type=refresh_token`: a new access token, or Zoho's error body. */
  grant(params: Readonly<Record<string, string>>, now: number): TokenGrant {
    this.requests += 1;
    if (params.grant_type !== "refresh_token") {
      return { ok: false, body: { error: "unsupported_grant_type" } };
    }
    const client = this.clients.get(params.client_id ?? "");
    if (client === undefined || client.clientSecret !== params.client_secret) {
      return { ok: false, body: { error: "invalid_client" } };
    }
    const refreshToken = params.refresh_token ?? "";
    const scopes = Object.hasOwn(client.refreshTokens, refreshToken)
      ? client.refreshTokens[refreshToken]
      : undefined;
    if (scopes === undefined) return { ok: false, body: { error: "invalid_code" } };

    const key = `${client.clientId}\n${refreshToken}`;
    const recent = (this.issued.get(key) ?? []).filter((at) => now - at < this.throttle.windowMs);
    this.issued.set(key, recent);
    if (recent.length >= this.throttle.limit) {
      return {
        ok: false,
        body: {
          error: "Access Denied",
          error_description:
            "You have made too many requests continuously. Please try again after some time.",
        },
      };
    }
    recent.push(now);
    return {
      ok: true,
      accessToken: `1000.${randomBytes(16).toString("hex")}.${randomBytes(16).toString("hex")}`,
      scopes,
      expiresInSeconds: this.accessTokenTtlSeconds,
      expiresAt: now + this.accessTokenTtlSeconds * 1000,
    };
  }
}
