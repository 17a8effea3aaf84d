import { defineConfig } from "vitest/config";

export default defineConfig({
  // type-graphql loads graphql's CommonJS build; make our code use the same one, or graphql-js
  // refuses a schema "from another module or realm".
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["reflect-metadata"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
