// The framework floors for bench/run.mjs: the same stack as the server (Apollo Server 5 and
// axios with keep-alive, on Fastify 5 or, with FLOOR_FRAMEWORK=express, on Express 5) answering
// the benchmark's list query with one hard-wired resolver and nothing else: no loaders, no
// selection analysis, no error mapping, no limits, no logs. What the product adds over the
// direct REST call beyond this is the product's own cost.
import { ApolloServer } from "@apollo/server";
import axios from "axios";
import http from "node:http";

const apiUrl = process.env.BIGIN_API_URL;
const framework = process.env.FLOOR_FRAMEWORK ?? "fastify";
// keepAliveMsecs as in src/bigin/client.ts: the TCP keep-alive delay axios sets on each request.
const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 60_000, maxSockets: 256 });
const client = axios.create({ httpAgent: agent });
const typeDefs = `
  type Query { record(module: String!, id: ID!): Record! }
  type Record { attachments(first: Int = 200): Connection }
  type Connection { nodes: [Attachment!]! }
  type Attachment { id: ID! fileName: String size: Int }`;
const resolvers = {
  Query: { record: (_, args) => args },
  Record: {
    async attachments(record, { first }, context) {
      const { data } = await client.get(
        `${apiUrl}/bigin/v2/${record.module}/${record.id}/Attachments`,
        {
          params: { fields: "File_Name,Size,id", page: 1, per_page: first },
          headers: { authorization: context.authorization },
        },
      );
      return {
        nodes: (data?.data ?? []).map((a) => ({
          id: a.id,
          fileName: a.File_Name,
          size: Number(a.Size),
        })),
      };
    },
  },
};

const listening = (server) =>
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/graphql` })}\n`,
  );

if (framework === "express") {
  const { expressMiddleware } = await import("@as-integrations/express5");
  const { default: express } = await import("express");
  const apollo = new ApolloServer({ typeDefs, resolvers });
  await apollo.start();
  const app = express();
  app.use(
    "/graphql",
    express.json(),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({ authorization: req.get("authorization") }),
    }),
  );
  const server = http.createServer(app).listen(0, "127.0.0.1", () => listening(server));
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
} else {
  const { default: Fastify } = await import("fastify");
  const { default: fastifyApollo, fastifyApolloDrainPlugin } =
    await import("@as-integrations/fastify");
  const app = Fastify();
  const apollo = new ApolloServer({
    typeDefs,
    resolvers,
    plugins: [fastifyApolloDrainPlugin(app)],
  });
  await apollo.start();
  await app.register(fastifyApollo(apollo), {
    context: async (request) => ({ authorization: request.headers.authorization }),
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  listening(app.server);
  process.once("SIGTERM", () => app.close().then(() => process.exit(0)));
}
