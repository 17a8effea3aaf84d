import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSignedUrls } from "../../src/http/signed-urls.js";
import { createLogger } from "../../src/logger.js";
import { AttachmentDownloadsDocument, RecordPhotoDocument } from "../generated/graphql.js";
import { UPSTREAMS, type Target } from "../helpers/upstreams.js";

const SECRET = "links-test-download-url-secret-0123456789";

/** Which credential Bigin calls may use, and how a caller asks for links in that mode. */
const MODES: Array<{ name: string; oauth: boolean; env: Record<string, string>; header: boolean }> =
  [
    { name: "pass-through (no server credential)", oauth: false, env: {}, header: true },
    { name: "refresh-token mode", oauth: true, env: {}, header: false },
    { name: "AUTH_MODE=server", oauth: true, env: { AUTH_MODE: "server" }, header: false },
  ];

describe.each(UPSTREAMS)("against $name", (upstream) => {
  describe.each(MODES)("in $name", (mode) => {
    let target: Target;
    beforeAll(async () => {
      target = await upstream.start({
        DOWNLOAD_URL_SECRET: SECRET,
        ...(mode.oauth && upstream.oauthEnv),
        ...mode.env,
      });
    });
    afterAll(() => target.close());

    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(new URL(path, target.server.url), { headers });

    /** The signed links the API hands out for the record's attachment and photo. */
    async function links(): Promise<{ attachment: string; photo: string }> {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (mode.header) headers.authorization = `Zoho-oauthtoken ${target.token}`;
      const ask = async (query: string) => {
        const response = await fetch(`${target.server.url}/graphql`, {
          method: "POST",
          headers,
          body: JSON.stringify({ query, variables: { module: "Contacts", id: target.rich } }),
        });
        return ((await response.json()) as { data: { record: Record<string, unknown> } }).data
          .record;
      };
      const files = (await ask(print(AttachmentDownloadsDocument))) as {
        attachments: { nodes: Array<{ downloadUrl: string }> };
      };
      const attachment = files.attachments.nodes.find((node) =>
        node.downloadUrl.includes(target.attachmentPath),
      )!.downloadUrl;
      const photo = ((await ask(print(RecordPhotoDocument))) as { photoUrl: string }).photoUrl;
      return { attachment, photo };
    }

    it("refuses a bare path without Authorization with 403, calling no Bigin", async () => {
      const calls = target.biginCalls();
      for (const path of [target.attachmentPath, target.photoPath]) {
        const response = await get(path);
        expect(response.status, path).toBe(403);
        expect(await response.json()).toEqual({
          code: "FORBIDDEN",
          message: expect.stringContaining("signed link"),
        });
      }
      expect(target.biginCalls()).toBe(calls);
    });

    it("serves a signed link, and refuses it stripped, tampered, moved or expired", async () => {
      const { attachment, photo } = await links();
      for (const link of [attachment, photo]) {
        expect((await get(link)).status, link).toBe(200);
        const url = new URL(link);
        const calls = target.biginCalls();
        const stripped = `${url.pathname}`;
        const sig = url.searchParams.get("sig")!;
        const tampered = new URL(url);
        tampered.searchParams.set("sig", `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`);
        const later = new URL(url);
        later.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 3600));
        const moved = `${link === attachment ? target.photoPath : target.attachmentPath}${url.search}`;
        for (const bad of [stripped, tampered.href, later.href, moved]) {
          expect((await get(bad)).status, bad).toBe(403);
        }
        expect(target.biginCalls()).toBe(calls);
      }
      // Signed with the right key, but expired.
      const old = createSignedUrls({
        secret: SECRET,
        publicUrl: () => target.server.url,
        logger: createLogger("silent"),
        now: () => Date.now() - 10 * 60_000,
      }).sign(target.photoPath, undefined);
      const expired = await get(old);
      expect(expired.status).toBe(403);
      expect(((await expired.json()) as { message: string }).message).toMatch(/expired/);
    });

    if (mode.header) {
      it("still serves a caller's own Authorization header", async () => {
        const response = await get(target.attachmentPath, {
          authorization: `Zoho-oauthtoken ${target.token}`,
        });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-security-policy")).toBe("sandbox");
      });
    }
  });
});
