import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { printSchemaSdl } from "../src/graphql/schema.js";

describe("schema/schema.graphql", () => {
  it("matches the schema the code builds (run `npm run schema:emit` when this fails)", () => {
    const committed = readFileSync(new URL("../schema/schema.graphql", import.meta.url), "utf8");
    expect(committed, "schema/schema.graphql is stale: run `npm run schema:emit`").toBe(
      printSchemaSdl(),
    );
  });
});
