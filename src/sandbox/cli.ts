import { DEMO_OAUTH_CLIENT } from "./oauth.js";
import { API_PREFIX } from "./routes/index.js";
import { DEMO_TOKEN } from "./scopes.js";
import type { Sandbox } from "./server.js";

/** Where `npm run sandbox` listens, from SANDBOX_PORT (default 4010) and SANDBOX_HOST. Throws with a message naming the variable. */
export function readSandboxEnv(env: NodeJS.ProcessEnv): { port: number; host: string } {
  const rawPort = env.SANDBOX_PORT?.trim() || "4010";
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new Error(
      `SANDBOX_PORT must be an integer from 0 to 65535 (0 picks a free port); got "${env.SANDBOX_PORT}"`,
    );
  }
  const host = env.SANDBOX_HOST?.trim() || "127.0.0.1";
  if (/\s|\//.test(host)) {
    throw new Error(`SANDBOX_HOST must be a host name or IP address; got "${env.SANDBOX_HOST}"`);
  }
  return { port, host };
}

/** The start-up banner: base URL, how to point the server at it, the demo token and records. */
export function describeSandbox(sandbox: Sandbox): string {
  const records = sandbox.store.listRecords();
  const width = Math.max(...records.map((r) => r.module.length));
  const lines = records.map((record) => {
    const count = sandbox.store.listAttachments(record.module, record.id).length;
    const noun = count === 1 ? "attachment" : "attachments";
    return `    ${record.module.padEnd(width)}  ${record.id}  ${record.name} (${count} ${noun})`;
  });
  const example = records.find((r) => sandbox.store.listAttachments(r.module, r.id).length > 0);
  return [
    `Bigin sandbox listening on ${sandbox.url} (API under ${sandbox.url}${API_PREFIX})`,
    ``,
    `  Point the GraphQL server at it:  BIGIN_API_URL=${sandbox.url}`,
    `  Demo token (every scope):        ${DEMO_TOKEN}`,
    `    send it as:                    Authorization: Zoho-oauthtoken ${DEMO_TOKEN}`,
    `  Or refresh-token mode:           BIGIN_ACCOUNTS_URL=${sandbox.url} BIGIN_CLIENT_ID=${DEMO_OAUTH_CLIENT.clientId}`,
    `                                   BIGIN_CLIENT_SECRET=${DEMO_OAUTH_CLIENT.clientSecret} BIGIN_REFRESH_TOKEN=${DEMO_OAUTH_CLIENT.refreshToken}`,
    ``,
    `  Demo records:`,
    ...(lines.length > 0 ? lines : ["    (none: seeding is off)"]),
    ...(example === undefined
      ? []
      : [
          ``,
          `  Try:`,
          `    curl -H 'Authorization: Zoho-oauthtoken ${DEMO_TOKEN}' \\`,
          `      '${sandbox.url}${API_PREFIX}/${example.module}/${example.id}/Attachments?fields=File_Name,Size,$type'`,
        ]),
    ``,
    `  Test hooks: ${sandbox.url}/__sandbox/{requests,faults,stats}. Stop with Ctrl-C.`,
    ``,
  ].join("\n");
}
