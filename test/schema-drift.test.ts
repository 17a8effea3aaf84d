import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printClientSchemaSdl, printSchemaSdl } from "../src/graphql/schema.js";

describe.each([
  ["schema.graphql", printSchemaSdl],
  ["client.graphql", printClientSchemaSdl],
])("schema/%s", (file, print) => {
  it("matches the schema the code builds (run `npm run schema:emit` when this fails)", () => {
    const committed = readFileSync(new URL(`../schema/${file}`, import.meta.url), "utf8");
    expect(committed, `schema/${file} is stale: run \`npm run schema:emit\``).toBe(print());
  });
});
