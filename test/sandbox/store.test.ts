import { describe, expect, it } from "vitest";
import {
  ATTACHMENT_MODULES,
  CONTENT_TYPES,
  DEMO_IDS,
  MANY_ATTACHMENTS_COUNT,
  PHOTO_MODULES,
  SandboxStore,
  formatBiginTime,
  hasPhotos,
  seedDemoData,
} from "../../src/sandbox/index.js";

function seeded(): SandboxStore {
  const store = new SandboxStore();
  seedDemoData(store);
  return store;
}

describe("SandboxStore", () => {
  it("adds, finds and deletes File and Link attachments", () => {
    const store = new SandboxStore({ now: () => Date.UTC(2025, 11, 11, 6, 4, 53) });
    const record = store.addRecord("Contacts", { name: "Jane Roe" });
    expect(record.id).toMatch(/^\d{19}$/);
    const file = store.addAttachment("Contacts", record.id, {
      type: "File",
      fileName: "a.pdf",
      size: 1234,
      contentType: "application/pdf",
      path: "/tmp/a.pdf",
    });
    const link = store.addAttachment("Contacts", record.id, {
      type: "Link URL",
      title: "Site",
      linkUrl: "https://example.com",
    });
    expect(store.listAttachments("Contacts", record.id).map((a) => a.id)).toEqual([
      file.id,
      link.id,
    ]);
    expect(store.getAttachment("Contacts", record.id, file.id)).toMatchObject({
      contentType: "application/pdf",
      path: "/tmp/a.pdf",
    });
    expect(store.toBigin(file)).toEqual({
      id: file.id,
      File_Name: "a.pdf",
      Size: "1234",
      Parent_Id: { name: "Jane Roe", id: record.id },
      $file_id: expect.any(String),
      Created_Time: "2025-12-11T11:34:53+05:30",
      Modified_Time: "2025-12-11T11:34:53+05:30",
      Created_By: store.currentUser,
      Modified_By: store.currentUser,
      Owner: store.currentUser,
      $type: "File",
      $link_url: null,
      $editable: true,
      $se_module: "Contacts",
      $sharing_permission: "full_access",
      $state: "save",
      $attachment_type: 1,
      $field_states: null,
    });
    expect(store.toBigin(link)).toMatchObject({
      File_Name: "Site",
      Size: "0",
      $file_id: null,
      $type: "Link URL",
      $link_url: "https://example.com",
    });
    expect(store.deleteAttachment("Contacts", record.id, file.id)).toBe(true);
    expect(store.deleteAttachment("Contacts", record.id, file.id)).toBe(false);
    expect(store.listAttachments("Contacts", record.id)).toHaveLength(1);
  });

  it("refuses an attachment on a record that does not exist", () => {
    const store = new SandboxStore();
    expect(() =>
      store.addAttachment("Contacts", "1", { type: "Link URL", title: "x", linkUrl: "https://x" }),
    ).toThrow(/does not exist/);
  });

  it("keeps records per module", () => {
    const store = new SandboxStore();
    const record = store.addRecord("Accounts", { name: "Acme" });
    expect(store.getRecord("Accounts", record.id)).toBe(record);
    expect(store.getRecord("Contacts", record.id)).toBeUndefined();
  });

  it("knows which modules have photos, and sets photos only there", () => {
    expect(PHOTO_MODULES).toEqual(["Contacts", "Accounts", "Products"]);
    expect(ATTACHMENT_MODULES.filter(hasPhotos)).toEqual(["Contacts", "Accounts", "Products"]);
    const store = new SandboxStore();
    const note = store.addRecord("Notes", { name: "n" });
    const contact = store.addRecord("Contacts", { name: "c" });
    expect(() => store.setPhoto("Notes", note.id, { contentType: "image/png", size: 1 })).toThrow();
    store.setPhoto("Contacts", contact.id, { contentType: "image/png", size: 10 });
    expect(store.getRecord("Contacts", contact.id)?.photo?.size).toBe(10);
    expect(store.deletePhoto("Contacts", contact.id)).toBe(true);
    expect(store.deletePhoto("Contacts", contact.id)).toBe(false);
  });

  it("formats date-times as ISO-8601 with an offset", () => {
    const ms = Date.UTC(2025, 11, 11, 6, 4, 53);
    expect(formatBiginTime(ms)).toBe("2025-12-11T11:34:53+05:30");
    expect(formatBiginTime(ms, 0)).toBe("2025-12-11T06:04:53+00:00");
    expect(formatBiginTime(ms, -300)).toBe("2025-12-11T01:04:53-05:00");
  });
});

