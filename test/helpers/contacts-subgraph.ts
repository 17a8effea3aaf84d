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
 * A tiny "contacts" subgraph of another team: it owns Contact and returns BiginRecord references
 * (`{ module, id }`) that our subgraph resolves.
 */
export const CONTACTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: ["@key"])

  type Query {
    contacts: [Contact!]!
  }

  type Contact @key(fields: "id") {
    id: ID!
    name: String!
    record: BiginRecord!
  }

  type BiginRecord @key(fields: "module id", resolvable: false) {
    module: BiginModule!
    id: ID!
  }

  """
  Bigin modules that carry attachments. Accounts are shown as Companies in Bigin.
  """
  enum BiginModule {
    Contacts
    Pipelines
    Accounts
    Products
    Tasks
    Events
    Notes
  }
`;

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
