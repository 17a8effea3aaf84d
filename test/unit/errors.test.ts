import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { BiginApiError, BiginTransportError } from "../../src/bigin/errors.js";
import { toGraphQLError } from "../../src/graphql/errors.js";

const apiError = (
  status: number,
  code: string | undefined,
  details: Record<string, unknown> = {},
) =>
  new BiginApiError({
    status,
    code,
    message: "msg",
    details,
    method: "GET",
    path: "/Contacts/1/Attachments",
  });

describe("toGraphQLError", () => {
  it.each([
    [401, "INVALID_TOKEN", {}, "UNAUTHENTICATED", false],
    [401, "AUTHENTICATION_FAILURE", {}, "UNAUTHENTICATED", false],
    [401, "AUTHENTICATION_FAILED", {}, "UNAUTHENTICATED", false],
    [401, "OAUTH_SCOPE_MISMATCH", {}, "FORBIDDEN", false],
    [403, "NO_PERMISSION", {}, "FORBIDDEN", false],
    [400, "AUTHORIZATION_FAILED", {}, "FORBIDDEN", false],
    [400, "CANNOT_PERFORM_ACTION", {}, "FORBIDDEN", false],
    [400, "INVALID_DATA", { resource_path_index: 1 }, "NOT_FOUND", false],
    [400, "INVALID_DATA", { resource_path_index: 3 }, "NOT_FOUND", false],
    [404, "INVALID_URL_PATTERN", {}, "NOT_FOUND", false],
    [400, "INVALID_MODULE", { resource_path_index: 0 }, "BAD_USER_INPUT", false],
    [400, "INVALID_DATA", { param_name: "per_page" }, "BAD_USER_INPUT", false],
    [400, "REQUIRED_PARAM_MISSING", {}, "BAD_USER_INPUT", false],
    [400, "LIMIT_EXCEEDED", {}, "BAD_USER_INPUT", false],
    [400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED", {}, "BAD_USER_INPUT", false],
    [400, "EXPIRED_VALUE", {}, "BAD_USER_INPUT", false],
    [400, "TOKEN_BOUND_DATA_MISMATCH", {}, "BAD_USER_INPUT", false],
    [400, "DOWNLOAD_NOT_ALLOWED", {}, "BAD_USER_INPUT", false],
    [413, "FILE_SIZE_MORE_THAN_ALLOWED_SIZE", {}, "BAD_USER_INPUT", false],
    [413, "FILE_SIZE_EXCEEDS", {}, "BAD_USER_INPUT", false],
    [415, "FILE_RESOLUTION_EXCEEDS", {}, "BAD_USER_INPUT", false],
    [429, "TOO_MANY_REQUESTS", {}, "RATE_LIMITED", true],
    [500, "INTERNAL_ERROR", {}, "UPSTREAM_ERROR", true],
    [503, "SOMETHING_NEW", {}, "UPSTREAM_ERROR", true],
    [400, "SOMETHING_NEW", {}, "UPSTREAM_ERROR", false],
  ] as const)("maps HTTP %i %s %j to %s", (status, code, details, expected, retryable) => {
    const error = toGraphQLError(apiError(status, code, details)) as GraphQLError;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.extensions).toMatchObject({
      code: expected,
      retryable,
      bigin: { code, status, message: "msg", details },
    });
  });

  it("carries retryAfterSeconds when Bigin sent Retry-After", () => {
    const error = new BiginApiError({
      status: 429,
      code: "TOO_MANY_REQUESTS",
      message: "slow down",
      details: {},
      method: "GET",
      path: "/x",
      retryAfterSeconds: 7,
    });
    expect((toGraphQLError(error) as GraphQLError).extensions).toMatchObject({
      code: "RATE_LIMITED",
      retryable: true,
      retryAfterSeconds: 7,
    });
  });

  it.each(["timeout", "network", "malformed"] as const)(
    "maps a %s failure to UPSTREAM_UNAVAILABLE",
    (reason) => {
      const error = toGraphQLError(
        new BiginTransportError(reason, "boom", "GET", "/x"),
      ) as GraphQLError;
      expect(error.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", retryable: true });
    },
  );

  it("leaves INVALID_REQUEST_METHOD and unknown errors for Apollo to mask", () => {
    const method = apiError(400, "INVALID_REQUEST_METHOD");
    expect(toGraphQLError(method)).toBe(method);
    const bug = new TypeError("bug");
    expect(toGraphQLError(bug)).toBe(bug);
  });
});
