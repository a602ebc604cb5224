import { describe, expect, it } from 'vitest';
import { parse, specifiedRules, validate, type GraphQLError, type ValidationRule } from 'graphql';
import { TributaryError } from '../../lib/errors.js';
import {
  DEFAULT_OPERATION_LIMITS as limits,
  maxAliasesRule,
  maxDepthRule,
  maxDirectivesRule,
  maxTokensRule,
  operationDepth,
  tokenLimitParseOptions,
} from '../../lib/limits/index.js';
import { fragmentsOf } from '../../lib/limits/operation.js';
import { nestedQuery, schema } from './fixture.js';

/** Only the errors of the rule under test: the rest of graphql's rules run too, and must agree. */
function refusals(query: string, rule: ValidationRule): GraphQLError[] {
  return validate(schema, parse(query), [...specifiedRules, rule]).filter((error) => error instanceof TributaryError);
}

const relayDepth12 = `{ transfers(first: 5) { edges { node { person { encounters { route { networks { members {
  person { bookings { person { id } } } } } } } } } } } }`;

const aliases = (count: number): string =>
  `{ networks { edges { node { ${Array.from({ length: count }, (_, i) => `a${i}: name`).join(' ')} } } } }`;

const directives = (count: number): string =>
  `query ($yes: Boolean = true) { networks { totalCount ${Array.from({ length: count }, () => '@include(if: $yes)').join(' ')} } }`;

describe('the depth limit', () => {
  const cases: { sentence: string; query: string; refused: boolean }[] = [
    { sentence: 'refuses an operation 13 field levels deep', query: nestedQuery(13), refused: true },
    { sentence: 'allows an operation 12 field levels deep', query: nestedQuery(12), refused: false },
    { sentence: 'allows a Relay query 12 levels deep, edges and node counting one each', query: relayDepth12, refused: false },
    {
      sentence: 'refuses a Relay query 13 levels deep',
      query: relayDepth12.replace('bookings { person { id } }', 'bookings { person { bookings { id } } }'),
      refused: true,
    },
    {
      sentence: 'does not count __typename as a level',
      query: nestedQuery(12).replace('{ id }', '{ id __typename }'),
      refused: false,
    },
    {
      sentence: 'follows named fragments into their depth',
      query: `${nestedQuery(10).replace('{ id }', '{ ...Deep }')} fragment Deep on Network { routes { networks { routes { id } } } }`,
      refused: true,
    },
    {
      sentence: 'adds no level for an inline fragment',
      query: nestedQuery(12).replace('{ id }', '{ ... on Network { id } }'),
      refused: false,
    },
  ];
  for (const { sentence, query, refused } of cases) {
    it(sentence, () => {
      expect(refusals(query, maxDepthRule(limits)).length > 0).toBe(refused);
    });
  }

  it('says which limit and by how much', () => {
    const [error] = refusals(nestedQuery(14), maxDepthRule(limits));
    expect(error?.message).toBe('Operation depth 14 exceeds the limit of 12');
    expect(error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'depth', max: 12, actual: 14 });
  });

  it('counts networks { edges { node { routes { hazards { kind } } } } } as depth 6', () => {
    const document = parse('{ networks { edges { node { routes { hazards { kind } } } } } }');
    const operation = document.definitions[0];
    if (operation?.kind !== 'OperationDefinition') throw new Error('expected an operation');
    expect(operationDepth(operation, fragmentsOf(document))).toBe(6);
  });

  it('terminates on a fragment cycle, which graphql itself refuses', () => {
    const query = '{ network(id: "n1") { ...A } } fragment A on Network { routes { networks { ...B } } } fragment B on Network { ...A }';
    const errors = validate(schema, parse(query), [...specifiedRules, maxDepthRule(limits)]);
    expect(errors.some((error) => error.message.includes('Cannot spread fragment "A" within itself'))).toBe(true);
  });

  it('measures a fragment spread into fragments many times over once, in linear time', () => {
    // 30 fragments each spreading the previous one twice: 2^30 paths if walked naively.
    const fragments = Array.from({ length: 30 }, (_, i) =>
      i === 0 ? 'fragment F0 on Network { id }' : `fragment F${i} on Network { id ...F${i - 1} ... on Network { ...F${i - 1} } }`,
    ).join('\n');
    const started = performance.now();
    refusals(`{ network(id: "n1") { ...F29 } } ${fragments}`, maxDepthRule(limits));
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('the alias limit', () => {
  it('refuses 31 aliases, saying how many', () => {
    const [error] = refusals(aliases(31), maxAliasesRule(limits));
    expect(error?.message).toBe('Operation has 31 aliases, exceeding the limit of 30');
    expect(error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'aliases', max: 30, actual: 31 });
  });

  it('allows 30 aliases', () => {
    expect(refusals(aliases(30), maxAliasesRule(limits))).toEqual([]);
  });

  it('counts aliases of __typename too', () => {
    const query = `{ ${Array.from({ length: 31 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    expect(refusals(query, maxAliasesRule(limits))).toHaveLength(1);
  });

  it('counts aliases inside fragments once per spread', () => {
    const fragment = `fragment Names on Network { ${Array.from({ length: 16 }, (_, i) => `n${i}: name`).join(' ')} }`;
    const query = `{ a: network(id: "1") { ...Names } b: network(id: "2") { ...Names } } ${fragment}`;
    expect(refusals(query, maxAliasesRule(limits))[0]?.extensions).toMatchObject({ actual: 34 });
  });
});

describe('the directive limit', () => {
  it('refuses a field with 6 directives', () => {
    const [error] = refusals(directives(6), maxDirectivesRule(limits));
    expect(error?.message).toBe('Field "totalCount" has 6 directives, exceeding the limit of 5');
    expect(error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'directives', max: 5, actual: 6 });
  });

  it('allows a field with 5 directives', () => {
    expect(refusals(directives(5), maxDirectivesRule(limits))).toEqual([]);
  });

  it('refuses a fragment spread with 6 directives', () => {
    const query = `{ network(id: "1") { ...F ${'@skip(if: false) '.repeat(6)} } } fragment F on Network { id }`;
    expect(refusals(query, maxDirectivesRule(limits))).toHaveLength(1);
  });
});

describe('the token limit', () => {
  it('refuses a document of more than 5,000 tokens', () => {
    const query = `{ networks { edges { node { ${'id '.repeat(5_000)} } } } }`;
    const [error] = refusals(query, maxTokensRule(limits));
    expect(error?.extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'tokens', max: 5_000 });
  });

  it('allows a document of exactly 5,000 tokens, comments not counted, as the parser counts them', () => {
    // `{ networks { edges { node {` and `} } } }` are 11 tokens; 4,989 ids make 5,000.
    const query = `# a comment\n{ networks { edges { node { ${'id '.repeat(4_989)} } } } }`;
    const oneMore = query.replace('{ id', '{ id id');
    expect(refusals(query, maxTokensRule(limits))).toEqual([]);
    expect(refusals(oneMore, maxTokensRule(limits))).toHaveLength(1);
    expect(() => parse(query, tokenLimitParseOptions(limits))).not.toThrow();
    expect(() => parse(oneMore, tokenLimitParseOptions(limits))).toThrow(/5000 tokens/);
  });
});
