import "reflect-metadata";
import { printSchema, type GraphQLSchema } from "graphql";
import { buildSchemaSync } from "type-graphql";
import { AttachmentResolver } from "./attachment.resolver.js";
import { PhotoResolver } from "./photo.resolver.js";
import { RecordResolver } from "./record.resolver.js";

let schema: GraphQLSchema | undefined;

/** The GraphQL schema, built once per process. */
export function createSchema(): GraphQLSchema {
  schema ??= buildSchemaSync({
    resolvers: [RecordResolver, AttachmentResolver, PhotoResolver],
    validate: false,
    emitSchemaFile: false,
  });
  return schema;
}

/** The SDL committed as schema/schema.graphql. */
export function printSchemaSdl(): string {
  return `${printSchema(createSchema())}\n`;
}
