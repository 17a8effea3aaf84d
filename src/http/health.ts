import axios from "axios";
import type { BudgetMode } from "../bigin/budget/call-budget.js";
import type { BiginCredential } from "../bigin/credential.js";
import { biginBaseUrl } from "../bigin/data-centres.js";

/**
 * `/readyz`: ready when not draining and Bigin answers HTTP at all (any status: a 401 still
 * proves it is reachable). The probe result is kept for a few seconds. With a server-held
 * credential it also reports whether an access token can be had (the held one, so this asks
 * Zoho at most as often as requests would); when the server has no other way to call Bigin
 * (`required`), not having one makes it unready. With REDIS_URL it reports `redis: "ok"` or
 * `"down"`, which never makes it unready: the server works without Redis; and `callBudget`,
 * `"shared"` or `"fallback"` (this process keeps to its share of the call budget).
 */
export function createReadiness(
  apiUrl: string,
  isDraining: () => boolean,
  server?: { credential: BiginCredential; required: boolean },
  redis?: { status(): "ok" | "down" },
  budget?: { status(): { mode: BudgetMode } },
) {
  let last:
    { at: number; ok: boolean; reason?: string; serverCredential?: "ok" | "failing" } | undefined;
  const probe = async () => {
    if (last && Date.now() - last.at < 5_000) return last;
    try {
      await axios.get(`${biginBaseUrl(apiUrl)}/`, {
        timeout: 2_000,
        validateStatus: () => true,
        maxRedirects: 0,
        proxy: false,
        responseType: "text",
      });
      last = { at: Date.now(), ok: true };
    } catch {
      last = { at: Date.now(), ok: false, reason: "Bigin is not reachable" };
    }
    if (server) {
      const credentialOk = await server.credential.accessToken().then(
        () => true,
        () => false,
      );
      last.serverCredential = credentialOk ? "ok" : "failing";
      if (!credentialOk && server.required && last.ok) {
        last = { ...last, ok: false, reason: "No Bigin access token from the refresh token" };
      }
    }
    return last;
  };
  return {
    /** The status and JSON body of `/readyz`. */
    async check(): Promise<{ status: number; body: Record<string, unknown> }> {
      if (isDraining()) return { status: 503, body: { status: "draining" } };
      const result = await probe();
      const credential = result.serverCredential && { serverCredential: result.serverCredential };
      const mode = budget?.status().mode;
      const shared = redis && {
        redis: redis.status(),
        ...(mode !== undefined &&
          mode !== "local" && { callBudget: mode === "shared" ? "shared" : "fallback" }),
      };
      return result.ok
        ? { status: 200, body: { status: "ready", ...credential, ...shared } }
        : {
            status: 503,
            body: { status: "unavailable", reason: result.reason, ...credential, ...shared },
          };
    },
  };
}
