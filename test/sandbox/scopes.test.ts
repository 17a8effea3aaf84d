import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_TOKENS,
  DEMO_IDS,
  DEMO_TOKEN,
  NO_ATTACHMENTS_TOKEN,
  READONLY_TOKEN,
  type Sandbox,
  type ScopedOperation,
  acceptedScopes,
  isOperationAllowed,
  startSandbox,
} from "../../src/sandbox/index.js";
import { expectBiginError, listAttachments } from "./helpers.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    tokens: {
      "contacts-all-token": ["ZohoBigin.modules.contacts.ALL", "ZohoBigin.modules.attachments.ALL"],
      [READONLY_TOKEN]: ["ZohoBigin.modules.contacts.READ", "ZohoBigin.modules.attachments.READ"],
    },
  });
});
afterAll(() => sandbox.close());

const RECORDS: Array<[string, string]> = [
  ["Contacts", DEMO_IDS.contact],
  ["Pipelines", DEMO_IDS.pipeline],
  ["Accounts", DEMO_IDS.account],
  ["Products", DEMO_IDS.product],
  ["Tasks", DEMO_IDS.task],
  ["Events", DEMO_IDS.event],
  ["Notes", DEMO_IDS.note],
];

describe("default tokens", () => {
  it("lets sandbox-demo-token list attachments in every module", async () => {
    for (const [module, id] of RECORDS) {
      const answer = await listAttachments(
        sandbox,
        module,
        id,
        { fields: "id" },
        { token: DEMO_TOKEN },
      );
      expect(answer.status, module).toBe(200);
    }
  });

  it("lets sandbox-readonly-token list Contacts attachments only", async () => {
    for (const [module, id] of RECORDS) {
      const answer = await listAttachments(
        sandbox,
        module,
        id,
        { fields: "id" },
        { token: READONLY_TOKEN },
      );
      if (module === "Contacts") expect(answer.status).toBe(200);
      else expectBiginError(answer, 401, "OAUTH_SCOPE_MISMATCH");
    }
  });

  it("refuses attachments to sandbox-no-attachments-token with 401 OAUTH_SCOPE_MISMATCH", async () => {
    const answer = await listAttachments(
      sandbox,
      "Contacts",
      DEMO_IDS.contact,
      { fields: "id" },
      { token: NO_ATTACHMENTS_TOKEN },
    );
    expectBiginError(answer, 401, "OAUTH_SCOPE_MISMATCH");
  });

  it("checks the scope before the parameters", async () => {
    const answer = await listAttachments(sandbox, "Accounts", "x", {}, { token: READONLY_TOKEN });
    expectBiginError(answer, 401, "OAUTH_SCOPE_MISMATCH");
  });

  it("merges the tokens option over the defaults", async () => {
    expect(Object.keys(DEFAULT_TOKENS).sort()).toEqual(
      [DEMO_TOKEN, NO_ATTACHMENTS_TOKEN, READONLY_TOKEN].sort(),
    );
    const custom = await listAttachments(
      sandbox,
      "Contacts",
      DEMO_IDS.contact,
      { fields: "id" },
      { token: "contacts-all-token" },
    );
    expect(custom.status).toBe(200);
    const other = await listAttachments(
      sandbox,
      "Notes",
      DEMO_IDS.note,
      { fields: "id" },
      { token: "contacts-all-token" },
    );
    expect(other.body.code).toBe("OAUTH_SCOPE_MISMATCH");
  });
});

describe("acceptedScopes / isOperationAllowed (bigin-api.md §2)", () => {
  it("lists the modules and attachments scopes of list and download, module lower-case", () => {
    for (const operation of ["listAttachments", "downloadAttachment"] as const) {
      expect(acceptedScopes(operation, "Pipelines")).toEqual({
        modules: [
          "ZohoBigin.modules.ALL",
          "ZohoBigin.modules.pipelines.ALL",
          "ZohoBigin.modules.pipelines.READ",
        ],
        attachments: ["ZohoBigin.modules.attachments.ALL", "ZohoBigin.modules.attachments.READ"],
      });
    }
  });

  it("needs no attachments scope for photos", () => {
    expect(acceptedScopes("uploadPhoto", "Contacts")).toEqual({
      modules: [
        "ZohoBigin.modules.ALL",
        "ZohoBigin.modules.contacts.ALL",
        "ZohoBigin.modules.contacts.WRITE",
        "ZohoBigin.modules.contacts.CREATE",
      ],
      attachments: null,
    });
  });

  const cases: Array<[ScopedOperation, string[], boolean]> = [
    [
      "listAttachments",
      ["ZohoBigin.modules.contacts.READ", "ZohoBigin.modules.attachments.READ"],
      true,
    ],
    ["listAttachments", ["ZohoBigin.modules.ALL"], false],
    ["listAttachments", ["ZohoBigin.modules.attachments.ALL"], false],
    [
      "listAttachments",
      ["ZohoBigin.modules.accounts.ALL", "ZohoBigin.modules.attachments.ALL"],
      false,
    ],
    [
      "uploadAttachment",
      ["ZohoBigin.modules.contacts.CREATE", "ZohoBigin.modules.attachments.WRITE"],
      true,
    ],
    [
      "uploadAttachment",
      ["ZohoBigin.modules.contacts.WRITE", "ZohoBigin.modules.attachments.READ"],
      false,
    ],
    [
      "uploadAttachment",
      ["ZohoBigin.modules.contacts.READ", "ZohoBigin.modules.attachments.ALL"],
      false,
    ],
    [
      "downloadAttachment",
      ["zohobigin.modules.contacts.read", "ZohoBigin.modules.attachments.read"],
      true,
    ],
    [
      "deleteAttachment",
      ["ZohoBigin.modules.contacts.DELETE", "ZohoBigin.modules.attachments.DELETE"],
      true,
    ],
    [
      "deleteAttachment",
      ["ZohoBigin.modules.contacts.DELETE", "ZohoBigin.modules.attachments.WRITE"],
      false,
    ],
    ["uploadPhoto", ["ZohoBigin.modules.contacts.WRITE"], true],
    ["uploadPhoto", ["ZohoBigin.modules.contacts.READ"], false],
    ["downloadPhoto", ["ZohoBigin.modules.contacts.READ"], true],
    ["downloadPhoto", ["ZohoBigin.modules.ALL"], true],
    ["deletePhoto", ["ZohoBigin.modules.contacts.ALL"], true],
    ["deletePhoto", ["ZohoBigin.modules.contacts.WRITE"], false],
  ];
  it.each(cases)("decides %s with %j on Contacts: %s", (operation, scopes, allowed) => {
    expect(isOperationAllowed(scopes, operation, "Contacts")).toBe(allowed);
  });
});
