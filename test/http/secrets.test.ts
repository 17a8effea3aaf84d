import { spawn } from "node:child_process";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttachmentDownloadsDocument, RecordPhotoDocument } from "../generated/graphql.js";
import { exitWithin, root } from "../helpers/built-server.js";
import { configProblems } from "../helpers/config.js";
import { startFakeBigin, type FakeBigin } from "../helpers/fake-bigin.js";
import { multipartParts, uploadHeaders, uploadOperations } from "../helpers/multipart.js";
import { RawConnection, requestHead } from "../helpers/raw-http.js";
import { logCapture } from "../helpers/refresh-stack.js";
import { startTestServer } from "../helpers/stack.js";

const RECORD = "2034020000008000001";
const FILE = "2034020000008100001";
const OAUTH = {
  clientId: "1000.SECRETSCLIENT",
  clientSecret: "client-secret-4b7e9d21",
  refreshToken: "1000.refresh-token-c3a18f55",
};
const SECRETS = {
  apiPassword: "api-password-5e1d7c",
  accountsPassword: "accounts-password-8a2b4f",
  downloadSecret: "download-url-secret-0f9e8d7c6b5a49382716",
  rogueToken: "1000.rogue-token-in-a-bad-request-77f0",
  queryToken: "query-token-6d2e",
};

/** A log line and every byte array in it (e.g. a raw packet) decoded as text. */
function decoded(line: string): string {
  const parts = [line];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      const bytes =
        value.length > 0 && value.every((n) => Number.isInteger(n) && n >= 0 && n < 256);
      if (bytes) parts.push(Buffer.from(value as number[]).toString("latin1"));
      else value.forEach(walk);
    } else if (typeof value === "object" && value !== null) Object.values(value).forEach(walk);
  };
  try {
    walk(JSON.parse(line));
  } catch {
    // Not JSON: the text itself is all there is.
  }
  return parts.join("\n");
}

