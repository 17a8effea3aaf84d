import { GraphQLError } from "graphql";
import {
  BiginAbortError,
  BiginApiError,
  BiginAuthError,
  BiginBudgetError,
  BiginQueueFullError,
  BiginTransportError,
} from "../bigin/errors.js";

/** The stable `extensions.code` values this API answers with (design.md §3). */
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  RATE_LIMITED: "RATE_LIMITED",
  UPSTREAM_ERROR: "UPSTREAM_ERROR",
  UPSTREAM_UNAVAILABLE: "UPSTREAM_UNAVAILABLE",
  QUERY_TOO_EXPENSIVE: "QUERY_TOO_EXPENSIVE",
  UNREPRESENTABLE_VALUE: "UNREPRESENTABLE_VALUE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const UNAUTHENTICATED = new Set([
  "INVALID_TOKEN",
  "AUTHENTICATION_FAILURE",
  "AUTHENTICATION_FAILED",
]);
const FORBIDDEN = new Set([
  "OAUTH_SCOPE_MISMATCH",
  "NO_PERMISSION",
  "AUTHORIZATION_FAILED",
  "CANNOT_PERFORM_ACTION",
]);
const BAD_USER_INPUT = new Set([
  "INVALID_MODULE",
  "INVALID_DATA",
  "REQUIRED_PARAM_MISSING",
  "LIMIT_EXCEEDED",
  "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
  "EXPIRED_VALUE",
  "TOKEN_BOUND_DATA_MISMATCH",
  "DOWNLOAD_NOT_ALLOWED",
  "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
  "FILE_SIZE_EXCEEDS",
  "FILE_RESOLUTION_EXCEEDS",
]);

/** design.md §3: Bigin's code and HTTP status → our stable code and whether a retry may help. */
export function classifyBiginError(error: BiginApiError): { code: ErrorCode; retryable: boolean } {
  const biginCode = error.code ?? "";
  const index = error.details.resource_path_index;
  if (biginCode === "INVALID_DATA" && (index === 1 || index === 3)) {
    return { code: ErrorCode.NOT_FOUND, retryable: false };
  }
  if (biginCode === "INVALID_URL_PATTERN") return { code: ErrorCode.NOT_FOUND, retryable: false };
  if (UNAUTHENTICATED.has(biginCode)) return { code: ErrorCode.UNAUTHENTICATED, retryable: false };
  if (FORBIDDEN.has(biginCode) || error.status === 403) {
    return { code: ErrorCode.FORBIDDEN, retryable: false };
  }
  if (BAD_USER_INPUT.has(biginCode) || biginCode.startsWith("FILE_SIZE_")) {
    return { code: ErrorCode.BAD_USER_INPUT, retryable: false };
  }
  if (biginCode === "TOO_MANY_REQUESTS" || error.status === 429) {
    return { code: ErrorCode.RATE_LIMITED, retryable: true };
  }
  if (biginCode === "INVALID_REQUEST_METHOD") {
    return { code: ErrorCode.INTERNAL_SERVER_ERROR, retryable: false };
  }
  if (error.status === 401) return { code: ErrorCode.UNAUTHENTICATED, retryable: false };
  return { code: ErrorCode.UPSTREAM_ERROR, retryable: error.status >= 500 };
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: "Bigin did not accept the access token",
  FORBIDDEN: "Bigin refused: the token or its user lacks the permission",
  NOT_FOUND: "Bigin has no such record or attachment",
  BAD_USER_INPUT: "Bigin refused the request",
  RATE_LIMITED: "Bigin's rate limit was reached",
  UPSTREAM_ERROR: "Bigin failed to answer the request",
};

/**
 * Any error from the Bigin layer → a GraphQLError with typed extensions. Errors we do not know
 * are returned as they are, for Apollo to mask as INTERNAL_SERVER_ERROR (and log).
 */
export function toGraphQLError(error: unknown): GraphQLError | unknown {
  if (error instanceof GraphQLError) return error;
  if (error instanceof BiginApiError) {
    const { code, retryable } = classifyBiginError(error);
    if (code === ErrorCode.INTERNAL_SERVER_ERROR) return error;
    const detail = error.code ? ` (${error.code}: ${error.message})` : ` (HTTP ${error.status})`;
    return new GraphQLError(`${MESSAGES[code] ?? "Bigin refused the request"}${detail}`, {
      extensions: {
        code,
        retryable,
        ...(error.retryAfterSeconds !== undefined && {
          retryAfterSeconds: error.retryAfterSeconds,
        }),
        bigin: {
          code: error.code ?? null,
          status: error.status,
          message: error.message,
          details: error.details,
        },
      },
    });
  }
  if (error instanceof BiginTransportError) {
    return new GraphQLError(`Bigin is unavailable: ${error.message}`, {
      extensions: {
        code: ErrorCode.UPSTREAM_UNAVAILABLE,
        retryable: true,
        reason: error.reason,
        ...(error.status !== undefined && {
          bigin: { code: null, status: error.status, message: error.message, details: {} },
        }),
      },
    });
  }
  if (error instanceof BiginQueueFullError) {
    return new GraphQLError(error.message, {
      extensions: { code: ErrorCode.RATE_LIMITED, retryable: true, retryAfterSeconds: 1 },
    });
  }
  if (error instanceof BiginBudgetError) {
    return new GraphQLError(error.message, {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        retryable: true,
        retryAfterSeconds: error.retryAfterSeconds,
        reason: error.reason,
      },
    });
  }
  if (error instanceof BiginAuthError) {
    return new GraphQLError(error.message, {
      extensions: {
        code: ErrorCode.UNAUTHENTICATED,
        retryable: error.reason !== "rejected",
        ...(error.retryAfterSeconds !== undefined && {
          retryAfterSeconds: error.retryAfterSeconds,
        }),
        oauth: { reason: error.reason, error: error.oauthError ?? null },
      },
    });
  }
  if (error instanceof BiginAbortError) {
    return new GraphQLError("The request was cancelled before Bigin answered", {
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, retryable: true, reason: "aborted" },
    });
  }
  return error;
}

export function badUserInput(message: string, argumentName: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, argumentName },
  });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

const MAX_SHOWN_VALUE = 64;

/**
 * The field error for a value Bigin sent that the field's GraphQL type cannot hold, naming the
 * value and why: such a field is never a silent null.
 */
export function unrepresentable(biginField: string, value: unknown, reason: string): GraphQLError {
  const raw = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const shown = raw.length > MAX_SHOWN_VALUE ? `${raw.slice(0, MAX_SHOWN_VALUE)}…` : raw;
  return new GraphQLError(`Bigin sent ${biginField} "${shown}", which is ${reason}`, {
    extensions: {
      code: ErrorCode.UNREPRESENTABLE_VALUE,
      retryable: false,
      bigin: { field: biginField, value: shown },
    },
  });
}
