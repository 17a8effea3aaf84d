import { get as httpGet, type IncomingHttpHeaders } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExplorer } from "../../src/http/explorer.js";
import type { ExplorerConfig } from "../../src/http/explorer-config.js";
import { createLogger } from "../../src/logger.js";
import { REFRESH_ENV } from "../helpers/refresh-stack.js";
import { startStack, startTestServer, type Stack } from "../helpers/stack.js";

interface Page {
  status: number;
  html: string;
  csp: string;
  config: ExplorerConfig;
  /** The page's script, as its relative src names it. */
  script: string;
}

async function explorerPage(baseUrl: string): Promise<Page> {
  const response = await fetch(`${baseUrl}/graphql`, { headers: { accept: "text/html" } });
  const html = await response.text();
  const config = /<script type="application\/json" id="explorer-config">(.*?)<\/script>/s.exec(
    html,
  );
  return {
    status: response.status,
    html,
    csp: /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? "",
    config: JSON.parse(config?.[1] ?? "null") as ExplorerConfig,
    script: /<script type="module" src="([^"]+)"/.exec(html)?.[1] ?? "",
  };
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe("the explorer page at GET /graphql", () => {
  it("tries Apollo Sandbox first and lets the page load nothing but it from another host", async () => {
    const page = await explorerPage(stack.server.url);
    expect(page.status).toBe(200);
    expect(page.config).toMatchObject({
      first: "sandbox",
      apolloSandbox: {
        script: expect.stringMatching(/^https:\/\/embeddable-sandbox\.cdn\.apollographql\.com\//),
        runtime: expect.stringMatching(/^@apollo\/server@5\./),
      },
    });
    const hosts = page.csp.match(/https:\/\/[^\s;]+/g);
    expect(hosts).toEqual([
      "https://embeddable-sandbox.cdn.apollographql.com",
      "https://sandbox.embed.apollographql.com",
    ]);
    expect(page.csp).toContain("default-src 'self'");
  });

  it("serves its built script from this server, cacheable for good", async () => {
    const { script } = await explorerPage(stack.server.url);
    expect(script).toMatch(/^graphql\/explorer\/assets\/main-[\w-]+\.js$/);
    const response = await fetch(`${stack.server.url}/${script}`, {
      headers: { "accept-encoding": "identity" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await response.text();
    expect(Number(response.headers.get("content-length"))).toBe(Buffer.byteLength(body));
    expect(body).toContain("explorer-config");
  });

  it("serves brotli or gzip copies to browsers that take them, the same bytes once decoded", async () => {
    const { script } = await explorerPage(stack.server.url);
    const get = (acceptEncoding: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const headers = { "accept-encoding": acceptEncoding };
        httpGet(`${stack.server.url}/${script}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on("error", reject);
      });
    const plain = await get("identity");
    // A client taking gzip only, then Chromium; then every coding refused with q=0.
    const gzipped = await get("gzip, deflate");
    const brotli = await get("gzip, deflate, br, zstd");
    const refused = await get("br;q=0, gzip;q=0");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(refused.headers["content-encoding"]).toBeUndefined();
    for (const answer of [plain, gzipped, brotli, refused]) {
      expect(answer.headers.vary).toBe("accept-encoding");
      expect(Number(answer.headers["content-length"])).toBe(answer.body.length);
    }
    expect(gunzipSync(gzipped.body)).toEqual(plain.body);
    expect(brotliDecompressSync(brotli.body)).toEqual(plain.body);
    expect(refused.body).toEqual(plain.body);
    expect(brotli.body.length).toBeLessThan(plain.body.length);
  });

  it("answers 404 for any other path under /graphql/explorer/", async () => {
    for (const path of [
      "assets/nope.js",
      ".vite/manifest.json",
      ".build-stamp",
      "assets/..%2f..%2f..%2fpackage.json",
      "..%2f..%2fpackage.json",
    ]) {
      const response = await fetch(`${stack.server.url}/graphql/explorer/${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ code: "NOT_FOUND" });
    }
  });

  it("with GRAPHQL_LANDING_PAGE=offline, names no other host at all", async () => {
    const server = await startTestServer(stack.sandbox.url, { GRAPHQL_LANDING_PAGE: "offline" });
    try {
      const page = await explorerPage(server.url);
      expect(page.config.first).toBe("offline");
      expect(page.csp).not.toMatch(/https?:/);
      expect(page.csp).toContain("frame-src 'none'");
      expect(page.script).toMatch(/^graphql\/explorer\/assets\/main-/);
    } finally {
      await server.close();
    }
  });

  it("is not served, nor are its scripts, when GRAPHQL_LANDING_PAGE=false", async () => {
    const { script } = await explorerPage(stack.server.url);
    const server = await startTestServer(stack.sandbox.url, { GRAPHQL_LANDING_PAGE: "false" });
    try {
      const page = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });
      expect(await page.text()).not.toContain("explorer-config");
      const response = await fetch(`${server.url}/${script}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: "NOT_FOUND" });
    } finally {
      await server.close();
    }
  });

  it("holds no credential of a server in refresh-token mode", async () => {
    const server = await startTestServer(stack.sandbox.url, REFRESH_ENV);
    try {
      const page = await explorerPage(server.url);
      expect(page.status).toBe(200);
      for (const secret of Object.values(REFRESH_ENV)) expect(page.html).not.toContain(secret);
      expect(page.config.headers).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe("createExplorer", () => {
  async function html(document: string, demoToken?: string): Promise<string> {
    const explorer = await createExplorer({
      first: "sandbox",
      document,
      demoToken,
      logger: createLogger("silent"),
    });
    const listener = await explorer.plugin.serverWillStart!({} as never);
    const page = await listener!.renderLandingPage!();
    return page!.html as string;
  }

  it("fills in the operation and the demo token's header", async () => {
    const config = /id="explorer-config">(.*?)<\/script>/s.exec(await html("{ a }", "t0k"))![1]!;
    expect(JSON.parse(config)).toMatchObject({
      document: "{ a }",
      headers: { Authorization: "Zoho-oauthtoken t0k" },
    });
  });

  it("keeps an operation holding </script> inside its JSON block", async () => {
    const page = await html('{ a(s: "</script><script>alert(1)</script>") }');
    expect(page).not.toContain("<script>alert");
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    const config = /id="explorer-config">(.*?)<\/script>/s.exec(page)![1]!;
    expect(JSON.parse(config).document).toBe('{ a(s: "</script><script>alert(1)</script>") }');
  });
});
