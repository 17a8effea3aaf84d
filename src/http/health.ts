import axios from "axios";
import type { Request, Response } from "express";
import { biginBaseUrl } from "../bigin/data-centres.js";

/**
 * `/readyz`: ready when not draining and Bigin answers HTTP at all (any status: a 401 still
 * proves it is reachable). The probe result is kept for a few seconds.
 */
export function createReadiness(apiUrl: string, isDraining: () => boolean) {
  let last: { at: number; ok: boolean; reason?: string } | undefined;
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
    return last;
  };
  return {
    async handler(_req: Request, res: Response) {
      if (isDraining()) {
        res.status(503).json({ status: "draining" });
        return;
      }
      const result = await probe();
      res
        .status(result.ok ? 200 : 503)
        .json(result.ok ? { status: "ready" } : { status: "unavailable", reason: result.reason });
    },
  };
}
