import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ATTACHMENT_FIELDS,
  DEMO_IDS,
  MANY_ATTACHMENTS_COUNT,
  type Sandbox,
  startSandbox,
} from "../../src/sandbox/index.js";
import { biginFetch, expectBiginError, listAttachments, read } from "./helpers.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

const JOHN = DEMO_IDS.contact;
const MANY = DEMO_IDS.contactWithManyAttachments;

describe("GET /bigin/v2/{module}/{record_id}/Attachments: routing", () => {
  it("answers an unknown path with 404 INVALID_URL_PATTERN", async () => {
    for (const path of [
      "/bigin/v2/Contacts",
      "/bigin/v2/Contacts/1/Attachment",
      "/bigin/v1/Contacts/1/Attachments",
      "/nothing",
    ]) {
      const answer = await read(await biginFetch(sandbox, path));
      expectBiginError(
        answer,
        404,
        "INVALID_URL_PATTERN",
        {},
        "Please check if the URL trying to access is a correct one",
      );
    }
  });

  it("answers a method the path does not take with 400 INVALID_REQUEST_METHOD", async () => {
    const answer = await listAttachments(sandbox, "Contacts", JOHN, {}, { method: "PATCH" });
    expectBiginError(answer, 400, "INVALID_REQUEST_METHOD");
  });

  it("refuses an unknown module (case-sensitive) with 400 INVALID_MODULE before looking at the token", async () => {
    for (const module of ["Deals", "contacts", "Calls"]) {
      const answer = await listAttachments(
        sandbox,
        module,
        JOHN,
        { fields: "id" },
        { token: null },
      );
      expectBiginError(
        answer,
        400,
        "INVALID_MODULE",
        { resource_path_index: 0 },
        "the module name given seems to be invalid",
      );
    }
  });

  it("accepts all seven attachment modules", async () => {
    const records: Array<[string, string]> = [
      ["Contacts", DEMO_IDS.contact],
      ["Pipelines", DEMO_IDS.pipeline],
      ["Accounts", DEMO_IDS.account],
      ["Products", DEMO_IDS.product],
      ["Tasks", DEMO_IDS.task],
      ["Events", DEMO_IDS.event],
      ["Notes", DEMO_IDS.note],
    ];
    for (const [module, id] of records) {
      const answer = await listAttachments(sandbox, module, id, { fields: "$se_module" });
      expect(answer.status).toBe(200);
      expect(answer.body.data.length).toBeGreaterThan(0);
      for (const item of answer.body.data) expect(item.$se_module).toBe(module);
    }
  });
});

describe("GET .../Attachments: authentication", () => {
  it("answers a missing Authorization header with 401 AUTHENTICATION_FAILURE", async () => {
    const answer = await listAttachments(
      sandbox,
      "Contacts",
      JOHN,
      { fields: "id" },
      { token: null },
    );
    expectBiginError(answer, 401, "AUTHENTICATION_FAILURE", {}, "Authentication failed");
  });

  it("answers a scheme other than Zoho-oauthtoken with 401 AUTHENTICATION_FAILURE", async () => {
    for (const authorization of [
      "Bearer sandbox-demo-token",
      "sandbox-demo-token",
      "Zoho-oauthtoken",
    ]) {
      const response = await fetch(
        `${sandbox.url}/bigin/v2/Contacts/${JOHN}/Attachments?fields=id`,
        {
          headers: { Authorization: authorization },
        },
      );
      expectBiginError(await read(response), 401, "AUTHENTICATION_FAILURE");
    }
  });

  it("answers an unknown token with 401 INVALID_TOKEN", async () => {
    const answer = await listAttachments(
      sandbox,
      "Contacts",
      JOHN,
      { fields: "id" },
      { token: "nope" },
    );
    expectBiginError(answer, 401, "INVALID_TOKEN", {}, "invalid oauth token");
  });

  it("answers an expired token with 401 INVALID_TOKEN", async () => {
    sandbox.addToken(
      "expired-token",
      ["ZohoBigin.modules.ALL", "ZohoBigin.modules.attachments.ALL"],
      Date.now() - 1,
    );
    const answer = await listAttachments(
      sandbox,
      "Contacts",
      JOHN,
      { fields: "id" },
      { token: "expired-token" },
    );
    expectBiginError(answer, 401, "INVALID_TOKEN");
  });

  it("accepts a token added with addToken until its expiry", async () => {
    sandbox.addToken(
      "fresh-token",
      ["ZohoBigin.modules.contacts.ALL", "ZohoBigin.modules.attachments.READ"],
      Date.now() + 60_000,
    );
    const answer = await listAttachments(
      sandbox,
      "Contacts",
      JOHN,
      { fields: "id" },
      { token: "fresh-token" },
    );
    expect(answer.status).toBe(200);
  });
});

