import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AttachmentNamesDocument } from "../generated/graphql.js";
import { IDS } from "../helpers/ids.js";
import { startStack, type Stack } from "../helpers/stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ BIGIN_TIMEOUT_MS: "300" });
});
afterAll(() => stack.close());
beforeEach(() => stack.reset());

const names = (id: string = IDS.rich, module = "Contacts") =>
  stack.gql(AttachmentNamesDocument, { module: module as "Contacts", id });

describe("Bigin errors become typed GraphQL errors", () => {
  it.each([
    [401, "INVALID_TOKEN", {}, "UNAUTHENTICATED", false],
    [401, "AUTHENTICATION_FAILURE", {}, "UNAUTHENTICATED", false],
    [401, "OAUTH_SCOPE_MISMATCH", {}, "FORBIDDEN", false],
    [403, "NO_PERMISSION", {}, "FORBIDDEN", false],
    [400, "AUTHORIZATION_FAILED", {}, "FORBIDDEN", false],
    [400, "CANNOT_PERFORM_ACTION", {}, "FORBIDDEN", false],
    [404, "INVALID_URL_PATTERN", {}, "NOT_FOUND", false],
    [400, "INVALID_MODULE", { resource_path_index: 0 }, "BAD_USER_INPUT", false],
    [400, "INVALID_DATA", { param_name: "per_page" }, "BAD_USER_INPUT", false],
    [400, "REQUIRED_PARAM_MISSING", { param_name: "fields" }, "BAD_USER_INPUT", false],
    [400, "LIMIT_EXCEEDED", { limit: 50, param_name: "fields" }, "BAD_USER_INPUT", false],
    [400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED", { limit: 2000 }, "BAD_USER_INPUT", false],
    [400, "EXPIRED_VALUE", { api_name: "page_token" }, "BAD_USER_INPUT", false],
    [400, "TOKEN_BOUND_DATA_MISMATCH", {}, "BAD_USER_INPUT", false],
    [500, "INTERNAL_ERROR", {}, "UPSTREAM_ERROR", true],
    [400, "A_CODE_WE_NEVER_SAW", {}, "UPSTREAM_ERROR", false],
  ] as const)("HTTP %i %s → %s", async (status, code, details, expected, retryable) => {
    stack.sandbox.faults.error(status, code, { details, message: `sandbox says ${code}` });
    const { status: httpStatus, body } = await names();
    expect(httpStatus).toBe(200);
    expect(body.data).toEqual({ record: { module: "Contacts", id: IDS.rich, attachments: null } });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      path: ["record", "attachments"],
      extensions: {
        code: expected,
        retryable,
        bigin: { code, status, message: `sandbox says ${code}`, details },
      },
    });
    expect(stack.calls()).toHaveLength(1);
  });

  it("maps an unknown record (INVALID_DATA, resource_path_index 1) to NOT_FOUND", async () => {
    const { body } = await names("1234567890123456789");
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "NOT_FOUND",
      bigin: { code: "INVALID_DATA", status: 400, details: { resource_path_index: 1 } },
    });
  });

  it("maps a token without the scope to FORBIDDEN", async () => {
    const { body } = await stack.gql(
      AttachmentNamesDocument,
      { module: "Pipelines", id: IDS.byModule.Pipelines },
      { token: "sandbox-readonly-token" },
    );
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "FORBIDDEN",
      bigin: { code: "OAUTH_SCOPE_MISMATCH", status: 401 },
    });
  });

  it("maps a token Bigin does not know to UNAUTHENTICATED", async () => {
    const { body } = await stack.gql(
      AttachmentNamesDocument,
      { module: "Contacts", id: IDS.rich },
      { token: "nope" },
    );
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      bigin: { code: "INVALID_TOKEN", status: 401 },
    });
  });

  it("maps 429 to RATE_LIMITED with retryAfterSeconds when Retry-After is sent", async () => {
    stack.sandbox.faults.rateLimit({ retryAfter: 30 });
    const { body } = await names();
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "RATE_LIMITED",
      retryable: true,
      retryAfterSeconds: 30,
      bigin: { code: "TOO_MANY_REQUESTS", status: 429 },
    });
  });

  it("maps 429 without Retry-After to RATE_LIMITED without retryAfterSeconds", async () => {
    stack.sandbox.faults.rateLimit();
    const { body } = await names();
    expect(body.errors![0]!.extensions).toMatchObject({ code: "RATE_LIMITED", retryable: true });
    expect(body.errors![0]!.extensions).not.toHaveProperty("retryAfterSeconds");
  });

  it.each([
    ["an HTML 502", { html: true, status: 502 }],
    ["a malformed JSON body", { malformed: true }],
    ["a reset connection", { reset: true }],
    ["no answer within BIGIN_TIMEOUT_MS", { hang: true }],
  ] as const)("maps %s to UPSTREAM_UNAVAILABLE", async (_name, fault) => {
    stack.sandbox.faults.add(fault);
    const started = Date.now();
    const { body } = await names();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(body.data).toEqual({ record: { module: "Contacts", id: IDS.rich, attachments: null } });
    expect(body.errors![0]!.extensions).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      retryable: true,
    });
  });

  it("masks INVALID_REQUEST_METHOD as INTERNAL_SERVER_ERROR", async () => {
    stack.sandbox.faults.error(400, "INVALID_REQUEST_METHOD");
    const { body } = await names();
    expect(body.errors![0]).toMatchObject({
      message: "Internal server error",
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
    expect(body.errors![0]!.extensions).not.toHaveProperty("bigin");
  });

  it("keeps the other records' data when one record fails", async () => {
    const { body } = await stack.gql(`{
      good: record(module: Contacts, id: "${IDS.rich}") { id attachments { nodes { fileName } } }
      bad: record(module: Contacts, id: "1234567890123456789") { id attachments { nodes { fileName } } }
      other: record(module: Accounts, id: "${IDS.byModule.Accounts}") { attachments { nodes { fileName } } }
    }`);
    const data = body.data as Record<
      string,
      { id?: string; attachments: { nodes: unknown[] } | null }
    >;
    expect(data.good!.attachments!.nodes.length).toBeGreaterThan(0);
    expect(data.other!.attachments!.nodes.length).toBeGreaterThan(0);
    expect(data.bad).toEqual({ id: "1234567890123456789", attachments: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      path: ["bad", "attachments"],
      extensions: { code: "NOT_FOUND" },
    });
  });
});

