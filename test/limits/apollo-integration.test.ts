import { describe, expect, it } from 'vitest';
import { ApolloServer } from '@apollo/server';
import { getIntrospectionQuery } from 'graphql';
import { DEFAULT_OPERATION_LIMITS, operationLimitsFromEnv, tokenLimitParseOptions, useLimitErrorCodes } from '../../lib/limits/index.js';
import { limitedServer, nestedQuery, schema } from './fixture.js';

const server = limitedServer();

const aliases = (count: number): string =>
  `{ networks { edges { node { ${Array.from({ length: count }, (_, i) => `a${i}: name`).join(' ')} } } } }`;

const relayDepth12 = `{ transfers(first: 5) { edges { node { person { encounters { route { networks { members {
  person { bookings { person { id } } } } } } } } } } } }`;

interface HostileInput {
  readonly sentence: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly limit: string;
  readonly message: RegExp;
}

/** Each refused with OPERATION_LIMIT and HTTP 400, naming the limit. */
const hostile: HostileInput[] = [
  { sentence: 'a depth bomb 13 levels deep', query: nestedQuery(13), limit: 'depth', message: /^Operation depth 13 exceeds the limit of 12$/ },
  {
    sentence: 'a Relay depth bomb 13 levels deep',
    query: relayDepth12.replace('bookings { person { id } }', 'bookings { person { bookings { id } } }'),
    limit: 'depth',
    message: /^Operation depth 13 exceeds the limit of 12$/,
  },
  { sentence: 'an alias flood of 31', query: aliases(31), limit: 'aliases', message: /^Operation has 31 aliases, exceeding the limit of 30$/ },
  {
    sentence: 'a directive flood of 6 on one field',
    query: `{ networks { totalCount ${'@note(text: "x") '.repeat(6)} } }`,
    limit: 'directives',
    message: /^Field "totalCount" has 6 directives, exceeding the limit of 5$/,
  },
  {
    sentence: 'a token flood of 20,000 tokens',
    query: `{ networks { edges { node { ${'id '.repeat(20_000)} } } } }`,
    limit: 'tokens',
    message: /^Operation exceeds the limit of 5000 tokens$/,
  },
  {
    sentence: 'a page of 501',
    query: '{ networks(first: 501) { edges { node { id } } } }',
    limit: 'pageSize',
    message: /^Page size 501 \("first" on field "networks"\) exceeds the limit of 500$/,
  },
  {
    sentence: 'a page of 501 passed as a variable',
    query: 'query Page($n: Int) { networks(first: $n) { edges { node { id } } } }',
    variables: { n: 501 },
    limit: 'pageSize',
    message: /^Page size 501/,
  },
  {
    sentence: 'a cost bomb: a route-network cycle under a page of 500',
    query: '{ networks(first: 500) { edges { node { routes { networks { routes { networks { routes { id } } } } } } } } }',
    limit: 'cost',
    message: /^Estimated operation cost 55,556,002 exceeds the limit of 250,000$/,
  },
  {
    sentence: 'a cost bomb: nested pages of 500, sizes passed as variables',
    query: 'query ($n: Int) { routes(first: $n) { edges { node { encounterPage(first: $n) { edges { node { id } } } } } } }',
    variables: { n: 500 },
    limit: 'cost',
    message: /^Estimated operation cost 501,502 exceeds the limit of 250,000$/,
  },
];

/** Legitimate queries: each runs with no error at all. */
const legitimate: { sentence: string; query: string; variables?: Record<string, unknown> }[] = [
  { sentence: 'a Relay query 12 levels deep', query: relayDepth12 },
  { sentence: '30 aliases', query: aliases(30) },
  { sentence: '5 directives on a field', query: `{ networks { totalCount ${'@note(text: "x") '.repeat(5)} } }` },
  { sentence: 'a page of 500', query: '{ networks(first: 500) { edges { node { id } } } }' },
  { sentence: 'a page of 500 passed as a variable', query: 'query ($n: Int) { networks(first: $n) { totalCount } }', variables: { n: 500 } },
  { sentence: 'a page whose size is omitted', query: '{ networks { edges { node { id } } } }' },
  {
    sentence: '500 transfers with their person, encounters and bookings',
    query: '{ transfers(first: 500) { edges { node { id status person { id name encounters { id } bookings { id } } } } } }',
  },
  {
    sentence: '500 networks with their routes, hazards and members',
    query: '{ networks(first: 500) { edges { node { id name routes { id hazards { kind } } members { role person { id name } } } } } }',
  },
  { sentence: 'the IDE\'s introspection query, deeper than 12 levels through ofType', query: getIntrospectionQuery() },
];

