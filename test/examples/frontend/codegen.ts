import type { CodegenConfig } from "@graphql-codegen/cli";

// A frontend's codegen (npx graphql-codegen --config codegen.ts): typed documents for the
// operations it sends, against the API as clients see it (schema/client.graphql, without the
// federation fields only gateways use).
const config: CodegenConfig = {
  schema: "schema/client.graphql",
  // ESM imports with extensions (`./graphql.js`), as Node and TypeScript's NodeNext want.
  emitLegacyCommonJSImports: false,
  documents: ["schema/operations/*.graphql", "!schema/operations/record-entities.graphql"],
  generates: {
    "test/examples/frontend/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // Every scalar typed, none left `unknown`.
        strictScalars: true,
        scalars: {
          DateTime: "string",
          SafeInt: "number",
          Upload: "File | Blob",
        },
      },
    },
  },
};
export default config;
