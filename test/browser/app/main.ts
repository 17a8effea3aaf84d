// The browser bundle of the README's frontend files (test/examples/frontend), built with Apollo
// Client's development build: the browser tests drive them through `window.app`.
import { gql, type ObservableQuery, type OperationVariables } from "@apollo/client";
import * as attachmentList from "../../examples/frontend/attachment-list.js";
import * as cache from "../../examples/frontend/cache.js";
import * as client from "../../examples/frontend/client.js";
import * as errors from "../../examples/frontend/errors.js";
import * as documents from "../../examples/frontend/gql/graphql.js";

/** The first result of a watched query that is not loading, and every result seen until then. */
function settled<T, V extends OperationVariables>(
  query: ObservableQuery<T, V>,
): Promise<ObservableQuery.Result<T>> {
  return new Promise((resolve, reject) => {
    const subscription = query.subscribe({
      next(result) {
        if (result.loading) return;
        resolve(result);
        queueMicrotask(() => subscription.unsubscribe());
      },
      error: reject,
    });
  });
}

export const app = { ...attachmentList, ...cache, ...client, ...errors, documents, gql, settled };
export type App = typeof app;

Object.assign(globalThis, { app });
