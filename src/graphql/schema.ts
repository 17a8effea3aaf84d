import "reflect-metadata";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLSchemaModule } from "@apollo/subgraph/dist/buildSubgraphSchema.js";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import {
  graphqlSync,
  parse,
  printSchema,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from "graphql";
import { buildSchemaSync, createResolversMap } from "type-graphql";
import { resolveRecordReference } from "./record.reference.js";
import { AttachmentResolver } from "./attachment.resolver.js";
import { PhotoResolver } from "./photo.resolver.js";
import { RecordResolver } from "./record.resolver.js";

// Federation v2.9 is the first with the demand-control directives (@cost, @listSize); the oldest
// version that has them, so the widest range of gateways and routers composes this subgraph.
const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])`;

type ResolverMap = NonNullable<GraphQLSchemaModule["resolvers"]>;

let schema: GraphQLSchema | undefined;
/** The same API without federation's additions (`_service`, `_entities`, `_Any`, directives). */
let clientSchema: GraphQLSchema | undefined;

/**
 * The GraphQL schema, built once per process: type-graphql's schema turned into a Federation 2
 * subgraph (`_service`, `_entities`, `BiginRecord` as an entity keyed by module and id).
 */
export function createSchema(): GraphQLSchema {
  if (schema) return schema;
  // The object types set `simpleResolvers`: their plain fields use graphql-js's default resolver,
  // so a global middleware or auth checker added here would not run on those fields.
  const typeGraphQLSchema = buildSchemaSync({
    resolvers: [RecordResolver, AttachmentResolver, PhotoResolver],
    validate: false,
    emitSchemaFile: false,
  });
  clientSchema = typeGraphQLSchema;
  const resolvers = createResolversMap(typeGraphQLSchema) as ResolverMap;
  const recordFields = resolvers.BiginRecord as Record<
    string,
    GraphQLFieldResolver<unknown, unknown>
  >;
  schema = buildSubgraphSchema({
    typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(typeGraphQLSchema)}`),
    resolvers: {
      ...resolvers,
      BiginRecord: { ...recordFields, __resolveReference: resolveRecordReference },
    },
  });
  return schema;
}

/**
 * The subgraph SDL committed as schema/schema.graphql: what `_service { sdl }` answers, which is
 * what `rover subgraph introspect` prints and a schema registry is given.
 */
export function printSchemaSdl(): string {
  const result = graphqlSync({ schema: createSchema(), source: "{ _service { sdl } }" });
  const sdl = (result.data as { _service?: { sdl?: unknown } } | null)?._service?.sdl;
  if (typeof sdl !== "string") throw new Error("the subgraph schema has no _service.sdl");
  return sdl.endsWith("\n") ? sdl : `${sdl}\n`;
}

/**
 * The API as a client sees it, committed as schema/client.graphql: the subgraph SDL without
 * what only gateways use (`_service`, `_entities`, federation's scalars and directives). Frontend
 * codegen reads it, so `strictScalars` needs a type for this API's own scalars only.
 */
export function printClientSchemaSdl(): string {
  createSchema();
  return `${printSchema(clientSchema!)}\n`;
}
