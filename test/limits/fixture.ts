import { ApolloServer } from '@apollo/server';
import { buildSchema, type GraphQLFormattedError } from 'graphql';
import { DEFAULT_OPERATION_LIMITS, useOperationLimits, type OperationLimits } from '../../lib/limits/index.js';

/**
 * A small schema shaped like the supergraph's (SPEC section 7): Relay connections at the root,
 * plain lists between entities (`Network.routes`, `Route.networks`, `Route.hazards`,
 * `Person.encounters`), and one nested connection (`Route.encounterPage`) that the real schema
 * does not have yet, to show what nested pages cost.
 */
export const schema = buildSchema(/* GraphQL */ `
  "Stands in for any repeatable executable directive: graphql allows @skip and @include once each."
  directive @note(text: String) repeatable on FIELD

  enum Sector { TUCSON RGV EL_PASO SAN_DIEGO }
  input NetworkFilter { sector: Sector }

  type Query {
    network(id: ID!): Network
    networks(filter: NetworkFilter, first: Int, after: String): NetworkConnection!
    routes(first: Int, last: Int, after: String): RouteConnection!
    transfers(first: Int, after: String): TransferConnection!
    person(id: ID!): Person
  }

  type PageInfo { hasNextPage: Boolean! endCursor: String }

  type Network { id: ID! name: String kind: String threatLevel: String routes: [Route!] members: [NetworkMember!] }
  type NetworkMember { person: Person role: String }
  type NetworkEdge { cursor: String! node: Network! }
  type NetworkConnection { edges: [NetworkEdge!]! pageInfo: PageInfo! totalCount: Int! }

  type Route {
    id: ID!
    name: String
    sector: Sector
    networks: [Network!]
    hazards: [Hazard!]
    encounterPage(first: Int, after: String): EncounterConnection!
  }
  type Hazard { kind: String }
  type RouteEdge { cursor: String! node: Route! }
  type RouteConnection { edges: [RouteEdge!]! pageInfo: PageInfo! totalCount: Int! }

  type Person { id: ID! name: String encounters: [Encounter!] bookings: [Booking!] transfers: [Transfer!] }
  type Encounter { id: ID! person: Person route: Route }
  type EncounterEdge { cursor: String! node: Encounter! }
  type EncounterConnection { edges: [EncounterEdge!]! pageInfo: PageInfo! totalCount: Int! }
  type Booking { id: ID! county: String person: Person }
  type Transfer { id: ID! status: String person: Person }
  type TransferEdge { cursor: String! node: Transfer! }
  type TransferConnection { edges: [TransferEdge!]! pageInfo: PageInfo! totalCount: Int! }
`);

const emptyPage = () => ({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });

/** Root resolvers: every page is empty, which is all the limits need to be observed. */
const rootValue = {
  network: () => null,
  networks: emptyPage,
  routes: emptyPage,
  transfers: emptyPage,
  person: () => null,
};

export interface Outcome {
  readonly status: number | undefined;
  readonly errors: readonly GraphQLFormattedError[];
}

/** A real Apollo Server wired the way the gateway wires it: `...useOperationLimits(limits)`. */
export function limitedServer(limits: OperationLimits = DEFAULT_OPERATION_LIMITS): {
  run(query: string, variables?: Record<string, unknown>): Promise<Outcome>;
} {
  const server = new ApolloServer({ schema, rootValue, ...useOperationLimits(limits) });
  return {
    async run(query, variables) {
      const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return { status: response.http.status, errors: response.body.singleResult.errors ?? [] };
    },
  };
}

/** `levels` field levels alternating `routes`/`networks` under `network(id: "n1")`, ending in `id`. */
export function nestedQuery(levels: number): string {
  let selection = 'id';
  for (let level = levels - 1; level > 1; level -= 1) selection = `${level % 2 === 0 ? 'routes' : 'networks'} { ${selection} }`;
  return `{ network(id: "n1") { ${selection} } }`;
}
