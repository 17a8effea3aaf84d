import {
  InMemoryCache,
  makeVar,
  type FieldPolicy,
  type FieldReadFunction,
  type ReactiveVar,
} from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

// Signed links are judged by this clock: a reactive variable, so that setting it re-reads the
// cached links and watched queries refetch the ones about to expire. An app ticks it:
// setInterval(() => linkClock(Date.now()), 10_000);
export const linkClock: ReactiveVar<number> = makeVar(Date.now());

// downloadUrl / photoUrl read as missing 30 s before `<field>ExpiresAt`: cache-first then asks
// the server for a fresh link instead of handing out one that fails with 403.
const freshLink =
  (expiryField: string, clock: ReactiveVar<number>): FieldReadFunction<string | null> =>
  (url, { readField }) => {
    const expiresAt = readField<string | null>(expiryField);
    if (url == null || typeof expiresAt !== "string") return url;
    return Date.parse(expiresAt) - clock() > 30_000 ? url : undefined;
  };

// One list per record for cursor paging: neither `first` nor `after` is a key, so fetchMore may
// change `first`; page-number reads (`page`) are kept apart by page and size.
const relay = relayStylePagination((args) => (args?.page == null ? false : ["page", "first"]));

// A list the server could not read arrives as null (with an error): keep it null rather than
// an empty connection, and keep what was read when only a later page (fetchMore) failed.
const attachments: FieldPolicy = {
  ...relay,
  merge(existing, incoming, options) {
    if (incoming === null) return options.args?.after ? (existing ?? null) : null;
    const merge = relay.merge as Exclude<typeof relay.merge, boolean | undefined>;
    return merge(existing ?? undefined, incoming, options);
  },
};

export function createCache(clock: ReactiveVar<number> = linkClock): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      // A record is its module and id, as the federation key says: ids are unique per module.
      BiginRecord: {
        keyFields: ["module", "id"],
        fields: { attachments, photoUrl: { read: freshLink("photoUrlExpiresAt", clock) } },
      },
      BiginAttachment: {
        fields: { downloadUrl: { read: freshLink("downloadUrlExpiresAt", clock) } },
      },
    },
  });
}
