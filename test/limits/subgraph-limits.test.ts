import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLFormattedError } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION_LIMITS as limits, estimateCost, useOperationLimits, useSubgraphOperationLimits } from '../../lib/limits/index.js';
import { loadSubgraphSdl } from '../../lib/server/subgraph.js';

/** Representations of `count` persons, as a router sends them. */
const persons = (count: number): unknown[] => Array.from({ length: count }, (_, i) => ({ __typename: 'Person', id: `P-${i}` }));

const ENCOUNTERS_OF = 'query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename ... on Person { encounters { id station } } } }';

interface Outcome {
  readonly status: number | undefined;
  readonly errors: readonly GraphQLFormattedError[];
}

/**
 * The subgraphs' operation limits (SPEC 8: the gateway's, applied by the same code), checked on
 * the real CBP subgraph schema, whose `_entities` is how every router asks it for a person's
 * encounters or a network's routes. Resolvers are left out: the limits refuse before execution,
 * and what passes them is answered with nulls.
 */
describe('the operation limits of a subgraph', () => {
  let subgraph: ApolloServer;
  let gatewayLike: ApolloServer;
  const run = async (server: ApolloServer, query: string, variables?: Record<string, unknown>): Promise<Outcome> => {
    const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status, errors: response.body.singleResult.errors ?? [] };
  };
  const limitsOf = (outcome: Outcome): unknown[] => outcome.errors.filter((error) => error.extensions?.code === 'OPERATION_LIMIT').map((error) => error.extensions?.limit);

  beforeAll(async () => {
    const schema = buildSubgraphSchema({ typeDefs: parse(await loadSubgraphSdl('cbp')) });
    subgraph = new ApolloServer({ schema, ...useSubgraphOperationLimits(limits) });
    gatewayLike = new ApolloServer({ schema, ...useOperationLimits(limits) });
  });

  describe('the cost of an entity fetch', () => {
    it('counts each representation as a record of a page: 500 persons\' encounters cost 1 + 500 x (1 + 1 + 10 x 2)', async () => {
      const schema = buildSubgraphSchema({ typeDefs: parse(await loadSubgraphSdl('cbp')) });
      expect(estimateCost(schema, parse(ENCOUNTERS_OF), { representations: persons(500) }, limits)).toBe(11_001);
    });

    it('admits the fetch a router plans for 500 persons\' encounters', async () => {
      expect(limitsOf(await run(subgraph, ENCOUNTERS_OF, { representations: persons(500) }))).toEqual([]);
    });

    it('refuses 100,000 representations pulling a list each, by cost', async () => {
      const outcome = await run(subgraph, ENCOUNTERS_OF, { representations: persons(100_000) });
      expect(outcome.status).toBe(400);
      expect(limitsOf(outcome)).toEqual(['cost']);
    });

    it('refuses representations whose nested lists multiply past the budget', async () => {
      const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { encounters { route { networks { routes { id } } } } } } }';
      expect(limitsOf(await run(subgraph, query, { r: persons(300) }))).toEqual(['cost']);
    });

    it('estimates again when the same operation arrives with more representations', async () => {
      expect(limitsOf(await run(subgraph, ENCOUNTERS_OF, { representations: persons(10) }))).toEqual([]);
      expect(limitsOf(await run(subgraph, ENCOUNTERS_OF, { representations: persons(30_000) }))).toEqual(['cost']);
    });
  });

  describe('aliases', () => {
    const rootAliases = `{ ${Array.from({ length: 31 }, (_, i) => `_v${i}_route: route(id: "R-${i}") { id }`).join(' ')} }`;

    it('leaves root-field aliases uncounted, as a router merging 31 fetches writes them', async () => {
      expect(limitsOf(await run(subgraph, rootAliases))).toEqual([]);
    });

    it('counts them at the gateway', async () => {
      expect(limitsOf(await run(gatewayLike, rootAliases))).toEqual(['aliases']);
    });

    it('counts aliases below the root as the gateway does', async () => {
      const nested = `{ route(id: "R-1") { ${Array.from({ length: 31 }, (_, i) => `a${i}: name`).join(' ')} } }`;
      const outcome = await run(subgraph, nested);
      expect(limitsOf(outcome)).toEqual(['aliases']);
      expect(outcome.errors[0]?.extensions).toMatchObject({ max: 30, actual: 31 });
    });
  });

  describe('tokens', () => {
    const document = (tokens: number): string => `{ route(id: "R-1") { ${'id '.repeat(tokens - 10)} } }`;

    it('admit twice the gateway\'s budget, for the keys, type conditions and wrappers a plan adds', async () => {
      expect(limitsOf(await run(subgraph, document(9_000)))).toEqual([]);
      expect(limitsOf(await run(gatewayLike, document(9_000)))).toEqual(['tokens']);
    });

    it('refuse past that', async () => {
      expect(limitsOf(await run(subgraph, document(10_100)))).toEqual(['tokens']);
    });
  });

  it('refuses depth, directives and page size exactly as the gateway does', async () => {
    const deep = `{ route(id: "R-1") { networks { routes { networks { routes { networks { routes { networks { routes { networks { routes { networks { id } } } } } } } } } } } } }`;
    expect(limitsOf(await run(subgraph, deep))).toEqual(['depth']);
    expect(limitsOf(await run(subgraph, `{ routes(first: 1) { totalCount ${'@include(if: true) '.repeat(6)} } }`))).toContain('directives');
    expect(limitsOf(await run(subgraph, '{ routes(first: 501) { totalCount } }'))).toEqual(['pageSize']);
  });
});
