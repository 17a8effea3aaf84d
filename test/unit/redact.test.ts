import { describe, expect, it } from "vitest";
import { redactCredentials, redactUrl } from "../../src/redact.js";

describe("redactUrl", () => {
  it.each([
    ["http://user:pass@host:8080/path", "http://[redacted]@host:8080/path"],
    ["https://user@host", "https://[redacted]@host"],
    ["http://u:p@ss/w@rd@host/x", "http://[redacted]@host/x"],
    ["user:pass@host?x=1", "[redacted]@host?[redacted]"],
    [
      "https://www.zohoapis.eu/bigin/v2?token=abc#frag",
      "https://www.zohoapis.eu/bigin/v2?[redacted]",
    ],
    ["https://accounts.zoho.com", "https://accounts.zoho.com"],
    ["http://host/?", "http://host/?"],
  ])("turns %j into %j", (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });
});

describe("redactCredentials", () => {
  it("replaces Authorization values, signed-link parameters and URLs' user-info", () => {
    const line =
      '{"a":"Authorization: Zoho-oauthtoken 1000.abc.def","b":"Bearer sandbox-demo-token","c":"/files/x?expires=1&cred=AbC-_d&sig=XyZ","d":"redis://:pw@host:6379"}';
    expect(redactCredentials(line)).toBe(
      '{"a":"Authorization: Zoho-oauthtoken [redacted]","b":"Bearer [redacted]","c":"/files/x?expires=1&cred=[redacted]&sig=[redacted]","d":"redis://[redacted]@host:6379"}',
    );
  });

  it("hands back the same string when there is nothing to redact", () => {
    const line = '{"level":30,"msg":"Send `Zoho-oauthtoken <token>` or `Bearer <token>`"}';
    expect(redactCredentials(line)).toBe(line);
  });
});
