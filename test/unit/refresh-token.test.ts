import { describe, expect, it } from "vitest";
import { lifetimeSeconds } from "../../src/bigin/auth/refresh-token.js";

describe("lifetimeSeconds", () => {
  it("reads expires_in in seconds", () => {
    expect(lifetimeSeconds({ expires_in: 3600 })).toBe(3600);
    expect(lifetimeSeconds({ expires_in: "3600" })).toBe(3600);
  });

  it("prefers expires_in_sec, which older Zoho services send beside expires_in in ms", () => {
    expect(lifetimeSeconds({ expires_in: 3_600_000, expires_in_sec: 3600 })).toBe(3600);
  });

  it("reads an expires_in longer than a day as milliseconds", () => {
    expect(lifetimeSeconds({ expires_in: 3_600_000 })).toBe(3600);
  });

  it("assumes Zoho's hour when the answer names no lifetime", () => {
    expect(lifetimeSeconds({})).toBe(3600);
    expect(lifetimeSeconds({ expires_in: "soon" })).toBe(3600);
    expect(lifetimeSeconds({ expires_in: -5 })).toBe(3600);
  });
});
