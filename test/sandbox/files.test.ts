import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { DEMO_IDS, READONLY_TOKEN, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { biginFetch, expectBiginError, read } from "./helpers.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ maxAttachmentBytes: 64 * 1024 });
});
afterAll(() => sandbox.close());

const JOHN = DEMO_IDS.contact;
const EMMA = DEMO_IDS.contactWithoutAttachments;
const A = DEMO_IDS.attachments;
const base = (module: string, id: string) => `/bigin/v2/${module}/${id}`;

function form(parts: Record<string, string | Blob>, fileName = "notes.txt"): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === "string") data.append(name, value);
    else data.append(name, value, fileName);
  }
  return data;
}

const PNG_HEAD = (width: number, height: number) => {
  const bytes = Buffer.alloc(33);
  Buffer.from("89504e470d0a1a0a0000000d49484452", "hex").copy(bytes);
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
};

describe("sandbox attachments: upload, download, delete", () => {
  it("stores an uploaded file on disk and serves it back byte for byte", async () => {
    const bytes = Buffer.from("hello, Bigin ✓\n".repeat(100));
    const upload = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/Attachments`, {
        method: "POST",
        body: form({ file: new Blob([bytes], { type: "text/plain" }) }, "Grüße.txt"),
      }),
    );
    expect(upload.status).toBe(200);
    const item = upload.body.data[0];
    expect(item).toMatchObject({
      code: "SUCCESS",
      message: "attachment uploaded successfully",
      status: "success",
      details: { id: expect.stringMatching(/^\d{19}$/), Created_By: { id: expect.any(String) } },
    });
    expect(item.details.Created_Time).toMatch(/[+-]\d{2}:\d{2}$/);
    const stored = sandbox.store.getAttachment("Contacts", EMMA, item.details.id)!;
    expect(stored).toMatchObject({ fileName: "Grüße.txt", size: bytes.length, type: "File" });
    expect(stored.path).toBeDefined();

    const download = await biginFetch(
      sandbox,
      `${base("Contacts", EMMA)}/Attachments/${item.details.id}`,
    );
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(download.headers.get("content-length")).toBe(String(bytes.length));
    expect(download.headers.get("content-disposition")).toContain(
      "filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt",
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    const removed = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/Attachments/${item.details.id}`, {
        method: "DELETE",
      }),
    );
    expect(removed.body).toEqual({
      data: [
        {
          code: "SUCCESS",
          details: { id: item.details.id },
          message: "record deleted",
          status: "success",
        },
      ],
    });
    const again = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/Attachments/${item.details.id}`, {
        method: "DELETE",
      }),
    );
    expectBiginError(again, 400, "INVALID_DATA", { resource_path_index: 3 }, "record not deleted");
    const gone = await biginFetch(
      sandbox,
      `${base("Contacts", EMMA)}/Attachments/${item.details.id}`,
    );
    expect(gone.status).toBe(204);
  });

  it("serves seeded files as valid files of their declared size", async () => {
    const response = await biginFetch(
      sandbox,
      `${base("Contacts", JOHN)}/Attachments/${A.contactPdf}`,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(bytes.length).toBe(1_048_576);
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const png = await biginFetch(sandbox, `${base("Contacts", JOHN)}/Attachments/${A.contactPng}`);
    const pngBytes = Buffer.from(await png.arrayBuffer());
    expect(pngBytes.subarray(1, 4).toString()).toBe("PNG");
  });

  it("takes a link as form fields or as query parameters", async () => {
    const asForm = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/Attachments`, {
        method: "POST",
        body: form({ attachmentUrl: "https://example.com/a", title: "Spec" }),
      }),
    );
    expect(asForm.status).toBe(200);
    const query = new URLSearchParams({ attachmentUrl: "https://example.com/b" });
    const asQuery = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/Attachments?${query}`, {
        method: "POST",
        body: form({}),
      }),
    );
    expect(asQuery.status).toBe(200);
    const links = sandbox.store
      .listAttachments("Contacts", EMMA)
      .filter((a) => a.type === "Link URL");
    expect(links.map((l) => [l.fileName, l.linkUrl])).toEqual(
      expect.arrayContaining([
        ["Spec", "https://example.com/a"],
        ["example.com", "https://example.com/b"],
      ]),
    );
  });

  it("refuses to download a link, too large a file, an .exe and a missing file part", async () => {
    const link = await read(
      await biginFetch(sandbox, `${base("Contacts", JOHN)}/Attachments/${A.contactLink}`),
    );
    expectBiginError(
      link,
      400,
      "DOWNLOAD_NOT_ALLOWED",
      {},
      "As it is a linked attachment, you can not download it",
    );
    const big = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/Attachments`, {
        method: "POST",
        body: form({ file: new Blob([Buffer.alloc(64 * 1024 + 1)]) }),
      }),
    );
    expectBiginError(big, 413, "FILE_SIZE_MORE_THAN_ALLOWED_SIZE");
    const exe = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/Attachments`, {
        method: "POST",
        body: form({ file: new Blob(["MZ"]) }, "setup.EXE"),
      }),
    );
    expectBiginError(exe, 400, "INVALID_DATA");
    const none = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/Attachments`, {
        method: "POST",
        body: form({}),
      }),
    );
    expectBiginError(none, 400, "REQUIRED_PARAM_MISSING", { param_name: "file" });
    expect(
      sandbox.store.listAttachments("Contacts", EMMA).every((a) => a.fileName !== "setup.EXE"),
    ).toBe(true);
  });

  it("checks scopes: a read-only token cannot upload", async () => {
    const answer = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/Attachments`, {
        method: "POST",
        headers: { Authorization: `Zoho-oauthtoken ${READONLY_TOKEN}` },
        body: form({ file: new Blob(["x"]) }),
      }),
    );
    expectBiginError(answer, 401, "OAUTH_SCOPE_MISMATCH");
  });
});

describe("sandbox photos", () => {
  it("serves demo photos, 204 when there is none, and round-trips an upload", async () => {
    const john = await biginFetch(sandbox, `${base("Contacts", JOHN)}/photo`);
    expect(john.status).toBe(200);
    expect(john.headers.get("content-type")).toBe("image/png");
    expect((await john.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const none = await biginFetch(sandbox, `${base("Contacts", EMMA)}/photo`);
    expect(none.status).toBe(204);

    const gif = Buffer.concat([Buffer.from("GIF89a"), Buffer.from([2, 0, 2, 0]), Buffer.alloc(20)]);
    const upload = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/photo`, {
        method: "POST",
        body: form({ file: new Blob([gif]) }, "looks-like.txt"),
      }),
    );
    expect(upload.body).toEqual({
      code: "SUCCESS",
      details: {},
      message: "Photo uploaded successfully",
      status: "success",
    });
    const back = await biginFetch(sandbox, `${base("Contacts", EMMA)}/photo`);
    expect(back.headers.get("content-type")).toBe("image/gif");
    expect(Buffer.from(await back.arrayBuffer()).equals(gif)).toBe(true);
    const removed = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/photo`, { method: "DELETE" }),
    );
    expect(removed.body).toMatchObject({ code: "SUCCESS", message: "Photo deleted successfully" });
    const again = await biginFetch(sandbox, `${base("Contacts", EMMA)}/photo`, {
      method: "DELETE",
    });
    expect(again.status).toBe(204);
  });

  it("refuses a non-image, too many pixels, and modules without photos", async () => {
    const text = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/photo`, {
        method: "POST",
        body: form({ file: new Blob(["not an image"]) }, "photo.png"),
      }),
    );
    expectBiginError(text, 415, "INVALID_DATA", {}, "invalid file type");
    const huge = await read(
      await biginFetch(sandbox, `${base("Contacts", EMMA)}/photo`, {
        method: "POST",
        body: form({ file: new Blob([PNG_HEAD(5000, 5000)]) }, "huge.png"),
      }),
    );
    expectBiginError(huge, 415, "FILE_RESOLUTION_EXCEEDS", { resolution: 25_000_000 });
    const task = await read(await biginFetch(sandbox, `${base("Tasks", DEMO_IDS.task)}/photo`));
    expectBiginError(task, 400, "INVALID_MODULE", { resource_path_index: 0 });
  });

  it("removes its file folder on close", async () => {
    const own = await startSandbox();
    expect(existsSync(own.fileFolder)).toBe(true);
    await own.close();
    expect(existsSync(own.fileFolder)).toBe(false);
  });
});
