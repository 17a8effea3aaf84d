import type { ApolloClient } from "@apollo/client";
import { AttachmentListDocument, type BiginModule } from "./gql/graphql.js";

// A record's attachments, a page at a time: the cache's relayStylePagination() appends each page
// that fetchMore reads to the one list (read `edges`; `nodes` holds only the last page).
export function watchAttachmentList(
  client: ApolloClient,
  record: { module: BiginModule; id: string },
  first = 20,
) {
  const query = client.watchQuery({
    query: AttachmentListDocument,
    variables: { ...record, first },
    errorPolicy: "all",
  });
  return {
    query,
    /** Reads the next `size` attachments; false when there are none. */
    async loadMore(size = first): Promise<boolean> {
      // The list as the cache holds it now: watchers are told of a fetchMore a moment later.
      const cached = client.readQuery({
        query: AttachmentListDocument,
        variables: query.variables,
      });
      const pageInfo = cached?.record?.attachments?.pageInfo;
      if (!pageInfo?.hasNextPage) return false;
      await query.fetchMore({ variables: { after: pageInfo.endCursor, first: size } });
      return true;
    },
  };
}
