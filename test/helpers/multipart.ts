/** The upload mutation of the GraphQL multipart request spec, for raw-socket tests. */
export function uploadOperations(recordId: string): string {
  return JSON.stringify({
    query: `mutation ($file: Upload!) { uploadAttachment(module: Contacts, recordId: "${recordId}", file: $file) { attachment { id fileName size } } }`,
    variables: { file: null },
  });
}

export const BOUNDARY = "----adversary0123456789";

/** A GraphQL multipart request body, byte for byte: `operations`, `map`, one file. */
export function multipartParts(
  operations: string,
  file: { name: string; bytes: Buffer; type?: string },
): { head: Buffer; file: Buffer; tail: Buffer } {
  const head =
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="${file.name}"\r\n` +
    `Content-Type: ${file.type ?? "application/octet-stream"}\r\n\r\n`;
  return {
    head: Buffer.from(head, "utf8"),
    file: file.bytes,
    tail: Buffer.from(`\r\n--${BOUNDARY}--\r\n`, "utf8"),
  };
}

/** The headers of an upload: the multipart type, the preflight header, a token when given. */
export function uploadHeaders(
  length: number,
  token: string | undefined,
  extra: Record<string, string> = {},
): Record<string, string | number> {
  return {
    "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
    "content-length": length,
    "apollo-require-preflight": "true",
    ...(token !== undefined && { authorization: `Zoho-oauthtoken ${token}` }),
    ...extra,
  };
}
