/** The demo token: every scope. The README's examples use it. */
export const DEMO_TOKEN = "sandbox-demo-token";
/** Can read Contacts and attachments: lists (and downloads) attachments of Contacts only. */
export const READONLY_TOKEN = "sandbox-readonly-token";
/** Every module scope but no attachments scope: photos work, attachments get OAUTH_SCOPE_MISMATCH. */
export const NO_ATTACHMENTS_TOKEN = "sandbox-no-attachments-token";

/** The tokens every sandbox accepts, with their scopes. */
export const DEFAULT_TOKENS: Readonly<Record<string, readonly string[]>> = {
  [DEMO_TOKEN]: ["ZohoBigin.modules.ALL", "ZohoBigin.modules.attachments.ALL"],
  [READONLY_TOKEN]: ["ZohoBigin.modules.contacts.READ", "ZohoBigin.modules.attachments.READ"],
  [NO_ATTACHMENTS_TOKEN]: ["ZohoBigin.modules.ALL"],
};

/** Every Bigin operation of bigin-api.md §2 that a scope guards. */
export type ScopedOperation =
  | "listAttachments"
  | "uploadAttachment"
  | "downloadAttachment"
  | "deleteAttachment"
  | "uploadPhoto"
  | "downloadPhoto"
  | "deletePhoto";

interface ScopeRule {
  /** Actions on `ZohoBigin.modules.{module}.X` that grant it (`.ALL` and `modules.ALL` always do). */
  moduleActions: readonly string[];
  /** Actions on `ZohoBigin.modules.attachments.X` also required; null when none is needed. */
  attachmentActions: readonly string[] | null;
}

const RULES: Record<ScopedOperation, ScopeRule> = {
  listAttachments: { moduleActions: ["READ"], attachmentActions: ["READ"] },
  downloadAttachment: { moduleActions: ["READ"], attachmentActions: ["READ"] },
  uploadAttachment: { moduleActions: ["WRITE", "CREATE"], attachmentActions: ["WRITE", "CREATE"] },
  deleteAttachment: { moduleActions: ["DELETE"], attachmentActions: ["DELETE"] },
  uploadPhoto: { moduleActions: ["WRITE", "CREATE"], attachmentActions: null },
  downloadPhoto: { moduleActions: ["READ"], attachmentActions: null },
  deletePhoto: { moduleActions: ["DELETE"], attachmentActions: null },
};

/**
 * The scopes that satisfy `operation` on `module`: one of `modules` AND (when not null) one of
 * `attachments`. `module` is the API name (e.g. "Contacts"); scopes spell it lower-case.
 */
export function acceptedScopes(
  operation: ScopedOperation,
  module: string,
): { modules: string[]; attachments: string[] | null } {
  const rule = RULES[operation];
  const m = module.toLowerCase();
  return {
    modules: [
      "ZohoBigin.modules.ALL",
      `ZohoBigin.modules.${m}.ALL`,
      ...rule.moduleActions.map((action) => `ZohoBigin.modules.${m}.${action}`),
    ],
    attachments:
      rule.attachmentActions === null
        ? null
        : [
            "ZohoBigin.modules.attachments.ALL",
            ...rule.attachmentActions.map((action) => `ZohoBigin.modules.attachments.${action}`),
          ],
  };
}

/** Whether `granted` allows `operation` on `module`. Scope names compare case-insensitively. */
export function isOperationAllowed(
  granted: readonly string[],
  operation: ScopedOperation,
  module: string,
): boolean {
  const have = new Set(granted.map((scope) => scope.toLowerCase()));
  const anyOf = (scopes: readonly string[]) => scopes.some((s) => have.has(s.toLowerCase()));
  const { modules, attachments } = acceptedScopes(operation, module);
  return anyOf(modules) && (attachments === null || anyOf(attachments));
}

export type TokenLookup =
  { kind: "valid"; scopes: readonly string[] } | { kind: "unknown" } | { kind: "expired" };

/** Access tokens the sandbox accepts: token → scopes, with an optional expiry. */
export class TokenTable {
  private readonly tokens = new Map<string, { scopes: readonly string[]; expiresAt?: number }>();

  constructor(initial: Readonly<Record<string, readonly string[]>> = {}) {
    for (const [token, scopes] of Object.entries(initial)) this.set(token, scopes);
  }

  /** Adds or replaces a token. `expiresAt` is epoch ms; without it the token never expires. */
  set(token: string, scopes: readonly string[], expiresAt?: number): void {
    this.tokens.set(token, { scopes: [...scopes], ...(expiresAt !== undefined && { expiresAt }) });
  }

  delete(token: string): boolean {
    return this.tokens.delete(token);
  }

  lookup(token: string, now: number = Date.now()): TokenLookup {
    const entry = this.tokens.get(token);
    if (entry === undefined) return { kind: "unknown" };
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) return { kind: "expired" };
    return { kind: "valid", scopes: entry.scopes };
  }
}
