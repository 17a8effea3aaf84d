import { biginErrors } from "../errors.js";
import { type PageTokenBinding, sameBinding } from "../page-tokens.js";
import { jsonResponse, noContent } from "../respond.js";
import { type RouteContext, type RouteHandler, param } from "../router.js";
import { formatBiginTime, isAttachmentField } from "../store.js";

export const MAX_FIELDS = 50;
export const MAX_PER_PAGE = 200;
/** page × per_page may not go past this without a page_token. */
export const DISCRETE_PAGINATION_LIMIT = 2000;

/** `fields`: required, ≤ 50 names, each a §4 field. Returns them in the order given, unique. */
function parseFields(raw: string | undefined): string[] {
  const names = (raw ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw biginErrors.requiredParamMissing("fields");
  if (names.length > MAX_FIELDS) throw biginErrors.limitExceeded("fields", MAX_FIELDS);
  const unknown = names.find((name) => !isAttachmentField(name));
  if (unknown !== undefined) throw biginErrors.invalidFieldName(unknown);
  return [...new Set(names)];
}

function parseInteger(
  raw: string | undefined,
  name: string,
  fallback: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) throw biginErrors.invalidParam(name);
  return value;
}

/** The page a request asks for: from its page_token, else from `page` (within the 2000 limit). */
function requestedPage(ctx: RouteContext, binding: PageTokenBinding): number {
  const token = ctx.query.page_token;
  if (token === undefined) {
    const page = parseInteger(ctx.query.page, "page", 1, Number.MAX_SAFE_INTEGER);
    if (page * binding.perPage > DISCRETE_PAGINATION_LIMIT) {
      throw biginErrors.discretePaginationLimit(DISCRETE_PAGINATION_LIMIT);
    }
    return page;
  }
  const read = ctx.state.pageTokens.read(token);
  if (read.kind === "expired") throw biginErrors.expiredPageToken();
  if (read.kind === "invalid" || !sameBinding(read.binding, binding)) {
    throw biginErrors.pageTokenMismatch();
  }
  return read.page;
}

/** GET /bigin/v2/{module}/{record_id}/Attachments (bigin-api.md §3.1, §6). */
export const listAttachments: RouteHandler = {
  operation: "listAttachments",
  handle(ctx) {
    const module = param(ctx, "module");
    const recordId = param(ctx, "recordId");
    const fields = parseFields(ctx.query.fields);
    const perPage = parseInteger(ctx.query.per_page, "per_page", MAX_PER_PAGE, MAX_PER_PAGE);
    const binding: PageTokenBinding = { module, recordId, perPage, fields: [...fields].sort() };
    const page = requestedPage(ctx, binding);

    const { store, pageTokens } = ctx.state;
    if (store.getRecord(module, recordId) === undefined) throw biginErrors.invalidRecordId();
    const all = store.listAttachments(module, recordId);
    const start = (page - 1) * perPage;
    const items = all.slice(start, start + perPage);
    if (items.length === 0) return noContent();

    const next = start + perPage < all.length ? pageTokens.issue(binding, page + 1) : null;
    const previous = page > 1 ? pageTokens.issue(binding, page - 1) : null;
    const data = items.map((attachment) => {
      const full: Record<string, unknown> = store.toBigin(attachment);
      const item: Record<string, unknown> = {};
      for (const field of fields) item[field] = full[field];
      item.id = attachment.id;
      return item;
    });
    return jsonResponse(200, {
      data,
      info: {
        per_page: perPage,
        count: data.length,
        page,
        more_records: next !== null,
        next_page_token: next?.token ?? null,
        previous_page_token: previous?.token ?? null,
        page_token_expiry:
          next === null ? null : formatBiginTime(next.expiresAt, store.timeZoneOffsetMinutes),
      },
    });
  },
};
