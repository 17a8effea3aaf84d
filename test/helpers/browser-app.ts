import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import type { PageServer } from "./browser.js";

const APP = new URL("../browser/app/", import.meta.url);
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

/**
 * Builds test/browser/app (the README's frontend files and Apollo Client's development build,
 * bundled for the browser with Vite) into a temporary folder and serves it from a loopback port
 * of its own: a web app on an origin other than the API's.
 */
export async function serveBrowserApp(): Promise<PageServer> {
  const dir = await mkdtemp(join(tmpdir(), "apollo-app-"));
  await build({
    configFile: false,
    logLevel: "warn",
    mode: "development",
    // Apollo Client's development build: its warnings and invariant messages in full.
    resolve: { conditions: ["module", "browser", "development"] },
    define: { "process.env.NODE_ENV": JSON.stringify("development") },
    build: {
      outDir: dir,
      emptyOutDir: false,
      minify: false,
      reportCompressedSize: false,
      lib: {
        entry: fileURLToPath(new URL("main.ts", APP)),
        formats: ["es"],
        fileName: () => "app.js",
      },
    },
  });
  await copyFile(new URL("index.html", APP), join(dir, "index.html"));
  const server = createServer((req, res) => {
    const name = req.url === "/" ? "index.html" : (req.url ?? "").slice(1);
    if (!/^[\w.-]+$/.test(name)) return void res.writeHead(404).end();
    readFile(join(dir, name)).then(
      (body) => res.writeHead(200, { "content-type": TYPES[extname(name)] ?? "" }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