describe("seedDemoData", () => {
  it("is deterministic", () => {
    const a = seeded();
    const b = seeded();
    const dump = (store: SandboxStore) =>
      store
        .listRecords()
        .map((r) => [r, store.listAttachments(r.module, r.id).map((x) => store.toBigin(x))]);
    expect(dump(a)).toEqual(dump(b));
  });

  it("has a record with attachments in each of the 7 modules, with display names", () => {
    const store = seeded();
    for (const module of ATTACHMENT_MODULES) {
      const withAttachments = store
        .listRecords(module)
        .filter((r) => store.listAttachments(module, r.id).length > 0);
      expect(withAttachments.length, module).toBeGreaterThan(0);
      for (const record of withAttachments) expect(record.name).not.toBe("");
    }
  });

  it("gives John Doe a PDF, a PNG, a JPEG, a .docx and a link", () => {
    const store = seeded();
    const types = store
      .listAttachments("Contacts", DEMO_IDS.contact)
      .map((a) => a.contentType ?? a.type);
    expect(types).toEqual([
      CONTENT_TYPES.pdf,
      CONTENT_TYPES.png,
      CONTENT_TYPES.jpg,
      CONTENT_TYPES.docx,
      "Link URL",
    ]);
    const ids = store.listAttachments("Contacts", DEMO_IDS.contact).map((a) => a.id);
    const named = DEMO_IDS.attachments;
    expect(ids).toEqual([
      named.contactPdf,
      named.contactPng,
      named.contactJpeg,
      named.contactDocx,
      named.contactLink,
    ]);
  });

  it("has a contact with none and a contact with 450", () => {
    const store = seeded();
    expect(store.listAttachments("Contacts", DEMO_IDS.contactWithoutAttachments)).toHaveLength(0);
    expect(store.getRecord("Contacts", DEMO_IDS.contactWithoutAttachments)).toBeDefined();
    const many = store.listAttachments("Contacts", DEMO_IDS.contactWithManyAttachments);
    expect(many).toHaveLength(MANY_ATTACHMENTS_COUNT);
    expect(MANY_ATTACHMENTS_COUNT).toBe(450);
    expect(many[0]?.id).toBe(DEMO_IDS.attachments.firstMany);
  });

  it("fills every attachment with 19-digit ids, realistic sizes, content types and several users", () => {
    const store = seeded();
    const all = store.listRecords().flatMap((r) => store.listAttachments(r.module, r.id));
    const ids = new Set(all.map((a) => a.id));
    expect(ids.size).toBe(all.length);
    const users = new Set<string>();
    for (const attachment of all) {
      expect(attachment.id).toMatch(/^\d{19}$/);
      users.add(attachment.createdBy.email);
      users.add(attachment.owner.email);
      if (attachment.type === "File") {
        expect(attachment.contentType).toMatch(/\//);
        expect(attachment.size).toBeGreaterThan(1000);
        expect(attachment.fileId).not.toBeNull();
      } else {
        expect(attachment.size).toBe(0);
        expect(attachment.linkUrl).toMatch(/^https:\/\//);
      }
    }
    expect(users.size).toBeGreaterThanOrEqual(3);
    expect(all.some((a) => a.modifiedTime > a.createdTime)).toBe(true);
    for (const record of store.listRecords()) expect(record.id).toMatch(/^\d{19}$/);
  });

  it("never hands out a seeded id for new things", () => {
    const store = seeded();
    const seededIds = new Set(
      store
        .listRecords()
        .flatMap((r) => [r.id, ...store.listAttachments(r.module, r.id).map((a) => a.id)]),
    );
    for (let i = 0; i < 10; i += 1) expect(seededIds.has(store.nextId())).toBe(false);
  });
});
