import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";

const SECRET = "1000.secret-value-that-must-not-appear";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger("info", destination), lines };
}

describe("createLogger: redaction", () => {
  it("censors credentials at the top level and in HTTP client errors", () => {
    const { logger, lines } = capture();
    logger.info({ authorization: `Zoho-oauthtoken ${SECRET}` }, "a");
    logger.info({ headers: { authorization: SECRET, accept: "application/json" } }, "b");
    logger.info({ token: SECRET, accessToken: SECRET, refreshToken: SECRET }, "c");
    logger.info({ clientSecret: SECRET }, "d");
    const err = Object.assign(new Error("Request failed"), {
      config: { headers: { Authorization: `Zoho-oauthtoken ${SECRET}` } },
      request: { _header: `GET / HTTP/1.1\r\nAuthorization: Zoho-oauthtoken ${SECRET}` },
      response: { config: { headers: { Authorization: SECRET } } },
      headers: { authorization: SECRET },
    });
    logger.error({ err }, "e");
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).toContain("[redacted]");
    }
    expect(JSON.parse(lines[1]!)).toMatchObject({ headers: { accept: "application/json" } });
    expect(JSON.parse(lines[4]!)).toMatchObject({ err: { message: "Request failed" } });
  });

  it("leaves the other fields of a line as they are", () => {
    const { logger, lines } = capture();
    logger.info(
      { operationName: "Files", ms: 1.5, status: 200, requestId: "r-1" },
      "graphql operation",
    );
    expect(JSON.parse(lines[0]!)).toMatchObject({
      operationName: "Files",
      ms: 1.5,
      status: 200,
      requestId: "r-1",
      msg: "graphql operation",
    });
  });
});