describe('Apollo Server with the operation limits', () => {
  for (const { sentence, query, variables, limit, message } of hostile) {
    it(`refuses ${sentence} with OPERATION_LIMIT`, async () => {
      const { status, errors } = await server.run(query, variables);
      expect(status).toBe(400);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toMatch(message);
      expect(errors[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit });
    });
  }

  for (const { sentence, query, variables } of legitimate) {
    it(`allows ${sentence}`, async () => {
      const { errors } = await server.run(query, variables);
      expect(errors).toEqual([]);
    });
  }

  it('refuses a flood of repeated directives, among the errors graphql raises for each repeat', async () => {
    const { status, errors } = await server.run(`{ networks { totalCount ${'@skip(if: false) '.repeat(50)} } }`);
    expect(status).toBe(400);
    expect(errors.map((error) => error.extensions?.['code'])).toContain('OPERATION_LIMIT');
  });

  it('refuses a negative page size as bad input', async () => {
    const { errors } = await server.run('{ networks(first: -1) { totalCount } }');
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses an oversized page as a page size, not as a cost', async () => {
    const { errors } = await server.run('{ networks(first: 100000) { edges { node { routes { networks { id } } } } } }');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extensions).toMatchObject({ limit: 'pageSize' });
  });

  it('stops a token flood in the parser, before validation, still as OPERATION_LIMIT', async () => {
    const parserOnly = new ApolloServer({ schema, parseOptions: tokenLimitParseOptions(DEFAULT_OPERATION_LIMITS), plugins: [useLimitErrorCodes()] });
    const response = await parserOnly.executeOperation({ query: `{ ${'__typename '.repeat(10_000)} }` });
    const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
    expect(response.http.status).toBe(400);
    expect(errors?.[0]).toMatchObject({ message: 'Operation exceeds the limit of 5000 tokens', extensions: { code: 'OPERATION_LIMIT', limit: 'tokens' } });
  });

  it('honours limits read from the environment', async () => {
    const strict = limitedServer(operationLimitsFromEnv({ LIMIT_MAX_DEPTH: '3' }));
    const { errors } = await strict.run('{ networks { edges { node { id } } } }');
    expect(errors[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'depth', max: 3, actual: 4 });
  });
});

describe('a suggestion probe', () => {
  const probes: { sentence: string; query: string; variables?: Record<string, unknown>; still: RegExp }[] = [
    {
      sentence: 'a misspelled field',
      query: '{ networks { edges { node { nmae } } } }',
      still: /^Cannot query field "nmae" on type "Network"\.$/,
    },
    {
      sentence: 'a misspelled argument',
      query: '{ networks(frist: 5) { totalCount } }',
      still: /^Unknown argument "frist" on field "Query\.networks"\.$/,
    },
    {
      sentence: 'a misspelled type',
      query: 'query ($f: NetworkFiltr) { networks(filter: $f) { totalCount } }',
      still: /^Unknown type "NetworkFiltr"\.$/,
    },
    {
      sentence: 'a misspelled enum value in a variable',
      query: 'query ($f: NetworkFilter) { networks(filter: $f) { totalCount } }',
      variables: { f: { sector: 'TUSCON' } },
      still: /Value "TUSCON" does not exist in "Sector" enum\.$/,
    },
  ];
  for (const { sentence, query, variables, still } of probes) {
    it(`with ${sentence} gets no "Did you mean"`, async () => {
      const { errors } = await server.run(query, variables);
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) expect(error.message).not.toMatch(/Did you mean/);
      expect(errors.map((error) => error.message)).toContainEqual(expect.stringMatching(still));
    });
  }
});
