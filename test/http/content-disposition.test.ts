import { parse } from "content-disposition";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentDisposition } from "../../src/http/content-disposition.js";
import { UploadAttachmentDocument } from "../generated/graphql.js";
import { chromiumMissing, launchChromium, skipOrFailWithoutChromium } from "../helpers/browser.js";
import { startFakeBigin, type FakeBigin, type FakeFile } from "../helpers/fake-bigin.js";
import { IDS } from "../helpers/ids.js";
import { startStack, startTestServer, type Stack } from "../helpers/stack.js";
import { gqlUpload } from "../helpers/upload.js";
import type { RunningServer } from "../../src/server.js";

/** Names that try to become another name (or another header) on their way to a browser. */
const SPOOFS = [
  "Q3 report; filename*=UTF-8''Q3-report.exe; .pdf",
  'invoice.pdf"; filename="invoice.exe',
  'a\\"; filename=b.exe; x=".pdf',
  "notes; filename*=utf-8'en'evil.exe.txt",
  "line\r\nContent-Type: text/html\r\n\r\n<script>.txt",
  "100% done %22quoted%22.pdf",
  "Résumé «final» 2026.pdf",
  "\u202egnp.exe",
];

const name = (header: string | null) => parse(header ?? "").parameters.filename;

describe("Content-Disposition of downloads", () => {
  it.each(SPOOFS)("writes %j as one name that reads back the same", (fileName) => {
    const header = contentDisposition("attachment", fileName);
    expect(header).not.toMatch(/[\r\n]/);
    expect(parse(header)).toEqual({ type: "attachment", parameters: expect.anything() });
    expect(name(header)).toBe(fileName);
  });

  describe("from a Bigin-compatible server that quotes its names correctly", () => {
    let fake: FakeBigin;
    let server: RunningServer;
    const record = "2034020000008000001";
    const files: FakeFile[] = SPOOFS.map((fileName, i) => ({
      id: `20340200000081000${10 + i}`,
      name: fileName,
      type: "application/pdf",
      bytes: Buffer.from(`file ${i}`),
      // A quoted `filename` (backslash escapes) alone, nothing else to go by; `filename*` where
      // the UTF-8 bytes of the name cannot travel raw.
      disposition: /[\u0080-\u009f]/.test(Buffer.from(fileName).toString("latin1"))
        ? `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`
        : `attachment; filename="${fileName.replace(/[\r\n]/g, "").replace(/["\\]/g, "\\$&")}"`,
    }));
    beforeAll(async () => {
      fake = await startFakeBigin({ records: { [record]: files } });
      server = await startTestServer(fake.url, { BIGIN_ACCOUNTS_URL: fake.url });
    });
    afterAll(async () => {
      await server.close();
      await fake.close();
    });

    it.each(files.map((file) => [file.name, file] as const))(
      "serves %j under the name Bigin gave, sandboxed",
      async (_name, file) => {
        const response = await fetch(
          `${server.url}/files/Contacts/${record}/attachments/${file.id}`,
          { headers: { authorization: `Zoho-oauthtoken ${fake.token}` } },
        );
        expect(response.status).toBe(200);
        expect(name(response.headers.get("content-disposition"))).toBe(
          file.name.replace(/[\r\n]/g, ""),
        );
        expect(response.headers.get("content-security-policy")).toBe("sandbox");
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      },
    );
  });
});

describe("uploads and downloads through the sandbox", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ BIGIN_MAX_ATTACHMENT_MB: "1" });
  });
  afterAll(() => stack.close());

  const upload = (fileName: string) =>
    gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: fileName, bytes: Buffer.from("MZ") },
    );

  it.each(["evil.exe.", "evil.exe ", "evil.exe. . .", "EVIL.EXE\u200b", "evil.exe\u00a0"])(
    "refuses %j like .exe, before Bigin",
    async (fileName) => {
      stack.reset();
      const { body } = await upload(fileName);
      expect(body.errors?.[0]).toMatchObject({
        message: "Bigin does not accept .exe files",
        extensions: { code: "BAD_USER_INPUT", argumentName: "file" },
      });
      expect(stack.calls()).toHaveLength(0);
    },
  );

  it("keeps a spoofing name whole from upload to download, in the browser's reading too", async (context) => {
    const fileName = SPOOFS[0]!;
    const { body } = await upload(fileName);
    expect(body.errors).toBeUndefined();
    const { downloadUrl } = body.data!.uploadAttachment.attachment;
    const response = await fetch(downloadUrl!);
    expect(response.status).toBe(200);
    expect(name(response.headers.get("content-disposition"))).toBe(fileName);
    expect(response.headers.get("content-security-policy")).toBe("sandbox");

    // Without Chromium the test says it was skipped (or fails where CI requires Chromium).
    skipOrFailWithoutChromium(await chromiumMissing(), context);
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.goto(downloadUrl!).catch(() => undefined),
      ]);
      // What Chromium would save it as: never an .exe.
      expect(download.suggestedFilename()).not.toMatch(/\.exe\W*$/i);
      expect(download.suggestedFilename()).toMatch(/\.pdf$/);
      await download.cancel();
    } finally {
      await browser?.close();
    }
  });
});
