import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { configProblems as problems } from "../helpers/config.js";
import { createCorsPolicy } from "../../src/http/cors-policy.js";

const OAUTH = {
  BIGIN_CLIENT_ID: "1000.ID",
  BIGIN_CLIENT_SECRET: "secret-value",
  BIGIN_REFRESH_TOKEN: "1000.refresh",
};

/** The origin option as `cors` and `@fastify/cors` get it. */
const originOption = (env: Record<string, string>) =>
  createCorsPolicy(loadConfig(env)).options.origin;

describe("loadConfig: CORS_ORIGINS", () => {
  it("is unset unless given", () => {
    expect(loadConfig({}).corsOrigins).toBeUndefined();
    expect(loadConfig({ CORS_ORIGINS: "  " }).corsOrigins).toBeUndefined();
  });

  it("reads * and lists of origins, normalised as browsers send them", () => {
    expect(loadConfig({ CORS_ORIGINS: "*" }).corsOrigins).toBe("*");
    expect(
      loadConfig({
        CORS_ORIGINS:
          "http://localhost:5173, HTTPS://App.Example.com:443/,https://studio.apollographql.com,capacitor://localhost,",
      }).corsOrigins,
    ).toEqual([
      "http://localhost:5173",
      "https://app.example.com",
      "https://studio.apollographql.com",
      "capacitor://localhost",
    ]);
  });

  it.each([
    ["localhost:5173", '"localhost:5173" is not an origin'],
    ["https://app.example.com/app", '"https://app.example.com/app" is not an origin'],
    ["https://app.example.com?x=1", "is not an origin"],
    ["https://user:pw@app.example.com", "is not an origin"],
    ["app.example.com", '"app.example.com" is not an origin'],
    ["*,https://app.example.com", "* stands alone"],
    [",", "expected * or comma-separated origins"],
  ])("stops start-up on CORS_ORIGINS=%s, naming the variable and the value", (value, what) => {
    const message = problems({ CORS_ORIGINS: value });
    expect(message).toContain(`CORS_ORIGINS=${JSON.stringify(value)}`);
    expect(message).toContain(what);
    expect(message).toContain("e.g. https://app.example.com,http://localhost:5173");
  });
});

describe("createCorsPolicy", () => {
  it("allows every origin by default when every caller brings a token", () => {
    expect(createCorsPolicy(loadConfig({}))).toMatchObject({
      origins: "*",
      defaulted: true,
      serverCredential: false,
    });
    expect(originOption({})).toBe("*");
  });

  it("allows no foreign origin by default with a server-held credential", () => {
    expect(createCorsPolicy(loadConfig(OAUTH))).toMatchObject({
      origins: [],
      defaulted: true,
      serverCredential: true,
    });
    // A list (empty), not false: the preflight is still answered, without an allowed origin.
    expect(originOption(OAUTH)).toEqual([]);
  });

  it("keeps the every-origin default when AUTH_MODE=passthrough leaves the credential unused", () => {
    expect(createCorsPolicy(loadConfig({ ...OAUTH, AUTH_MODE: "passthrough" })).origins).toBe("*");
  });

  it("follows CORS_ORIGINS whatever the credential", () => {
    const listed = { ...OAUTH, CORS_ORIGINS: "http://localhost:5173" };
    expect(createCorsPolicy(loadConfig(listed))).toMatchObject({
      origins: ["http://localhost:5173"],
      defaulted: false,
    });
    expect(originOption(listed)).toEqual(["http://localhost:5173"]);
    expect(createCorsPolicy(loadConfig({ ...OAUTH, CORS_ORIGINS: "*" })).origins).toBe("*");
  });

  it("allows the headers frontends send and exposes the ones they read, without credentials", () => {
    const { options } = createCorsPolicy(loadConfig({}));
    expect(options).toMatchObject({
      methods: ["GET", "POST"],
      allowedHeaders: [
        "authorization",
        "content-type",
        "apollo-require-preflight",
        "x-apollo-operation-name",
        "x-request-id",
        "apollographql-client-name",
        "apollographql-client-version",
      ],
      exposedHeaders: ["x-request-id", "content-disposition", "content-length", "retry-after"],
      credentials: false,
      optionsSuccessStatus: 204,
      preflightContinue: false,
    });
    expect(options.maxAge).toBeGreaterThan(0);
  });
});
