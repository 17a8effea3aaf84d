import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { createGraphiQLFetcher, type Storage } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import type { ExplorerConfig } from "../http/explorer-config.js";

/**
 * GraphiQL's local storage, less any request headers but `keep` (the demo token's, which is
 * public): its history saves the headers of every operation run, and they hold tokens.
 */
function storageWithoutHeaders(keep: string | undefined): Storage {
  const own = () => Object.keys(localStorage).filter((key) => key.startsWith("graphiql:"));
  const strip = (value: string) => {
    try {
      return JSON.stringify(JSON.parse(value), (key, v: unknown) =>
        key === "headers" && v !== keep ? null : v,
      );
    } catch {
      return value;
    }
  };
  return {
    getItem: (key) => localStorage.getItem(key),
    setItem: (key, value) => localStorage.setItem(key, strip(value)),
    removeItem: (key) => localStorage.removeItem(key),
    clear: () => own().forEach((key) => localStorage.removeItem(key)),
    get length() {
      return own().length;
    },
  };
}

/** GraphiQL in `root`, calling `url`, opened on the server's example operation and headers. */
export function renderGraphiQL(root: HTMLElement, config: ExplorerConfig, url: string): void {
  const headers = config.headers && JSON.stringify(config.headers, null, 2);
  createRoot(root).render(
    createElement(GraphiQL, {
      // POSTs application/json: a request Apollo's CSRF prevention lets through.
      fetcher: createGraphiQLFetcher({ url }),
      defaultTabs: [{ query: config.document ?? null, headers: headers ?? null }],
      // A new or reloaded tab gets these: no other header is saved.
      defaultHeaders: headers,
      storage: storageWithoutHeaders(headers),
      defaultEditorToolsVisibility: headers ? "headers" : undefined,
    }),
  );
}
