import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import type { GraphQLResponse, Stack } from "./stack.js";
import { DEMO_TOKEN } from "./stack.js";

export interface TestFile {
  name: string;
  bytes: Uint8Array;
  type?: string;
}

/**
 * POSTs an operation as a GraphQL multipart request with `file` as `variables.file`, to the
 * stack's server or to a GraphQL endpoint URL (a gateway's). Sends the preflight header and the
 * demo token unless told otherwise.
 */
export async function gqlUpload<T, V extends Record<string, unknown>>(
  target: Stack | string,
  document: TypedDocumentNode<T, V>,
  variables: Omit<V, "file">,
  file: TestFile,
  options: { preflight?: boolean; token?: string | null } = {},
): Promise<GraphQLResponse<T>> {
  const form = new FormData();
  form.append(
    "operations",
    JSON.stringify({ query: print(document), variables: { ...variables, file: null } }),
  );
  form.append("map", JSON.stringify({ 0: ["variables.file"] }));
  form.append(
    "0",
    new Blob([new Uint8Array(file.bytes)], { type: file.type ?? "application/octet-stream" }),
    file.name,
  );
  const headers: Record<string, string> = {};
  if (options.preflight ?? true) headers["apollo-require-preflight"] = "true";
  const token = options.token === undefined ? DEMO_TOKEN : options.token;
  if (token !== null) headers.authorization = `Zoho-oauthtoken ${token}`;
  const endpoint = typeof target === "string" ? target : `${target.server.url}/graphql`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers,
    body: form,
  });
  const text = await response.text();
  let body: GraphQLResponse<T>["body"];
  try {
    body = JSON.parse(text) as GraphQLResponse<T>["body"];
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, headers: response.headers, body };
}

/** A tiny GIF of the given size in pixels (header and logical screen only: enough for Bigin's checks). */
export function gif(width = 2, height = 2): Uint8Array {
  const bytes = Buffer.alloc(40);
  bytes.write("GIF89a", 0, "latin1");
  bytes.writeUInt16LE(width, 6);
  bytes.writeUInt16LE(height, 8);
  return bytes;
}
