/** The embedded Bigin sandbox: a local HTTP server that behaves like Bigin v2's attachments API. */
export {
  type Sandbox,
  type SandboxRequest,
  type StartSandboxOptions,
  startSandbox,
} from "./server.js";
export { type FaultInjector, type FaultRule } from "./faults.js";
export { BiginErrorCode, type BiginErrorBody } from "./errors.js";
export {
  DEFAULT_TOKENS,
  DEMO_TOKEN,
  NO_ATTACHMENTS_TOKEN,
  READONLY_TOKEN,
  type ScopedOperation,
  acceptedScopes,
  isOperationAllowed,
} from "./scopes.js";
export { CONTENT_TYPES, DEMO_IDS, MANY_ATTACHMENTS_COUNT, seedDemoData } from "./seed.js";
export { DEMO_PHOTOS } from "./seed.js";
export { MAX_ATTACHMENT_BYTES } from "./server.js";
export {
  ATTACHMENT_FIELDS,
  ATTACHMENT_MODULES,
  PHOTO_MODULES,
  type AttachmentField,
  type NewAttachment,
  type SandboxModule,
  type SandboxRecord,
  SandboxStore,
  type SandboxUser,
  type StoredAttachment,
  type StoredFile,
  formatBiginTime,
  hasPhotos,
  isSandboxModule,
} from "./store.js";
export { API_PREFIX } from "./routes/index.js";
export {
  DEFAULT_OAUTH_CLIENTS,
  DEMO_OAUTH_CLIENT,
  type OAuthThrottle,
  type SandboxOAuthClient,
  ZOHO_TOKEN_THROTTLE,
} from "./oauth.js";
export { describeSandbox, readSandboxEnv } from "./cli.js";
