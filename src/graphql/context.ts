import type { BiginClient } from "../bigin/client.js";
import { passThroughCredential, type BiginCredential } from "../bigin/credential.js";
import type { SignedUrls } from "../http/signed-urls.js";
import type { Logger } from "../logger.js";
import { unauthenticated } from "./errors.js";
import { createLoaders, type Loaders } from "./loaders.js";

/** Process-wide things resolvers use. */
export interface Services {
  client: BiginClient;
  logger: Logger;
  /** Uploads and download links. */
  files: FileServices;
}

export interface FileServices {
  signedUrls: SignedUrls;
  /** Largest attachment accepted for upload, in bytes (Bigin's limit). */
  maxAttachmentBytes: number;
}

export interface Context {
  requestId: string;
  services: Services;
  /** Aborted when the client goes away or the server stops. */
  signal: AbortSignal;
  /** The credential for Bigin calls; throws UNAUTHENTICATED when there is none. */
  credential(): BiginCredential;
  /** Per-request loaders (created on first use, bound to the credential). */
  loaders(): Loaders;
  /** The token of the request's own Authorization header, if it had a valid one. */
  passThroughToken(): string | undefined;
}

const SCHEMES = /^(?:Zoho-oauthtoken|Bearer)\s+(\S+)\s*$/i;

/** Reads `Authorization: Zoho-oauthtoken <t>` or `Bearer <t>`. */
export function parseAuthorization(
  header: string | undefined,
): { token: string } | { problem: string } | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const match = SCHEMES.exec(header.trim());
  return match?.[1]
    ? { token: match[1] }
    : { problem: "The Authorization header must be `Zoho-oauthtoken <token>` or `Bearer <token>`" };
}

export function createContext(init: {
  requestId: string;
  services: Services;
  signal: AbortSignal;
  authorization: string | undefined;
}): Context {
  const parsed = parseAuthorization(init.authorization);
  let credential: BiginCredential | undefined;
  let loaders: Loaders | undefined;
  const context: Context = {
    requestId: init.requestId,
    services: init.services,
    signal: init.signal,
    credential() {
      if (credential) return credential;
      if (parsed === undefined) {
        throw unauthenticated(
          "This field needs Bigin: send `Authorization: Zoho-oauthtoken <access token>`",
        );
      }
      if ("problem" in parsed) throw unauthenticated(parsed.problem);
      credential = passThroughCredential(parsed.token);
      return credential;
    },
    loaders() {
      loaders ??= createLoaders(init.services.client, context.credential(), init.signal);
      return loaders;
    },
    passThroughToken() {
      return parsed !== undefined && "token" in parsed ? parsed.token : undefined;
    },
  };
  return context;
}
