import { print } from "graphql";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AttachLinkDocument,
  AttachmentDownloadsDocument,
  DeleteAttachmentDocument,
  DeletePhotoDocument,
  RecordPhotoDocument,
  UploadAttachmentDocument,
  UploadPhotoDocument,
} from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";
import { gif, gqlUpload } from "../helpers/upload.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ BIGIN_MAX_ATTACHMENT_MB: "1" });
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const writes = () => stack.calls().filter((call) => call.method !== "GET");

describe("uploadAttachment", () => {
  it("uploads a file that reads back byte-identical through downloadUrl with no Authorization header", async () => {
    const bytes = randomBytes(300_000);
    const { body } = await gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "Résumé 2026.pdf", bytes, type: "application/pdf" },
    );
    expect(body.errors).toBeUndefined();
    const { attachment: created, record } = body.data!.uploadAttachment;
    expect(created).toMatchObject({
      id: expect.stringMatching(/^\d{19}$/),
      fileName: "Résumé 2026.pdf",
      size: bytes.length,
      type: "FILE",
      createdBy: { id: expect.any(String) },
    });
    expect(created.createdTime).toMatch(/[+-]\d{2}:\d{2}$/);
    // The payload's record is read after the write: the new attachment is in its list.
    expect(record.attachments!.edges.map((edge) => edge.node.id)).toContain(created.id);
    expect(stack.calls().map((call) => call.method)).toEqual(["POST", "GET"]);
    expect(stack.calls()[0]).toMatchObject({
      method: "POST",
      path: `/bigin/v2/Contacts/${IDS.empty}/Attachments`,
      status: 200,
    });
    expect(Date.parse(created.downloadUrlExpiresAt!)).toBe(
      Number(new URL(created.downloadUrl!).searchParams.get("expires")) * 1000,
    );

    const url = new URL(created.downloadUrl!);
    expect(url.origin).toBe(stack.server.url);
    expect(url.pathname).toBe(`/files/Contacts/${IDS.empty}/attachments/${created.id}`);
    expect(url.search).not.toContain("sandbox-demo-token");
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/pdf");
    expect(download.headers.get("content-length")).toBe(String(bytes.length));
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="Resume 2026.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf`,
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect(stack.calls().at(-1)).toMatchObject({
      method: "GET",
      authorization: "Zoho-oauthtoken sandbox-demo-token",
    });
  });

  it.each([
    ["Quote %22x%22.txt", 'Quote "x".txt'],
    ["Two%0D%0Alines.txt", "Two  lines.txt"],
    ["100%25 sure.txt", "100%25 sure.txt"],
  ])("decodes a browser's escapes in the filename %s", async (sent, stored) => {
    // What Chromium (and the HTML standard's multipart encoding) writes for `"`, CR and LF.
    const boundary = "----chromium-like-boundary";
    const operations = JSON.stringify({
      query: print(UploadAttachmentDocument),
      variables: { module: "Contacts", recordId: IDS.empty, file: null },
    });
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${sent}"\r\nContent-Type: text/plain\r\n\r\nhello\r\n`,
      `--${boundary}--\r\n`,
    ].join("");
    const response = await fetch(`${stack.server.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "apollo-require-preflight": "true",
        authorization: "Zoho-oauthtoken sandbox-demo-token",
      },
      body,
    });
    const answer = (await response.json()) as {
      data?: { uploadAttachment: { attachment: { id: string; fileName: string } } };
    };
    const created = answer.data!.uploadAttachment.attachment;
    expect(created.fileName).toBe(stored);
    expect(stack.sandbox.store.getAttachment("Contacts", IDS.empty, created.id)?.fileName).toBe(
      stored,
    );
  });

  it("refuses a multipart request without the preflight header, before Bigin", async () => {
    const response = await gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "a.txt", bytes: Buffer.from("hi") },
      { preflight: false },
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toMatch(/CSRF|preflight/i);
    expect(stack.calls()).toHaveLength(0);
  });

  it("refuses .exe files and files over the limit with BAD_USER_INPUT and no Bigin call", async () => {
    const exe = await gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "setup.exe", bytes: Buffer.from("MZ") },
    );
    expect(exe.body.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argumentName: "file",
    });
    const big = await gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "big.bin", bytes: Buffer.alloc(1024 * 1024 + 1) },
    );
    expect(big.body.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argumentName: "file",
    });
    expect(big.body.errors?.[0]?.message).toMatch(/larger than/);
    expect(stack.calls()).toHaveLength(0);
  });

  it("needs a credential (no Bigin call) and maps a token without write scope to FORBIDDEN", async () => {
    const anonymous = await gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "a.txt", bytes: Buffer.from("hi") },
      { token: null },
    );
    expect(anonymous.body.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    expect(stack.calls()).toHaveLength(0);
    const readOnly = await gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "a.txt", bytes: Buffer.from("hi") },
      { token: "sandbox-readonly-token" },
    );
    expect(readOnly.body.errors?.[0]?.extensions).toMatchObject({
      code: "FORBIDDEN",
      bigin: { code: "OAUTH_SCOPE_MISMATCH", status: 401 },
    });
    expect(stack.calls()).toHaveLength(1);
  });

  it("maps Bigin's refusal (unknown record) to NOT_FOUND after exactly one call", async () => {
    const { body } = await gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: "1234" },
      { name: "a.txt", bytes: Buffer.from("hi") },
    );
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND" });
    expect(writes()).toHaveLength(1);
  });

  it("is never retried, even when Bigin answers 5xx", async () => {
    stack.sandbox.faults.error(500, "INTERNAL_ERROR", { times: 1 });
    const { body } = await gqlUpload(
      stack,
      UploadAttachmentDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "a.txt", bytes: Buffer.from("hi") },
    );
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_ERROR" });
    expect(stack.calls()).toHaveLength(1);
  });
});

describe("attachLink and deleteAttachment", () => {
  it("attaches a link (no downloadUrl), deletes it, and a second delete is NOT_FOUND", async () => {
    const { body } = await stack.gql(AttachLinkDocument, {
      module: "Contacts",
      recordId: IDS.empty,
      url: "https://example.com/spec",
      title: "Spec",
    });
    expect(body.errors).toBeUndefined();
    const link = body.data!.attachLink.attachment;
    expect(body.data!.attachLink.record.attachments!.edges.map((e) => e.node.id)).toContain(
      link.id,
    );
    expect(link).toMatchObject({
      fileName: "Spec",
      type: "LINK",
      linkUrl: "https://example.com/spec",
      downloadUrl: null,
    });
    expect(writes()).toHaveLength(1);

    const removed = await stack.gql(DeleteAttachmentDocument, {
      module: "Contacts",
      recordId: IDS.empty,
      id: link.id,
    });
    expect(removed.body.data?.deleteAttachment.deletedId).toBe(link.id);
    const after = removed.body.data!.deleteAttachment.record.attachments!.edges;
    expect(after.map((edge) => edge.node.id)).not.toContain(link.id);
    expect(writes()).toHaveLength(2);
    expect(stack.sandbox.store.getAttachment("Contacts", IDS.empty, link.id)).toBeUndefined();

    const again = await stack.gql(DeleteAttachmentDocument, {
      module: "Contacts",
      recordId: IDS.empty,
      id: link.id,
    });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND" });
    expect(writes()).toHaveLength(3);
  });

  it("refuses a URL that is not http(s) before Bigin", async () => {
    const { body } = await stack.gql(AttachLinkDocument, {
      module: "Contacts",
      recordId: IDS.empty,
      url: "javascript:alert(1)",
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argumentName: "url",
    });
    expect(stack.calls()).toHaveLength(0);
  });
});

describe("downloadUrl", () => {
  it("asks Bigin for id and $type, and is null for links only", async () => {
    const { body } = await stack.gql(AttachmentDownloadsDocument, {
      module: "Contacts",
      id: IDS.rich,
    });
    expect(stack.calls()[0]?.query.fields).toBe("$type,File_Name,Size,id");
    const nodes = body.data!.record!.attachments!.nodes;
    for (const node of nodes) {
      if (node.type === "LINK") expect(node.downloadUrl).toBeNull();
      else expect(node.downloadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/Contacts\//);
    }
    const pdf = nodes.find((n) => n.fileName === "Q4_Report.pdf")!;
    const download = await fetch(pdf.downloadUrl!);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(pdf.size);
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("answers 403 to a tampered link and sends nothing to Bigin", async () => {
    const { body } = await stack.gql(AttachmentDownloadsDocument, {
      module: "Contacts",
      id: IDS.rich,
    });
    const [first, second] = body.data!.record!.attachments!.nodes.filter((n) => n.downloadUrl);
    stack.reset();
    const url = new URL(first!.downloadUrl!);
    // Same signature, another file.
    const other = new URL(second!.downloadUrl!);
    url.pathname = other.pathname;
    const swapped = await fetch(url);
    expect(swapped.status).toBe(403);
    expect(await swapped.json()).toMatchObject({ code: "FORBIDDEN", message: expect.any(String) });
    const later = new URL(first!.downloadUrl!);
    later.searchParams.set("expires", String(Number(later.searchParams.get("expires")) + 3600));
    expect((await fetch(later)).status).toBe(403);
    expect(stack.calls()).toHaveLength(0);
  });
});

describe("record photos", () => {
  it("round-trips a photo: upload, photoUrl, delete, then NOT_FOUND on a second delete", async () => {
    const target = { module: "Contacts" as const, recordId: IDS.empty };
    const image = gif(3, 3);
    const uploaded = await gqlUpload(stack, UploadPhotoDocument, target, {
      name: "avatar.txt",
      bytes: image,
      type: "text/plain",
    });
    expect(uploaded.body.errors).toBeUndefined();
    expect(writes()).toHaveLength(1);
    const photoUrl = uploaded.body.data!.uploadPhoto.photoUrl!;
    const download = await fetch(photoUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("image/gif");
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(image))).toBe(true);

    const removed = await stack.gql(DeletePhotoDocument, target);
    expect(removed.body.data?.deletePhoto).toEqual({
      module: "Contacts",
      id: IDS.empty,
      photoUrl: null,
      photoUrlExpiresAt: null,
    });
    expect(writes()).toHaveLength(2);
    const gone = await fetch(photoUrl);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ code: "NOT_FOUND" });
    const again = await stack.gql(DeletePhotoDocument, target);
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND" });
    expect(writes()).toHaveLength(3);
  });

  it("checks the photo's type by its bytes and the module before Bigin", async () => {
    const png = await gqlUpload(
      stack,
      UploadPhotoDocument,
      { module: "Contacts", recordId: IDS.empty },
      { name: "photo.png", bytes: Buffer.from("not really a png"), type: "image/png" },
    );
    expect(png.body.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argumentName: "file",
    });
    const pipeline = await gqlUpload(
      stack,
      UploadPhotoDocument,
      { module: "Pipelines", recordId: IDS.byModule.Pipelines },
      { name: "photo.gif", bytes: gif() },
    );
    expect(pipeline.body.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argumentName: "module",
    });
    expect(stack.calls()).toHaveLength(0);
  });

  it("gives photoUrl only for modules with photos, without calling Bigin", async () => {
    const contact = await stack.gql(RecordPhotoDocument, { module: "Contacts", id: IDS.rich });
    const pipeline = await stack.gql(RecordPhotoDocument, {
      module: "Pipelines",
      id: IDS.byModule.Pipelines,
    });
    expect(contact.body.data?.record?.photoUrl).toMatch(/\/files\/Contacts\/\d+\/photo\?/);
    expect(pipeline.body.data?.record?.photoUrl).toBeNull();
    expect(stack.calls()).toHaveLength(0);
    const photo = await fetch(contact.body.data!.record!.photoUrl!);
    expect(photo.headers.get("content-type")).toBe("image/png");
    expect(photo.headers.get("content-disposition")).toMatch(/^inline; /);
  });

  it("says when photoUrl expires: the very expiry the link is signed with", async () => {
    const { body } = await stack.gql(RecordPhotoDocument, { module: "Contacts", id: IDS.rich });
    const { photoUrl, photoUrlExpiresAt } = body.data!.record!;
    const signed = Number(new URL(photoUrl!).searchParams.get("expires")) * 1000;
    expect(Date.parse(photoUrlExpiresAt!)).toBe(signed);
    expect(signed - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(signed - Date.now()).toBeLessThanOrEqual(5 * 60_000);
  });

  it("gives no link, and no error, when the request has no credential at all", async () => {
    const { body } = await stack.gql(
      `{ record(module: Contacts, id: "${IDS.rich}") { id photoUrl photoUrlExpiresAt } }`,
      {},
      { token: null },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      record: { id: IDS.rich, photoUrl: null, photoUrlExpiresAt: null },
    });
    const malformed = await stack.gql(
      `{ record(module: Contacts, id: "${IDS.rich}") { id photoUrl } }`,
      {},
      { authorization: "Basic x" },
    );
    expect(malformed.body.data).toEqual({ record: { id: IDS.rich, photoUrl: null } });
    expect(malformed.body.errors![0]).toMatchObject({
      path: ["record", "photoUrl"],
      extensions: { code: "UNAUTHENTICATED" },
    });
    expect(stack.calls()).toHaveLength(0);
  });
});
