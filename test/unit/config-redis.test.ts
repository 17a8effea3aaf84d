import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { configProblems as problems } from "../helpers/config.js";

describe("loadConfig: Redis and the attachment cache", () => {
  it("has no Redis and no cache unless asked", () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: undefined, attachmentCacheTtlSeconds: 0 });
  });

  it("reads REDIS_URL and ATTACHMENT_CACHE_TTL_SECONDS", () => {
    expect(
      loadConfig({
        REDIS_URL: "rediss://:pw@cache.internal:6380/2",
        ATTACHMENT_CACHE_TTL_SECONDS: "30",
      }),
    ).toMatchObject({
      redisUrl: "rediss://:pw@cache.internal:6380/2",
      attachmentCacheTtlSeconds: 30,
    });
  });

  it("refuses a REDIS_URL that is not redis:// or rediss://, without echoing it", () => {
    const message = problems({ REDIS_URL: "http://user:s3cret@cache:6379" });
    expect(message).toContain("REDIS_URL: expected a redis:// or rediss:// URL");
    expect(message).not.toContain("s3cret");
    expect(problems({ REDIS_URL: "redis://" })).toContain("REDIS_URL");
  });

  it("refuses an ATTACHMENT_CACHE_TTL_SECONDS that is not 0 to 86400", () => {
    for (const value of ["-1", "1.5", "ten", "86401"]) {
      expect(problems({ ATTACHMENT_CACHE_TTL_SECONDS: value })).toContain(
        `ATTACHMENT_CACHE_TTL_SECONDS=${JSON.stringify(value)}: expected a whole number from 0 to 86400`,
      );
    }
  });
});
