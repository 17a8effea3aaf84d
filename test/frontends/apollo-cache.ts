import { InMemoryCache, makeVar, type FieldReadFunction, type ReactiveVar } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

/** How long before its expiry a signed link is treated as gone (time to click it). */
const LINK_MARGIN_MS = 30_000;

/**
 * The time signed links are judged by: a reactive variable, so that cached results that read it
 * are computed anew (and watched queries told) whenever it is set. An app sets it every few
 * seconds: `setInterval(() => linkClock(Date.now()), 10_000)`.
 */
export const createLinkClock = (): ReactiveVar<number> => makeVar(Date.now());

/**
 * A signed link field (`downloadUrl`, `photoUrl`) that reads as missing once its expiry
 * (`<field>ExpiresAt`) is near, so that a `cache-first` query asks the server for a fresh one.
 */
function freshLink(
  expiryField: string,
  now: ReactiveVar<number>,
): FieldReadFunction<string | null> {
  return (url, { readField }) => {
    const expiresAt = readField<string | null>(expiryField);
    if (url == null || typeof expiresAt !== "string") return url;
    return Date.parse(expiresAt) - now() > LINK_MARGIN_MS ? url : undefined;
  };
}

/** The cache the README's Frontends section shows: what an Apollo Client app of this API needs. */
export function createCache(now: ReactiveVar<number>): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      BiginRecord: {
        // The federation key: record ids are unique within a module.
        keyFields: ["module", "id"],
        fields: {
          // One list per record for cursor paging (`first` and `after` are not part of the key,
          // so fetchMore may change `first`); page-number reads are kept apart by page and size.
          attachments: relayStylePagination((args) =>
            args?.page == null ? false : ["page", "first"],
          ),
          photoUrl: { read: freshLink("photoUrlExpiresAt", now) },
        },
      },
      BiginAttachment: {
        fields: { downloadUrl: { read: freshLink("downloadUrlExpiresAt", now) } },
      },
    },
  });
}