describe("GET .../Attachments: parameters", () => {
  it("requires fields: missing or empty is 400 REQUIRED_PARAM_MISSING", async () => {
    const queries: Array<Record<string, string>> = [{}, { fields: "" }, { fields: " , " }];
    for (const query of queries) {
      const answer = await listAttachments(sandbox, "Contacts", JOHN, query);
      expectBiginError(answer, 400, "REQUIRED_PARAM_MISSING", { param_name: "fields" });
    }
  });

  it("refuses more than 50 field names with 400 LIMIT_EXCEEDED", async () => {
    const fields = Array.from(
      { length: 51 },
      (_, i) => ATTACHMENT_FIELDS[i % ATTACHMENT_FIELDS.length],
    );
    const answer = await listAttachments(sandbox, "Contacts", JOHN, { fields: fields.join(",") });
    expectBiginError(answer, 400, "LIMIT_EXCEEDED", { limit: 50, param_name: "fields" });
    const fifty = await listAttachments(sandbox, "Contacts", JOHN, {
      fields: fields.slice(0, 50).join(","),
    });
    expect(fifty.status).toBe(200);
  });

  it("refuses a field name that is not an attachment field with 400 INVALID_DATA", async () => {
    const answer = await listAttachments(sandbox, "Contacts", JOHN, {
      fields: "File_Name,file_name",
    });
    expectBiginError(answer, 400, "INVALID_DATA", { api_name: "file_name" }, "invalid field name");
  });

  it("refuses per_page outside 1..200 or not an integer with 400 INVALID_DATA", async () => {
    for (const perPage of ["0", "201", "-1", "1.5", "abc", ""]) {
      const answer = await listAttachments(sandbox, "Contacts", JOHN, {
        fields: "id",
        per_page: perPage,
      });
      expectBiginError(answer, 400, "INVALID_DATA", { param_name: "per_page" });
    }
  });

  it("refuses page below 1 or not an integer with 400 INVALID_DATA", async () => {
    for (const page of ["0", "-2", "x", "2.0"]) {
      const answer = await listAttachments(sandbox, "Contacts", JOHN, { fields: "id", page });
      expectBiginError(answer, 400, "INVALID_DATA", { param_name: "page" });
    }
  });

  it("refuses page × per_page beyond 2000 without page_token with DISCRETE_PAGINATION_LIMIT_EXCEEDED", async () => {
    const answer = await listAttachments(sandbox, "Contacts", MANY, {
      fields: "id",
      page: 11,
      per_page: 200,
    });
    expectBiginError(
      answer,
      400,
      "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
      { limit: 2000 },
      "You can only get the first 2000 records without using page_token param",
    );
    const edge = await listAttachments(sandbox, "Contacts", MANY, {
      fields: "id",
      page: 10,
      per_page: 200,
    });
    expect(edge.status).toBe(204);
  });

  it("checks parameters before the record id", async () => {
    const answer = await listAttachments(sandbox, "Contacts", "123", { fields: "nope" });
    expectBiginError(answer, 400, "INVALID_DATA", { api_name: "nope" });
  });

  it("answers an unknown record id with 400 INVALID_DATA at resource_path_index 1", async () => {
    for (const id of ["2034020000000199999", "abc", DEMO_IDS.account]) {
      const answer = await listAttachments(sandbox, "Contacts", id, { fields: "id" });
      expectBiginError(
        answer,
        400,
        "INVALID_DATA",
        { resource_path_index: 1 },
        "the related id given seems to be invalid",
      );
    }
  });
});

