import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printClientSchemaSdl, printSchemaSdl } from "./schema.js";

/** Writes schema/schema.graphql and schema/client.graphql from the code (npm run schema:emit). */
for (const [file, sdl] of [
  ["schema.graphql", printSchemaSdl()],
  ["client.graphql", printClientSchemaSdl()],
] as const) {
  const target = fileURLToPath(new URL(`../../schema/${file}`, import.meta.url));
  writeFileSync(target, sdl);
  process.stdout.write(`wrote ${target}\n`);
}
