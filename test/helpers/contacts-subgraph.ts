import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { createLogger } from "../../src/logger.js";

export interface Contact {
  id: string;
  name: string;
  record: { module: string; id: string };
}

/**
 * A tiny "contacts" subgraph of another team, as the README shows it: it owns Contact and
 * returns BiginRecord references (`{ module, id }`) that our subgraph resolves.
 */
const CONTACTS_SDL = readFileSync(
  new URL("../examples/contacts-subgraph.graphql", import.meta.url),
  "utf8",
);

/** Serves CONTACTS_SDL on a loopback port; `contacts()` is read at every query. */
export async function startContactsSubgraph(contacts: () => readonly Contact[]) {
  const server = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: parse(CONTACTS_SDL),
      resolvers: { Query: { contacts: () => contacts() } },
    }),
    logger: createLogger("silent"),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: "127.0.0.1" } });
  return { url, close: () => server.stop() };
}
