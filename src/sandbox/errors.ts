/** Bigin's error codes as the sandbox sends them (bigin-api.md §5.2). */
export const BiginErrorCode = {
  INVALID_URL_PATTERN: "INVALID_URL_PATTERN",
  INVALID_REQUEST_METHOD: "INVALID_REQUEST_METHOD",
  INVALID_MODULE: "INVALID_MODULE",
  AUTHENTICATION_FAILURE: "AUTHENTICATION_FAILURE",
  INVALID_TOKEN: "INVALID_TOKEN",
  OAUTH_SCOPE_MISMATCH: "OAUTH_SCOPE_MISMATCH",
  NO_PERMISSION: "NO_PERMISSION",
  REQUIRED_PARAM_MISSING: "REQUIRED_PARAM_MISSING",
  LIMIT_EXCEEDED: "LIMIT_EXCEEDED",
  INVALID_DATA: "INVALID_DATA",
  DISCRETE_PAGINATION_LIMIT_EXCEEDED: "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
  EXPIRED_VALUE: "EXPIRED_VALUE",
  TOKEN_BOUND_DATA_MISMATCH: "TOKEN_BOUND_DATA_MISMATCH",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  INTERNAL_ERROR: "INTERNAL_ERROR",
  DOWNLOAD_NOT_ALLOWED: "DOWNLOAD_NOT_ALLOWED",
  FILE_SIZE_MORE_THAN_ALLOWED_SIZE: "FILE_SIZE_MORE_THAN_ALLOWED_SIZE",
  FILE_SIZE_EXCEEDS: "FILE_SIZE_EXCEEDS",
  FILE_RESOLUTION_EXCEEDS: "FILE_RESOLUTION_EXCEEDS",
} as const;

/** Bigin's request-level error body: always these four keys. */
export interface BiginErrorBody {
  code: string;
  details: Record<string, unknown>;
  message: string;
  status: "error";
}

export const JSON_CONTENT_TYPE = "application/json;charset=UTF-8";

export function biginErrorBody(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): BiginErrorBody {
  return { code, details, message, status: "error" };
}

/** Thrown by route handlers; the router turns it into Bigin's JSON error answer. */
export class BiginHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "BiginHttpError";
  }

  get body(): BiginErrorBody {
    return biginErrorBody(this.code, this.message, this.details);
  }
}

const C = BiginErrorCode;

/** The errors the sandbox raises, with Bigin's statuses, messages and details. */
export const biginErrors = {
  invalidUrlPattern: () =>
    new BiginHttpError(
      404,
      C.INVALID_URL_PATTERN,
      "Please check if the URL trying to access is a correct one",
    ),
  invalidRequestMethod: () =>
    new BiginHttpError(
      400,
      C.INVALID_REQUEST_METHOD,
      "The http request method type is not a valid one",
    ),
  invalidModule: () =>
    new BiginHttpError(400, C.INVALID_MODULE, "the module name given seems to be invalid", {
      resource_path_index: 0,
    }),
  authenticationFailure: () =>
    new BiginHttpError(401, C.AUTHENTICATION_FAILURE, "Authentication failed"),
  invalidToken: () => new BiginHttpError(401, C.INVALID_TOKEN, "invalid oauth token"),
  scopeMismatch: () =>
    new BiginHttpError(401, C.OAUTH_SCOPE_MISMATCH, "invalid oauth scope to access this URL"),
  requiredParamMissing: (paramName: string) =>
    new BiginHttpError(400, C.REQUIRED_PARAM_MISSING, "One of the expected parameter is missing", {
      param_name: paramName,
    }),
  limitExceeded: (paramName: string, limit: number) =>
    new BiginHttpError(400, C.LIMIT_EXCEEDED, "limit exceeded", {
      limit,
      param_name: paramName,
    }),
  invalidFieldName: (apiName: string) =>
    new BiginHttpError(400, C.INVALID_DATA, "invalid field name", { api_name: apiName }),
  invalidParam: (paramName: string) =>
    new BiginHttpError(400, C.INVALID_DATA, "invalid data", { param_name: paramName }),
  discretePaginationLimit: (limit: number) =>
    new BiginHttpError(
      400,
      C.DISCRETE_PAGINATION_LIMIT_EXCEEDED,
      `You can only get the first ${limit} records without using page_token param`,
      { limit },
    ),
  expiredPageToken: () =>
    new BiginHttpError(400, C.EXPIRED_VALUE, "Page token expired", {
      api_name: "page_token",
      json_path: "$.query.page_token",
    }),
  pageTokenMismatch: () =>
    new BiginHttpError(
      400,
      C.TOKEN_BOUND_DATA_MISMATCH,
      "The page_token given seems to be invalid or input param is added or altered or deleted",
    ),
  invalidRecordId: () =>
    new BiginHttpError(400, C.INVALID_DATA, "the related id given seems to be invalid", {
      resource_path_index: 1,
    }),
  invalidAttachmentId: () =>
    new BiginHttpError(400, C.INVALID_DATA, "record not deleted", { resource_path_index: 3 }),
  downloadNotAllowed: () =>
    new BiginHttpError(
      400,
      C.DOWNLOAD_NOT_ALLOWED,
      "As it is a linked attachment, you can not download it",
    ),
  attachmentTooLarge: () =>
    new BiginHttpError(
      413,
      C.FILE_SIZE_MORE_THAN_ALLOWED_SIZE,
      "Please check if the size of the file is in the correct range",
    ),
  photoTooLarge: (limit: number) =>
    new BiginHttpError(413, C.FILE_SIZE_EXCEEDS, "File exceeded its maximum limit", {
      size: limit,
    }),
  photoResolutionExceeds: (resolution: number) =>
    new BiginHttpError(
      415,
      C.FILE_RESOLUTION_EXCEEDS,
      "File resolution exceeded its maximum limit",
      {
        resolution,
      },
    ),
  invalidFileType: (status = 415) =>
    new BiginHttpError(status, C.INVALID_DATA, "invalid file type"),
  invalidAttachmentUrl: () =>
    new BiginHttpError(400, C.INVALID_URL_PATTERN, "the given attachment URL is incorrect"),
  tooManyRequests: (message = "too many requests; the concurrency limit was exceeded") =>
    new BiginHttpError(429, C.TOO_MANY_REQUESTS, message),
};