describe("secrets: tokens, client secret, refresh token, passwords in URLs, signed links", () => {
  const logs = logCapture();
  const responses: string[] = [];
  /** Secrets only known once the server runs: the tokens Zoho issued, the signed links' parts. */
  const learned: string[] = [];
  let fake: FakeBigin;

  const record = async (response: Response) => {
    const text = await response.text();
    const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`);
    responses.push(`${response.status}\n${headers.join("\n")}\n${text}`);
    return text;
  };
  /** Sends `data` and says no more (half-closes), then waits for the server to close too. */
  const raw = async (url: string, data: string | Buffer) => {
    const connection = new RawConnection(url);
    connection.write(data);
    connection.socket.end();
    await connection.closed;
    responses.push(connection.text());
    return connection.text();
  };

  beforeAll(async () => {
    fake = await startFakeBigin({
      records: {
        [RECORD]: [
          { id: FILE, name: "Plan.pdf", type: "application/pdf", bytes: Buffer.from("%PDF") },
        ],
      },
      photos: { [RECORD]: Buffer.from("89504e470d0a1a0a", "hex") },
      oauth: OAUTH,
      token: "1000.issued-access-token-a1b2c3d4",
    });
    learned.push(fake.token);
  });
  afterAll(() => fake.close());

  it("keeps them out of every log line at trace level and out of every answer", async () => {
    const port = new URL(fake.url).port;
    const server = await startTestServer(
      fake.url,
      {
        BIGIN_ACCOUNTS_URL: `http://oauth:${SECRETS.accountsPassword}@127.0.0.1:${port}`,
        BIGIN_CLIENT_ID: OAUTH.clientId,
        BIGIN_CLIENT_SECRET: OAUTH.clientSecret,
        BIGIN_REFRESH_TOKEN: OAUTH.refreshToken,
        DOWNLOAD_URL_SECRET: SECRETS.downloadSecret,
        LOG_LEVEL: "trace",
      },
      logs,
    );
    const gql = (query: string, authorization?: string) =>
      fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(authorization !== undefined && { authorization }),
        },
        body: JSON.stringify({ query, variables: { module: "Contacts", id: RECORD } }),
      }).then(record);
    try {
      // The server's credential, a caller's own token, a token Bigin refuses.
      const links = JSON.parse(await gql(print(AttachmentDownloadsDocument))).data.record;
      const photo = JSON.parse(await gql(print(RecordPhotoDocument))).data.record.photoUrl;
      const own = JSON.parse(
        await gql(print(AttachmentDownloadsDocument), `Zoho-oauthtoken ${fake.token}`),
      ).data.record.attachments.nodes[0].downloadUrl as string;
      learned.push(new URL(own).searchParams.get("cred")!);
      await gql(print(AttachmentDownloadsDocument), `Bearer ${SECRETS.rogueToken}`);
      const download = new URL(links.attachments.nodes[0].downloadUrl as string);
      for (const url of [download, new URL(photo as string)]) {
        learned.push(url.searchParams.get("sig")!);
        await record(await fetch(url));
      }
      const signed = `${download.pathname}${download.search}`;
      await record(await fetch(`${server.url}${signed.replace(/sig=./, "sig=x")}`));
      await record(await fetch(`${server.url}${download.pathname}`));
      await record(
        await fetch(`${server.url}/nowhere${download.search}&token=${SECRETS.queryToken}`),
      );

      // Requests Node cannot parse, carrying a token and a signed link: their raw bytes.
      const tokenHeader = `Authorization: Zoho-oauthtoken ${SECRETS.rogueToken}\r\n`;
      await raw(
        server.url,
        `GET ${signed} HTTP/1.1\r\nHost: x\r\n${tokenHeader}Bad header\r\n\r\n`,
      );
      await raw(
        server.url,
        `GET ${signed} HTTP/1.1\r\nHost: x\r\n${tokenHeader}x-pad: ${"p".repeat(20_000)}\r\n\r\n`,
      );
      await raw(server.url, `GET /?token=${SECRETS.queryToken} HTTP/9.9\r\n${tokenHeader}\r\n`);
      // An upload refused, a malformed one, a slow-body one that is cut.
      const parts = multipartParts(uploadOperations(RECORD), {
        name: "setup.exe",
        bytes: Buffer.from("MZ"),
      });
      const body = Buffer.concat([parts.head, parts.file, parts.tail]);
      const upload = (headers: Record<string, string | number>, bytes: Buffer) =>
        raw(
          server.url,
          Buffer.concat([Buffer.from(requestHead("POST", "/graphql", headers)), bytes]),
        );
      await upload(uploadHeaders(body.length, SECRETS.rogueToken, { connection: "close" }), body);
      await upload(
        uploadHeaders(body.length, fake.token, { connection: "close" }),
        body.subarray(0, 90),
      );
      await record(await fetch(`${server.url}/readyz`));
      await record(await fetch(`${server.url}/metrics`));
    } finally {
      await server.close();
    }

    // The accounts server unreachable: the message callers get names where it looked.
    const unreachable = await startTestServer(
      `http://127.0.0.1:${port}`,
      {
        BIGIN_ACCOUNTS_URL: `http://oauth:${SECRETS.accountsPassword}@127.0.0.1:9/?key=${SECRETS.queryToken}`,
        BIGIN_CLIENT_ID: OAUTH.clientId,
        BIGIN_CLIENT_SECRET: OAUTH.clientSecret,
        BIGIN_REFRESH_TOKEN: OAUTH.refreshToken,
        LOG_LEVEL: "trace",
      },
      logs,
    );
    try {
      const answer = JSON.parse(
        await fetch(`${unreachable.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            query: print(AttachmentDownloadsDocument),
            variables: { module: "Contacts", id: RECORD },
          }),
        }).then(record),
      );
      expect(answer.errors[0].message).toContain(
        "accounts server at http://[redacted]@127.0.0.1:9",
      );
    } finally {
      await unreachable.close();
    }

    // A bad value stops start-up naming the variable, not the password in it.
    responses.push(
      configProblems({
        BIGIN_API_URL: `ftp://apiuser:${SECRETS.apiPassword}@bigin.example`,
        BIGIN_ACCOUNTS_URL: `accounts:${SECRETS.accountsPassword}@nowhere?key=${SECRETS.queryToken}`,
      }),
    );
    expect(responses.at(-1)).toMatch(/BIGIN_API_URL=.*BIGIN_ACCOUNTS_URL=/s);

    const lines = logs.lines.map(decoded);
    // The checks below only mean something if the server did log and answer.
    const all = lines.join("\n");
    expect(all).toContain("obtained a Bigin access token");
    expect(all).toContain('"msg":"Bigin call"');
    expect(all).toContain("Malformed HTTP request");
    expect(all).toContain("could not refresh the Bigin access token");
    expect(responses.length).toBeGreaterThan(15);
    expect(learned.filter(Boolean)).toHaveLength(4);

    // Signed links are the answer's own content; everywhere else they are as good as a token.
    const [issued, ...links] = learned;
    const secrets = [...Object.values(SECRETS), OAUTH.clientSecret, OAUTH.refreshToken, issued!];
    for (const secret of [...secrets, ...links]) {
      lines.forEach((line, i) =>
        expect(line.includes(secret), `log line ${i} holds ${secret}: ${line.slice(0, 300)}`).toBe(
          false,
        ),
      );
    }
    for (const secret of secrets) {
      responses.forEach((text, i) =>
        expect(text.includes(secret), `answer ${i} holds ${secret}: ${text.slice(0, 300)}`).toBe(
          false,
        ),
      );
    }
  });

  describe("the built server's start-up", () => {
    it("refuses a BIGIN_API_URL with a password, naming it without the password", async () => {
      const child = spawn(process.execPath, ["dist/main.js"], {
        cwd: root,
        env: {
          ...process.env,
          PORT: "0",
          BIGIN_API_URL: `http://apiuser:${SECRETS.apiPassword}@127.0.0.1:${new URL(fake.url).port}`,
          DOWNLOAD_URL_SECRET: SECRETS.downloadSecret,
          LOG_LEVEL: "trace",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      expect(await exitWithin(child, 15_000)).toBe(1);
      expect(output).toContain('BIGIN_API_URL="http://[redacted]@127.0.0.1:');
      for (const secret of [SECRETS.apiPassword, SECRETS.downloadSecret]) {
        expect(output).not.toContain(secret);
      }
    });
  });
});
