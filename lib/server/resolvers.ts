import type { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLScalarType } from 'graphql';

/**
 * A subgraph's resolver map as SubgraphDefinition carries it: types by name, each a scalar or
 * its fields' resolvers. Only the outline is checked here; each subgraph declares its map as
 * the `Resolvers` type generated from its SDL (schema/generated/<subgraph>.ts, `npm run
 * codegen`), which checks every resolver's parent, arguments, context and result against the
 * schema. @apollo/subgraph types its own map with `any`, so nothing is lost in between.
 */
export type ResolverMap = Readonly<Record<string, GraphQLScalarType | object>>;

type SubgraphModule = Extract<Parameters<typeof buildSubgraphSchema>[0], { readonly typeDefs: unknown }>;

/** The one place our resolver maps meet @apollo/subgraph's untyped one. */
export const toSubgraphResolvers = (resolvers: ResolverMap): NonNullable<SubgraphModule['resolvers']> =>
  resolvers as NonNullable<SubgraphModule['resolvers']>;
