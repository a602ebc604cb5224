import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { TributaryError } from '../../lib/errors.js';
import { DEFAULT_OPERATION_LIMITS as limits, checkCost, estimateCost } from '../../lib/limits/index.js';
import { schema } from './fixture.js';

const cost = (query: string, variables?: Record<string, unknown>): number => estimateCost(schema, parse(query), variables, limits);

function refusal(query: string, variables?: Record<string, unknown>): TributaryError | undefined {
  try {
    checkCost(schema, parse(query), variables, limits);
    return undefined;
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
}

/** The legitimate 500-record pages of SPEC section 8: "enough for a 500-record page with its nested entities". */
const legitimate: { sentence: string; query: string; cost: number }[] = [
  {
    sentence: '500 transfers with their person, encounters and bookings',
    query: '{ transfers(first: 500) { edges { node { id status person { id name encounters { id } bookings { id } } } } } }',
    cost: 14_002,
  },
  {
    sentence: '500 networks with their routes, hazards and members',
    query: `{ networks(first: 500) { edges { node { id name routes { id hazards { kind } }
      members { role person { id name } } } } } }`,
    cost: 82_502,
  },
  {
    sentence: '500 networks with more of every route, plus the page info and count',
    query: `{ networks(first: 500) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name kind threatLevel
      routes { id name sector hazards { kind } } members { role person { id name } } } } } }`,
    cost: 94_006,
  },
];

/** Queries whose pages multiply past the budget. */
const bombs: { sentence: string; query: string; variables?: Record<string, unknown> }[] = [
  {
    sentence: 'a route-network cycle under a 500-record page',
    query: '{ networks(first: 500) { edges { node { routes { networks { routes { networks { routes { id } } } } } } } } }',
  },
  {
    sentence: 'a 500-record page nested in a 500-record page',
    query: '{ routes(first: 500) { edges { node { encounterPage(first: 500) { edges { node { id } } } } } } }',
  },
  {
    sentence: 'nested pages whose sizes arrive as variables',
    query: 'query ($n: Int, $m: Int) { routes(first: $n) { edges { node { encounterPage(first: $m) { edges { node { id } } } } } } }',
    variables: { n: 500, m: 500 },
  },
  {
    sentence: 'nested pages whose sizes are the variables\' defaults',
    query: 'query ($n: Int = 500) { routes(first: $n) { edges { node { encounterPage(first: $n) { edges { node { id } } } } } } }',
  },
  {
    sentence: 'the cycle hidden in fragments',
    query: `{ networks(first: 500) { edges { node { ...N } } } }
      fragment N on Network { routes { networks { ...M } } }
      fragment M on Network { routes { networks { routes { id } } } }`,
  },
];

describe('the cost estimate', () => {
  for (const { sentence, query, cost: expected } of legitimate) {
    it(`allows ${sentence} (cost ${expected.toLocaleString('en-US')})`, () => {
      expect(cost(query)).toBe(expected);
      expect(refusal(query)).toBeUndefined();
    });
  }

  for (const { sentence, query, variables } of bombs) {
    it(`refuses ${sentence}`, () => {
      const error = refusal(query, variables);
      expect(error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'cost', max: 250_000 });
      expect(error?.message).toMatch(/^Estimated operation cost [\d,]+ exceeds the limit of 250,000$/);
    });
  }

  it('charges a connection its default page of 50 when first is omitted', () => {
    expect(cost('{ networks { edges { node { id } } } }')).toBe(1 + 1 + 50 * 2);
  });

  it('multiplies a page\'s list, not its pageInfo or totalCount', () => {
    expect(cost('{ networks(first: 500) { totalCount pageInfo { hasNextPage } } }')).toBe(1 + 1 + 2);
  });

  it('charges __typename and introspection nothing', () => {
    expect(cost('{ __typename networks(first: 2) { edges { node { id __typename } } } }')).toBe(1 + 1 + 2 * 2);
  });

  it('stays finite for absurd nesting', () => {
    const deep = `{ networks(first: 500) { edges { node { ${'routes { networks { '.repeat(200)}id${' } }'.repeat(200)} } } } }`;
    expect(cost(deep)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