describe("our own checks", () => {
  it.each([
    ["a non-numeric id", `record(module: Contacts, id: "abc")`, "", "id"],
    ["a 20-digit id", `record(module: Contacts, id: "12345678901234567890")`, "", "id"],
    ["an id with a path in it", `record(module: Contacts, id: "1/../2")`, "", "id"],
    ["first 0", `record(module: Contacts, id: "${IDS.rich}")`, "(first: 0)", "first"],
    ["first 201", `record(module: Contacts, id: "${IDS.rich}")`, "(first: 201)", "first"],
    ["page 0", `record(module: Contacts, id: "${IDS.rich}")`, "(page: 0)", "page"],
    [
      "page × first past 2000",
      `record(module: Contacts, id: "${IDS.rich}")`,
      "(first: 200, page: 11)",
      "page",
    ],
    ["an empty page token", `record(module: Contacts, id: "${IDS.rich}")`, '(after: "")', "after"],
  ])(
    "refuses %s with BAD_USER_INPUT naming the argument and no Bigin call",
    async (_name, record, args, argumentName) => {
      const { body } = await stack.gql(`{ ${record} { attachments${args} { nodes { id } } } }`);
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", argumentName });
      expect(body.errors![0]!.message).toContain(argumentName);
      expect(stack.calls()).toHaveLength(0);
    },
  );

  it("refuses an unknown module before execution, with no Bigin call", async () => {
    const { status, body } = await stack.gql(
      `{ record(module: Calls, id: "1") { attachments { nodes { id } } } }`,
    );
    expect(status).toBe(200);
    expect(body.errors![0]!.extensions!.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(body.errors![0]!.message).toContain("Calls");
    expect(stack.calls()).toHaveLength(0);
  });

  it("refuses a wrongly typed variable with BAD_USER_INPUT and no Bigin call", async () => {
    const { status, body } = await stack.gql(AttachmentNamesDocument, {
      module: "Leads" as "Contacts",
      id: IDS.rich,
    });
    expect(status).toBe(200);
    expect(body.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    expect(stack.calls()).toHaveLength(0);
  });
});

describe("a malformed record id", () => {
  it.each([
    ["letters", "abc"],
    ["20 digits", "12345678901234567890"],
    ["empty", ""],
  ])("(%s) nulls only the record it was asked for", async (_what, bad) => {
    const { status, body } = await stack.gql(
      `query ($bad: ID!) {
        good: record(module: Contacts, id: "${IDS.rich}") { module id attachments(first: 1) { pageInfo { count } } }
        bad: record(module: Contacts, id: $bad) { module id attachments(first: 1) { pageInfo { count } } }
      }`,
      { bad },
    );
    expect(status).toBe(200);
    expect(body.data).toEqual({
      good: { module: "Contacts", id: IDS.rich, attachments: { pageInfo: { count: 1 } } },
      bad: null,
    });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      path: ["bad"],
      extensions: { code: "BAD_USER_INPUT", argumentName: "id" },
    });
    // The good record's page only: nothing was asked of Bigin for the bad one.
    expect(stack.calls()).toHaveLength(1);
  });
});

