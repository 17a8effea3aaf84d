import { describe, expect, it } from "vitest";
import { describeSandbox, readSandboxEnv } from "../../src/sandbox/cli.js";
import { DEMO_IDS, DEMO_TOKEN, startSandbox } from "../../src/sandbox/index.js";

describe("readSandboxEnv", () => {
  it("defaults to 127.0.0.1:4010", () => {
    expect(readSandboxEnv({})).toEqual({ port: 4010, host: "127.0.0.1" });
  });

  it("reads SANDBOX_PORT and SANDBOX_HOST", () => {
    expect(readSandboxEnv({ SANDBOX_PORT: "0", SANDBOX_HOST: "0.0.0.0" })).toEqual({
      port: 0,
      host: "0.0.0.0",
    });
    expect(readSandboxEnv({ SANDBOX_PORT: "65535" }).port).toBe(65535);
  });

  it("refuses a SANDBOX_PORT that is not an integer from 0 to 65535, naming the variable", () => {
    for (const value of ["abc", "65536", "-1", "1.5", "80x"]) {
      expect(() => readSandboxEnv({ SANDBOX_PORT: value })).toThrow(
        /SANDBOX_PORT must be an integer from 0 to 65535/,
      );
    }
  });
});

describe("describeSandbox", () => {
  it("prints the base URL, BIGIN_API_URL, the demo token and the demo record ids", async () => {
    const sandbox = await startSandbox();
    try {
      const text = describeSandbox(sandbox);
      expect(text).toContain(sandbox.url);
      expect(text).toContain(`BIGIN_API_URL=${sandbox.url}`);
      expect(text).toContain(DEMO_TOKEN);
      expect(text).toContain(`BIGIN_ACCOUNTS_URL=${sandbox.url}`);
      for (const id of [DEMO_IDS.contact, DEMO_IDS.contactWithoutAttachments, DEMO_IDS.note]) {
        expect(text).toContain(id);
      }
    } finally {
      await sandbox.close();
    }
  });
});
