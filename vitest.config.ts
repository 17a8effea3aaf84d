import { defineConfig } from "vitest/config";

/** The multi-replica test measures time against an ideal: it runs alone, after the rest. */
const SCALE_TESTS = "test/scale/**/*.test.ts";

export default defineConfig({
  // type-graphql loads graphql's CommonJS build; make our code use the same one, or graphql-js
  // refuses a schema "from another module or realm".
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    setupFiles: ["reflect-metadata"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Most test files wait on servers over loopback far more than they compute: three at a time
    // even on two CPUs (vitest's default there is one).
    maxWorkers: 3,
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: { name: "main", include: ["test/**/*.test.ts"], exclude: [SCALE_TESTS] },
      },
      {
        extends: true,
        test: { name: "scale", include: [SCALE_TESTS], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
