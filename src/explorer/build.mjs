// Bundles the explorer page's script and GraphiQL into dist/explorer/ with Vite (run by
// `npm run build`, and so by `npm start`). Skipped when nothing it is built from has changed.
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
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
  await writeFile(stampFile, stamp);
  console.log(`explorer: built dist/explorer in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
