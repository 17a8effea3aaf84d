// Bundles the explorer page's script and GraphiQL into dist/explorer/ with Vite (run by
// `npm run build`, and so by `npm start`). Skipped when nothing it is built from has changed.
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { build } from "vite";

const root = new URL(".", import.meta.url);
const outDir = new URL("../../dist/explorer/", import.meta.url);
const stampFile = new URL(".build-stamp", outDir);

/** A hash of this folder's files and the lockfile (which pins GraphiQL, React and Vite). */
async function inputsHash() {
  const hash = createHash("sha256");
  const names = (await readdir(root)).sort();
  for (const name of names) hash.update(name).update(await readFile(new URL(name, root)));
  hash.update(await readFile(new URL("../../package-lock.json", import.meta.url)));
  return hash.digest("hex");
}

const stamp = await inputsHash();
const built = await readFile(stampFile, "utf8").catch(() => "");
if (built !== stamp) {
  const started = Date.now();
  await build({
    configFile: false,
    root: fileURLToPath(root),
    // Chunks, workers and fonts are loaded relative to the script that needs them, so the
    // page works under whatever path a proxy serves it from.
    base: "./",
    logLevel: "warn",
    build: {
      outDir: fileURLToPath(outDir),
      emptyOutDir: true,
      manifest: true,
      // Monaco (GraphiQL's editor) alone is a few MB; it is loaded only when GraphiQL opens.
      chunkSizeWarningLimit: 8192,
      rolldownOptions: {
        input: { main: fileURLToPath(new URL("main.ts", root)) },
        // React libraries' "use client" lines mean nothing in a bundle; say nothing about them.
        onLog(level, log, handler) {
          if (log.code !== "MODULE_LEVEL_DIRECTIVE") handler(level, log);
        },
      },
    },
  });
  await compressAssets();
  await writeFile(stampFile, stamp);
  console.log(`explorer: built dist/explorer in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Brotli and gzip copies of each text asset (`name.br`, `name.gz`), for browsers that take them:
 * about 7 MB of scripts, styles and fonts become about 2 MB.
 */
async function compressAssets() {
  const assets = new URL("assets/", outDir);
  const COMPRESSIBLE = new Set([".js", ".css", ".ttf", ".json", ".svg", ".html"]);
  const brotli = promisify(brotliCompress);
  const gzipped = promisify(gzip);
  const names = (await readdir(assets)).filter((name) => COMPRESSIBLE.has(extname(name)));
  await Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(new URL(name, assets));
      const [br, gz] = await Promise.all([
        brotli(bytes, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 9,
            [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
          },
        }),
        gzipped(bytes, { level: 9 }),
      ]);
      await writeFile(new URL(`${name}.br`, assets), br);
      await writeFile(new URL(`${name}.gz`, assets), gz);
    }),
  );
}
