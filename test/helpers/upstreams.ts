import type { DestinationStream } from "pino";
import { DEMO_IDS } from "../../src/sandbox/index.js";
import type { RunningServer } from "../../src/server.js";
import { startFakeBigin, type FakeBigin, type FakeFile } from "./fake-bigin.js";
import { IDS } from "./ids.js";
import { REFRESH_ENV } from "./refresh-stack.js";
import { DEMO_TOKEN, startStack, startTestServer } from "./stack.js";

/** A server under test and the Bigin behind it. */
export interface Target {
  server: RunningServer;
  /** An access token the Bigin behind accepts. */
  token: string;
  /** A record with attachments and a photo; `recordId` takes uploads. */
  rich: string;
  recordId: string;
  /** The route of a file there is, and of the record's photo. */
  attachmentPath: string;
  photoPath: string;
  /** Bigin calls made so far (the token endpoint excluded). */
  biginCalls(): number;
  close(): Promise<void>;
}

export interface Upstream {
  name: string;
  /** The variables of refresh-token mode against this Bigin (its accounts server). */
  oauthEnv: Record<string, string>;
  start(env?: Record<string, string>, logs?: DestinationStream): Promise<Target>;
}

const FAKE = {
  rich: "2034020000008000001",
  empty: "2034020000008000002",
  file: "2034020000008100001",
  oauth: {
    clientId: "1000.FAKECLIENT",
    clientSecret: "fake-client-secret-6c0b",
    refreshToken: "1000.fake-refresh-token-93e1",
  },
};
// A 1×1 red PNG.
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489" +
    "0000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082",
  "hex",
);

const filePaths = (rich: string, attachment: string) => ({
  attachmentPath: `/files/Contacts/${rich}/attachments/${attachment}`,
  photoPath: `/files/Contacts/${rich}/photo`,
});

/**
 * The embedded sandbox, and a Bigin-compatible server written apart from it: adversarial tests
 * run against both, as the product is also checked against an independent Bigin.
 */
export const UPSTREAMS: Upstream[] = [
  {
    name: "the sandbox",
    oauthEnv: REFRESH_ENV,
    async start(env = {}, logs) {
      const stack = await startStack(env, {}, logs);
      return {
        server: stack.server,
        token: DEMO_TOKEN,
        rich: IDS.rich,
        recordId: IDS.empty,
        ...filePaths(IDS.rich, DEMO_IDS.attachments.contactPdf),
        biginCalls: () => stack.calls().filter((call) => call.path.startsWith("/bigin/")).length,
        close: () => stack.close(),
      };
    },
  },
  {
    name: "a Bigin-compatible server",
    oauthEnv: {
      BIGIN_CLIENT_ID: FAKE.oauth.clientId,
      BIGIN_CLIENT_SECRET: FAKE.oauth.clientSecret,
      BIGIN_REFRESH_TOKEN: FAKE.oauth.refreshToken,
    },
    async start(env = {}, logs) {
      const file: FakeFile = {
        id: FAKE.file,
        name: "Minutes.pdf",
        type: "application/pdf",
        bytes: Buffer.from("%PDF-1.4 minutes"),
      };
      const fake: FakeBigin = await startFakeBigin({
        records: { [FAKE.rich]: [file], [FAKE.empty]: [] },
        photos: { [FAKE.rich]: PNG },
        oauth: FAKE.oauth,
      });
      const server = await startTestServer(
        fake.url,
        { BIGIN_ACCOUNTS_URL: fake.url, ...env },
        logs,
      );
      return {
        server,
        token: fake.token,
        rich: FAKE.rich,
        recordId: FAKE.empty,
        ...filePaths(FAKE.rich, FAKE.file),
        biginCalls: () => fake.requests.filter((r) => r.path.startsWith("/bigin/")).length,
        async close() {
          await server.close();
          await fake.close();
        },
      };
    },
  },
];