describe("GET .../Attachments: success", () => {
  it("returns only the requested fields plus id, in Bigin's shapes", async () => {
    const answer = await listAttachments(sandbox, "Contacts", JOHN, { fields: "File_Name,Size" });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(answer.body.data).toHaveLength(5);
    for (const item of answer.body.data) {
      expect(Object.keys(item).sort()).toEqual(["File_Name", "Size", "id"]);
      expect(item.Size).toMatch(/^\d+$/);
      expect(item.id).toMatch(/^\d{19}$/);
    }
    expect(answer.body.data[0]).toEqual({
      File_Name: "Q4_Report.pdf",
      Size: "1048576",
      id: DEMO_IDS.attachments.contactPdf,
    });
  });

  it("returns every §4 field when asked, for files and links", async () => {
    const answer = await listAttachments(sandbox, "Contacts", JOHN, {
      fields: ATTACHMENT_FIELDS.join(","),
    });
    const byId = new Map<string, Record<string, unknown>>(
      answer.body.data.map((a: { id: string }) => [a.id, a]),
    );
    const pdf = byId.get(DEMO_IDS.attachments.contactPdf);
    expect(pdf).toMatchObject({
      File_Name: "Q4_Report.pdf",
      Size: "1048576",
      Parent_Id: { name: "John Doe", id: JOHN },
      $type: "File",
      $link_url: null,
      $editable: true,
      $se_module: "Contacts",
      $sharing_permission: "full_access",
      $state: "save",
      $field_states: null,
    });
    expect(pdf?.$file_id).toEqual(expect.any(String));
    expect(pdf?.$attachment_type).toEqual(expect.any(Number));
    expect(pdf?.Created_Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$/);
    expect(pdf?.Modified_Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$/);
    for (const user of ["Created_By", "Modified_By", "Owner"]) {
      expect(pdf?.[user]).toEqual({
        name: expect.any(String),
        id: expect.stringMatching(/^\d{19}$/),
        email: expect.stringContaining("@"),
      });
    }
    const link = byId.get(DEMO_IDS.attachments.contactLink);
    expect(link).toMatchObject({
      $type: "Link URL",
      Size: "0",
      $file_id: null,
      $link_url: "https://www.linkedin.com/in/john-doe-zylker",
    });
  });

  it("shows read-only attachments as not editable", async () => {
    const answer = await listAttachments(sandbox, "Accounts", DEMO_IDS.account, {
      fields: "$editable,$sharing_permission",
    });
    expect(answer.body.data).toContainEqual({
      id: DEMO_IDS.attachments.accountPdf,
      $editable: false,
      $sharing_permission: "read_only",
    });
  });

  it("answers a record without attachments with 204 and an empty body", async () => {
    const response = await fetch(
      `${sandbox.url}/bigin/v2/Contacts/${DEMO_IDS.contactWithoutAttachments}/Attachments?fields=id`,
      { headers: { Authorization: "Zoho-oauthtoken sandbox-demo-token" } },
    );
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });

  it("answers a page past the end with 204", async () => {
    const answer = await listAttachments(sandbox, "Contacts", JOHN, { fields: "id", page: 2 });
    expect(answer.status).toBe(204);
    expect(answer.text).toBe("");
  });

  it("fills info for a single page", async () => {
    const answer = await listAttachments(sandbox, "Contacts", JOHN, { fields: "id" });
    expect(answer.body.info).toEqual({
      per_page: 200,
      count: 5,
      page: 1,
      more_records: false,
      next_page_token: null,
      previous_page_token: null,
      page_token_expiry: null,
    });
  });
});

