import { readFile } from 'node:fs/promises';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { Db, Row } from './db.js';

/**
 * A plain subgraph: its SDL (bench/plain/schema/<name>.graphql), its resolvers and a set of
 * DataLoaders made per request. Served by Apollo Server's standalone HTTP server with its
 * defaults. FOR THE BENCHMARK ONLY: nothing here checks who asks.
 */
export interface PlainContext<L> {
  readonly db: Db;
  readonly loaders: L;
}

/** A field resolver: the source row and arguments as the SDL guarantees them. */
type FieldResolver<L> = (source: never, args: never, context: PlainContext<L>) => unknown;
/** Federation's entity entry point, `__resolveReference(reference, context)`. */
type ReferenceResolver<L> = (reference: never, context: PlainContext<L>) => unknown;

export type Resolvers<L> = Readonly<Record<string, Readonly<Record<string, FieldResolver<L> | ReferenceResolver<L>>>>>;

export interface PlainSubgraph<L> {
  readonly name: 'ice' | 'cbp' | 'partner' | 'ngo';
  readonly resolvers: Resolvers<L>;
  loaders(db: Db): L;
}

export const PLAIN_SUBGRAPHS = ['ice', 'cbp', 'partner', 'ngo'] as const;

export const plainSdl = (name: PlainSubgraph<unknown>['name']): Promise<string> => readFile(new URL(`./schema/${name}.graphql`, import.meta.url), 'utf8');

/** Resolvers for fields whose column is named otherwise (snake_case), read straight off the row. */
export function columns(map: Readonly<Record<string, string>>): Record<string, (row: Row) => unknown> {
  return Object.fromEntries(Object.entries(map).map(([field, column]) => [field, (row: Row): unknown => row[column]]));
}

type SubgraphResolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { readonly typeDefs: unknown }>['resolvers']>;

export interface StartedSubgraph {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startPlainSubgraph<L>(subgraph: PlainSubgraph<L>, db: Db): Promise<StartedSubgraph> {
  const typeDefs = parse(await plainSdl(subgraph.name));
  // The one meeting of our typed resolvers with @apollo/subgraph's untyped map.
  const schema = buildSubgraphSchema({ typeDefs, resolvers: subgraph.resolvers as unknown as SubgraphResolvers });
  const server = new ApolloServer<PlainContext<L>>({ schema });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    // DataLoaders per request, as their README says: a batch and a cache per request.
    context: async () => ({ db, loaders: subgraph.loaders(db) }),
  });
  return { url, stop: () => server.stop() };
}
