import type { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolveInfo, GraphQLScalarType } from 'graphql';

/**
 * Resolver map types of our own: @apollo/subgraph's are typed with `any`. A resolver declares
 * the exact source and argument types it expects; the schema (SDL) is what guarantees them.
 */
export type Resolver<C, S = never, A = never, R = unknown> = (source: S, args: A, context: C, info: GraphQLResolveInfo) => R | Promise<R>;

/** `__resolveReference(reference, context, info)`: federation's entity entry point. */
export type ReferenceResolver<C> = (reference: never, context: C, info: GraphQLResolveInfo) => unknown;

export interface FieldConfig<C> {
  readonly resolve?: Resolver<C>;
  readonly requires?: string;
}

export type TypeResolvers<C> = Readonly<Record<string, Resolver<C> | ReferenceResolver<C> | FieldConfig<C>>>;

export type ResolverMap<C> = Readonly<Record<string, TypeResolvers<C> | GraphQLScalarType>>;

type SubgraphModule = Extract<Parameters<typeof buildSubgraphSchema>[0], { readonly typeDefs: unknown }>;

/** The one place our resolver types meet @apollo/subgraph's untyped map. */
export const toSubgraphResolvers = <C>(resolvers: ResolverMap<C>): NonNullable<SubgraphModule['resolvers']> =>
  resolvers as unknown as NonNullable<SubgraphModule['resolvers']>;
