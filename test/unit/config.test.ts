import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

describe("loadConfig", () => {
  it("defaults to the embedded sandbox and design.md §7's values", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      upstream: { kind: "sandbox" },
      concurrency: 5,
      timeoutMs: 15_000,
      retries: 2,
      maxCallsPerOperation: 100,
      logLevel: "info",
      introspection: true,
      landingPage: "sandbox",
      oauth: undefined,
    });
  });

  it("picks both domains from BIGIN_DC", () => {
    expect(loadConfig({ BIGIN_DC: "eu" }).upstream).toEqual({
      kind: "bigin",
      dc: "eu",
      apiUrl: "https://www.zohoapis.eu",
      accountsUrl: "https://accounts.zoho.eu",
    });
  });

  it("lets BIGIN_API_URL and BIGIN_ACCOUNTS_URL override the data centre", () => {
    expect(
      loadConfig({
        BIGIN_DC: "in",
        BIGIN_API_URL: "http://127.0.0.1:9/",
        BIGIN_ACCOUNTS_URL: "http://127.0.0.1:8",
      }).upstream,
    ).toMatchObject({ apiUrl: "http://127.0.0.1:9", accountsUrl: "http://127.0.0.1:8" });
  });

  it("turns introspection and the landing page off in production", () => {
    expect(loadConfig({ NODE_ENV: "production" })).toMatchObject({
      introspection: false,
      landingPage: "off",
    });
    expect(
      loadConfig({ NODE_ENV: "production", GRAPHQL_INTROSPECTION: "true" }).introspection,
    ).toBe(true);
  });

  it("names every bad variable and what it accepts", () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: "http",
        BIGIN_DC: "mars",
        BIGIN_CONCURRENCY: "0",
        BIGIN_API_URL: "ftp://x",
        LOG_LEVEL: "loud",
        BIGIN_CLIENT_ID: "id",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT="http": expected a whole number from 0 to 65535');
    expect(message).toContain('BIGIN_DC="mars": expected one of us, eu, au, in, cn, jp, ca, sa');
    expect(message).toContain("BIGIN_CONCURRENCY");
    expect(message).toContain("BIGIN_API_URL");
    expect(message).toContain("LOG_LEVEL");
    expect(message).toContain("BIGIN_CLIENT_SECRET");
  });

  it("reads GRAPHQL_LANDING_PAGE: true, false or offline (GraphiQL only, even in production)", () => {
    expect(loadConfig({ GRAPHQL_LANDING_PAGE: "yes" }).landingPage).toBe("sandbox");
    expect(loadConfig({ GRAPHQL_LANDING_PAGE: "0" }).landingPage).toBe("off");
    expect(loadConfig({ GRAPHQL_LANDING_PAGE: "Offline" }).landingPage).toBe("offline");
    expect(
      loadConfig({ NODE_ENV: "production", GRAPHQL_LANDING_PAGE: "offline" }).landingPage,
    ).toBe("offline");
    expect(() => loadConfig({ GRAPHQL_LANDING_PAGE: "graphiql" })).toThrow(
      'GRAPHQL_LANDING_PAGE="graphiql": expected true, false or offline',
    );
    expect(() => loadConfig({ GRAPHQL_INTROSPECTION: "offline" })).toThrow(
      'GRAPHQL_INTROSPECTION="offline": expected true or false',
    );
  });

  it("reads AUTH_MODE, default either, and names it with the accepted values when bad", () => {
    expect(loadConfig({}).authMode).toBe("either");
    expect(loadConfig({ AUTH_MODE: "Passthrough" }).authMode).toBe("passthrough");
    expect(() => loadConfig({ AUTH_MODE: "anyone" })).toThrow(
      'AUTH_MODE="anyone": expected one of passthrough, server, either',
    );
  });

  it("refuses AUTH_MODE=server without the server's credentials", () => {
    expect(() => loadConfig({ AUTH_MODE: "server" })).toThrow(
      /AUTH_MODE=server: needs BIGIN_CLIENT_ID, BIGIN_CLIENT_SECRET and BIGIN_REFRESH_TOKEN/,
    );
    const config = loadConfig({
      AUTH_MODE: "server",
      BIGIN_CLIENT_ID: "1000.ID",
      BIGIN_CLIENT_SECRET: "secret-value",
      BIGIN_REFRESH_TOKEN: "1000.refresh",
    });
    expect(config.oauth).toEqual({
      clientId: "1000.ID",
      clientSecret: "secret-value",
      refreshToken: "1000.refresh",
    });
  });

  it.each([
    ["us", "https://accounts.zoho.com", "https://www.zohoapis.com"],
    ["eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu"],
    ["au", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"],
    ["in", "https://accounts.zoho.in", "https://www.zohoapis.in"],
    ["cn", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"],
    ["jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp"],
    ["ca", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"],
    ["sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa"],
  ])("BIGIN_DC=%s picks %s and %s", (dc, accountsUrl, apiUrl) => {
    expect(loadConfig({ BIGIN_DC: dc.toUpperCase() }).upstream).toEqual({
      kind: "bigin",
      dc,
      apiUrl,
      accountsUrl,
    });
  });

  it("never echoes a secret it refuses", () => {
    expect(() => loadConfig({ DOWNLOAD_URL_SECRET: "short-secret" })).toThrow(
      /DOWNLOAD_URL_SECRET: expected at least 32/,
    );
    expect(() => loadConfig({ DOWNLOAD_URL_SECRET: "short-secret" })).not.toThrow(/short-secret/);
  });

  it("reads the attachment upload limit in MB, default Bigin's 100 MB", () => {
    expect(loadConfig({}).maxAttachmentBytes).toBe(100 * 1024 * 1024);
    expect(loadConfig({ BIGIN_MAX_ATTACHMENT_MB: "5" }).maxAttachmentBytes).toBe(5 * 1024 * 1024);
    expect(() => loadConfig({ BIGIN_MAX_ATTACHMENT_MB: "0" })).toThrow(/BIGIN_MAX_ATTACHMENT_MB/);
  });

  it("reads the request body bounds, default a 20 s pause and 1024 bytes/s", () => {
    expect(loadConfig({}).requestBody).toEqual({ idleTimeoutMs: 20_000, minBytesPerSecond: 1024 });
    expect(
      loadConfig({ REQUEST_IDLE_TIMEOUT_MS: "5000", REQUEST_MIN_BYTES_PER_SECOND: "0" })
        .requestBody,
    ).toEqual({ idleTimeoutMs: 5000, minBytesPerSecond: 0 });
    expect(() => loadConfig({ REQUEST_IDLE_TIMEOUT_MS: "0" })).toThrow(
      /REQUEST_IDLE_TIMEOUT_MS="0": expected a whole number from 100 to 600000/,
    );
    expect(() => loadConfig({ REQUEST_MIN_BYTES_PER_SECOND: "fast" })).toThrow(
      /REQUEST_MIN_BYTES_PER_SECOND="fast"/,
    );
  });

  it("never echoes the user-info or query string of a URL it refuses", () => {
    const refused = () =>
      loadConfig({ BIGIN_API_URL: "ftp://user:hunter2@host/?key=k3y", PUBLIC_URL: "pw:hunter2@x" });
    expect(refused).toThrow(/BIGIN_API_URL="ftp:\/\/\[redacted\]@host\/\?\[redacted\]"/);
    expect(refused).toThrow(/PUBLIC_URL="\[redacted\]@x"/);
    expect(refused).not.toThrow(/hunter2|k3y/);
  });

  it("refuses a BIGIN_API_URL with a user name or password, never echoing them", () => {
    const refused = () => loadConfig({ BIGIN_API_URL: "https://user:hunter2@proxy.example" });
    expect(refused).toThrow(
      /BIGIN_API_URL="https:\/\/\[redacted\]@proxy.example": expected no user name/,
    );
    expect(refused).not.toThrow(/hunter2/);
  });

  it("reads the list-item limit of an operation, refusing what is not a count", () => {
    expect(loadConfig({}).maxNodesPerOperation).toBe(5000);
    expect(loadConfig({ BIGIN_MAX_NODES_PER_OPERATION: "800" }).maxNodesPerOperation).toBe(800);
    expect(() => loadConfig({ BIGIN_MAX_NODES_PER_OPERATION: "0" })).toThrow(
      /BIGIN_MAX_NODES_PER_OPERATION="0": expected a whole number from 1 to 1000000/,
    );
  });
});
