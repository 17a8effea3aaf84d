import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { createGraphiQLFetcher, createLocalStorage } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import type { ExplorerConfig } from "../src/http/explorer-config.js";

/** GraphiQL in `root`, calling `url`, opened on the server's example operation and headers. */
export function renderGraphiQL(root: HTMLElement, config: ExplorerConfig, url: string): void {
  const headers = config.headers && JSON.stringify(config.headers, null, 2);
  createRoot(root).render(
    createElement(GraphiQL, {
      // POSTs application/json: a request Apollo's CSRF prevention lets through.
      fetcher: createGraphiQLFetcher({ url }),
      defaultTabs: [{ query: config.document ?? null, headers: headers ?? null }],
      defaultHeaders: headers,
      // Only a sandbox's public demo token is ever filled in: keeping it across reloads is safe,
      // and without it a reloaded page would call the sandbox with no token. The sandbox's tabs
      // are saved apart, so that they never reach a server on a real account at the same origin.
      shouldPersistHeaders: headers !== undefined,
      storage: createLocalStorage({ namespace: headers ? "graphiql-sandbox" : "graphiql" }),
      defaultEditorToolsVisibility: headers ? "headers" : undefined,
    }),
  );
}