describe("GET .../Attachments: pagination", () => {
  it("pages through 450 attachments with page and per_page", async () => {
    const seen: string[] = [];
    for (const page of [1, 2, 3]) {
      const answer = await listAttachments(sandbox, "Contacts", MANY, { fields: "id", page });
      expect(answer.status).toBe(200);
      expect(answer.body.info).toMatchObject({
        page,
        per_page: 200,
        count: page < 3 ? 200 : 50,
        more_records: page < 3,
      });
      seen.push(...answer.body.data.map((a: { id: string }) => a.id));
    }
    expect(new Set(seen).size).toBe(MANY_ATTACHMENTS_COUNT);
    expect(
      (await listAttachments(sandbox, "Contacts", MANY, { fields: "id", page: 4 })).status,
    ).toBe(204);
  });

  it("issues a next_page_token with an expiry only while there are more records", async () => {
    const first = await listAttachments(sandbox, "Contacts", MANY, { fields: "id", per_page: 200 });
    expect(first.body.info.next_page_token).toEqual(expect.any(String));
    expect(first.body.info.previous_page_token).toBeNull();
    const expiry = Date.parse(first.body.info.page_token_expiry);
    expect(first.body.info.page_token_expiry).toMatch(/\+05:30$/);
    expect(expiry - Date.now()).toBeGreaterThan(23 * 3600_000);
    const last = await listAttachments(sandbox, "Contacts", MANY, { fields: "id", page: 3 });
    expect(last.body.info).toMatchObject({
      more_records: false,
      next_page_token: null,
      page_token_expiry: null,
    });
    expect(last.body.info.previous_page_token).toEqual(expect.any(String));
  });

  it("serves the page a page_token encodes, ignoring page", async () => {
    const query = { fields: "File_Name,id", per_page: 100 };
    const first = await listAttachments(sandbox, "Contacts", MANY, query);
    const second = await listAttachments(sandbox, "Contacts", MANY, {
      ...query,
      page: 7,
      page_token: first.body.info.next_page_token,
    });
    expect(second.status).toBe(200);
    expect(second.body.info).toMatchObject({ page: 2, count: 100 });
    const plain = await listAttachments(sandbox, "Contacts", MANY, { ...query, page: 2 });
    expect(second.body.data).toEqual(plain.body.data);
  });

  it("accepts the same fields in another order with a page_token", async () => {
    const first = await listAttachments(sandbox, "Contacts", MANY, {
      fields: "File_Name,Size",
      per_page: 10,
    });
    const next = await listAttachments(sandbox, "Contacts", MANY, {
      fields: "Size,File_Name",
      per_page: 10,
      page_token: first.body.info.next_page_token,
    });
    expect(next.status).toBe(200);
  });

  it("goes past the 2000-record limit with page tokens", async () => {
    const big = await startSandbox({ seed: false });
    try {
      const record = big.store.addRecord("Contacts", { name: "Archive" });
      for (let i = 0; i < 2100; i += 1) {
        big.store.addAttachment("Contacts", record.id, {
          type: "Link URL",
          title: `Link ${i}`,
          linkUrl: `https://example.com/${i}`,
        });
      }
      const query = { fields: "File_Name", per_page: 200 };
      const refused = await listAttachments(big, "Contacts", record.id, { ...query, page: 11 });
      expect(refused.body.code).toBe("DISCRETE_PAGINATION_LIMIT_EXCEEDED");
      const tenth = await listAttachments(big, "Contacts", record.id, { ...query, page: 10 });
      expect(tenth.body.info).toMatchObject({ page: 10, count: 200, more_records: true });
      const eleventh = await listAttachments(big, "Contacts", record.id, {
        ...query,
        page_token: tenth.body.info.next_page_token,
      });
      expect(eleventh.status).toBe(200);
      expect(eleventh.body.info).toMatchObject({ page: 11, count: 100, more_records: false });
      expect(eleventh.body.data[0].File_Name).toBe("Link 2000");
    } finally {
      await big.close();
    }
  });

  it("refuses a page_token with altered module, record, per_page or fields: TOKEN_BOUND_DATA_MISMATCH", async () => {
    const query = { fields: "id,File_Name", per_page: 50 };
    const first = await listAttachments(sandbox, "Contacts", MANY, query);
    const page_token: string = first.body.info.next_page_token;
    const altered: Array<[string, string, Record<string, string | number>]> = [
      ["Contacts", MANY, { ...query, per_page: 49, page_token }],
      ["Contacts", MANY, { ...query, fields: "id,File_Name,Size", page_token }],
      ["Contacts", MANY, { fields: "id", per_page: 50, page_token }],
      ["Contacts", MANY, { fields: "id,File_Name", page_token }],
      ["Contacts", JOHN, { ...query, page_token }],
      ["Accounts", DEMO_IDS.account, { ...query, page_token }],
    ];
    for (const [module, id, q] of altered) {
      const answer = await listAttachments(sandbox, module, id, q);
      expectBiginError(
        answer,
        400,
        "TOKEN_BOUND_DATA_MISMATCH",
        {},
        "The page_token given seems to be invalid or input param is added or altered or deleted",
      );
    }
  });

  it("refuses a garbage or tampered page_token with TOKEN_BOUND_DATA_MISMATCH", async () => {
    const first = await listAttachments(sandbox, "Contacts", MANY, { fields: "id" });
    const token: string = first.body.info.next_page_token;
    const [payload = "", signature = ""] = token.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), p: 3 }),
    ).toString("base64url");
    for (const bad of ["garbage", "", `${forged}.${signature}`, `${token}x`]) {
      const answer = await listAttachments(sandbox, "Contacts", MANY, {
        fields: "id",
        page_token: bad,
      });
      expectBiginError(answer, 400, "TOKEN_BOUND_DATA_MISMATCH");
    }
  });

  it("refuses an expired page_token with EXPIRED_VALUE", async () => {
    const shortLived = await startSandbox({ pageTokenTtlMs: 30 });
    try {
      const first = await listAttachments(shortLived, "Contacts", MANY, { fields: "id" });
      await new Promise((resolve) => setTimeout(resolve, 60));
      const answer = await listAttachments(shortLived, "Contacts", MANY, {
        fields: "id",
        page_token: first.body.info.next_page_token,
      });
      expectBiginError(answer, 400, "EXPIRED_VALUE", {
        api_name: "page_token",
        json_path: "$.query.page_token",
      });
    } finally {
      await shortLived.close();
    }
  });

  it("refuses a page_token from another sandbox", async () => {
    const other = await startSandbox();
    try {
      const first = await listAttachments(other, "Contacts", MANY, { fields: "id" });
      const answer = await listAttachments(sandbox, "Contacts", MANY, {
        fields: "id",
        page_token: first.body.info.next_page_token,
      });
      expect(answer.body.code).toBe("TOKEN_BOUND_DATA_MISMATCH");
    } finally {
      await other.close();
    }
  });
});