describe("credentials", () => {
  it("answers UNAUTHENTICATED with no Bigin call when no credential is sent", async () => {
    const { body } = await stack.gql(
      AttachmentNamesDocument,
      { module: "Contacts", id: IDS.rich },
      { token: null },
    );
    expect(body.data).toEqual({ record: { module: "Contacts", id: IDS.rich, attachments: null } });
    expect(body.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
    expect(stack.calls()).toHaveLength(0);
  });

  it("answers fields that need no Bigin call without a credential", async () => {
    const { body } = await stack.gql(
      `{ record(module: Contacts, id: "${IDS.rich}") { __typename id module } __schema { queryType { name } } }`,
      {},
      { token: null },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      record: { __typename: "BiginRecord", id: IDS.rich, module: "Contacts" },
    });
  });

  it("forwards a Bearer token as Zoho-oauthtoken", async () => {
    const { body } = await stack.gql(
      AttachmentNamesDocument,
      { module: "Contacts", id: IDS.rich },
      {
        authorization: "Bearer sandbox-demo-token",
      },
    );
    expect(body.errors).toBeUndefined();
    expect(stack.calls()[0]!.authorization).toBe("Zoho-oauthtoken sandbox-demo-token");
  });

  it("refuses another Authorization scheme with UNAUTHENTICATED and never echoes it", async () => {
    const { body } = await stack.gql(
      AttachmentNamesDocument,
      { module: "Contacts", id: IDS.rich },
      {
        authorization: "Basic c2VjcmV0LXZhbHVl",
      },
    );
    expect(body.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
    expect(JSON.stringify(body)).not.toContain("c2VjcmV0LXZhbHVl");
    expect(stack.calls()).toHaveLength(0);
  });
});

describe("the README's error example", () => {
  it("is what the server answers for a record Bigin does not know", async () => {
    const example = JSON.parse(
      readFileSync(new URL("../examples/not-found-error.json", import.meta.url), "utf8"),
    ) as unknown;
    const { body } = await names("2034020000000199999");
    expect(body.errors).toHaveLength(1);
    const { locations: _locations, ...error } = body.errors![0] as Record<string, unknown>;
    expect(error).toEqual(example);
  });
});
