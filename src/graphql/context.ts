import type { BiginClient } from "../bigin/client.js";
import type { AttachmentCache } from "../cache/attachment-cache.js";
import type { AuthMode } from "../config.js";
import { passThroughCredential, type BiginCredential } from "../bigin/credential.js";
import type { SignedLink, SignedUrls } from "../http/signed-urls.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { SharedRedis } from "../redis.js";
import { unauthenticated } from "./errors.js";
import { createLoaders, type Loaders } from "./loaders.js";

/** Process-wide things resolvers use. */
export interface Services {
  client: BiginClient;
  logger: Logger;
  metrics?: Metrics | undefined;
  /** The server-held credential (refresh-token mode), when configured. */
  serverCredential?: BiginCredential | undefined;
  /** AUTH_MODE; `either` when absent. */
  authMode?: AuthMode | undefined;
  /**
   * Attachment pages across operations (ATTACHMENT_CACHE_TTL_SECONDS), when on. Mutations that
   * change a record's attachments call `invalidateRecord(module, recordId)` once Bigin accepts.
   */
  attachmentCache?: AttachmentCache | undefined;
  /** The shared Redis connection (REDIS_URL), when configured. */
  redis?: SharedRedis | undefined;
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
  /** This operation's place among the process's operations (1, 2, …): who started first. */
  sequence: number;
  /** The process logger with this operation's request id. */
  logger: Logger;
  services: Services;
  /** Aborted when the client goes away or the server stops. */
  signal: AbortSignal;
  /** The credential for Bigin calls; throws UNAUTHENTICATED when there is none. */
  credential(): BiginCredential;
  /** Per-request loaders (created on first use, bound to the credential). */
  loaders(): Loaders;
  /** The token of the request's own Authorization header, if it had a valid one. */
  passThroughToken(): string | undefined;
  /**
   * The signed link of a download route (the same one for every field of this request that
   * asks): null when the request has no credential at all (no Authorization header and no
   * server-held credential), as such a link could only fail. Throws UNAUTHENTICATED for a
   * header that is refused, as `credential()` does.
   */
  signedLink(path: string): SignedLink | null;
  /**
   * After Bigin accepted a write to a record's attachments: later reads in this operation and
   * in the response cache (every caller's) fetch them anew. Never throws.
   */
  attachmentsChanged(module: string, recordId: string): Promise<void>;
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

let operations = 0;

export function createContext(init: {
  requestId: string;
  /** The logger of this request (carrying its id); default a child of the process logger. */
  logger?: Logger | undefined;
  services: Services;
  signal: AbortSignal;
  authorization: string | undefined;
}): Context {
  const parsed = parseAuthorization(init.authorization);
  let credential: BiginCredential | undefined;
  let loaders: Loaders | undefined;
  const links = new Map<string, SignedLink | null>();
  const context: Context = {
    requestId: init.requestId,
    sequence: (operations += 1),
    logger: init.logger ?? init.services.logger.child({ requestId: init.requestId }),
    services: init.services,
    signal: init.signal,
    credential() {
      if (credential) return credential;
      credential = chooseCredential(parsed, init.services);
      return credential;
    },
    loaders() {
      loaders ??= createLoaders(init.services.client, context.credential(), {
        signal: init.signal,
        logger: context.logger,
        onBatch: init.services.metrics?.recordBatch,
        cache: init.services.attachmentCache,
      });
      return loaders;
    },
    async attachmentsChanged(module, recordId) {
      loaders?.forgetRecord(module, recordId);
      await init.services.attachmentCache?.invalidateRecord(module, recordId);
    },
    passThroughToken() {
      return parsed !== undefined && "token" in parsed ? parsed.token : undefined;
    },
    signedLink(path) {
      const known = links.get(path);
      if (known !== undefined) return known;
      const mode = init.services.authMode ?? "either";
      const noCredential =
        parsed === undefined && (mode === "passthrough" || !init.services.serverCredential);
      let link: SignedLink | null = null;
      if (!noCredential) {
        context.credential();
        link = init.services.files.signedUrls.link(path, context.passThroughToken());
      }
      links.set(path, link);
      return link;
    },
  };
  return context;
}

/**
 * design.md §5: a caller's Authorization header always wins over the server-held credential.
 * AUTH_MODE=passthrough never uses the server's; AUTH_MODE=server refuses a caller's header
 * rather than silently act as the server's Bigin user instead.
 */
function chooseCredential(
  parsed: ReturnType<typeof parseAuthorization>,
  services: Services,
): BiginCredential {
  const mode = services.authMode ?? "either";
  if (parsed !== undefined) {
    if (mode === "server") {
      throw unauthenticated(
        "This server calls Bigin with its own credential (AUTH_MODE=server): send no Authorization header",
      );
    }
    if ("problem" in parsed) throw unauthenticated(parsed.problem);
    return passThroughCredential(parsed.token);
  }
  if (mode !== "passthrough" && services.serverCredential) return services.serverCredential;
  throw unauthenticated(
    "This field needs Bigin: send `Authorization: Zoho-oauthtoken <access token>`",
  );
}
