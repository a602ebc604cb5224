import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { TributaryError } from '../../lib/errors.js';
import { DEFAULT_OPERATION_LIMITS as limits, checkPageSizes } from '../../lib/limits/index.js';

function outcome(query: string, variables?: Record<string, unknown>, operationName?: string): string {
  try {
    checkPageSizes(parse(query), variables, limits, operationName);
    return 'allowed';
  } catch (error) {
    if (error instanceof TributaryError) return error.code;
    throw error;
  }
}

const cases: { sentence: string; query: string; variables?: Record<string, unknown>; operationName?: string; expected: string }[] = [
  { sentence: 'refuses first: 501', query: '{ networks(first: 501) { totalCount } }', expected: 'OPERATION_LIMIT' },
  { sentence: 'allows first: 500', query: '{ networks(first: 500) { totalCount } }', expected: 'allowed' },
  { sentence: 'allows an omitted first', query: '{ networks { totalCount } }', expected: 'allowed' },
  { sentence: 'refuses last: 501', query: '{ routes(last: 501) { totalCount } }', expected: 'OPERATION_LIMIT' },
  {
    sentence: 'refuses first: 501 passed as a variable',
    query: 'query ($n: Int) { networks(first: $n) { totalCount } }',
    variables: { n: 501 },
    expected: 'OPERATION_LIMIT',
  },
  {
    sentence: 'allows first: 500 passed as a variable',
    query: 'query ($n: Int) { networks(first: $n) { totalCount } }',
    variables: { n: 500 },
    expected: 'allowed',
  },
  {
    sentence: 'allows a page-size variable left out',
    query: 'query ($n: Int) { networks(first: $n) { totalCount } }',
    expected: 'allowed',
  },
  {
    sentence: 'refuses a variable whose default is 501',
    query: 'query ($n: Int = 501) { networks(first: $n) { totalCount } }',
    expected: 'OPERATION_LIMIT',
  },
  {
    sentence: 'lets a sent value override the variable\'s default',
    query: 'query ($n: Int = 501) { networks(first: $n) { totalCount } }',
    variables: { n: 20 },
    expected: 'allowed',
  },
  {
    sentence: 'refuses first: 501 inside a fragment',
    query: '{ ...Q } fragment Q on Query { networks(first: 501) { totalCount } }',
    expected: 'OPERATION_LIMIT',
  },
  {
    sentence: 'refuses first: 501 on a nested field',
    query: '{ routes { edges { node { encounterPage(first: 501) { totalCount } } } } }',
    expected: 'OPERATION_LIMIT',
  },
  { sentence: 'refuses a negative first as bad input', query: '{ networks(first: -1) { totalCount } }', expected: 'BAD_USER_INPUT' },
  {
    sentence: 'refuses a negative first passed as a variable as bad input',
    query: 'query ($n: Int) { networks(first: $n) { totalCount } }',
    variables: { n: -5 },
    expected: 'BAD_USER_INPUT',
  },
  {
    sentence: 'leaves a page size that is not a number to GraphQL\'s coercion',
    query: 'query ($n: Int) { networks(first: $n) { totalCount } }',
    variables: { n: '9999' },
    expected: 'allowed',
  },
  {
    sentence: 'checks only the operation the request runs',
    query: 'query Big { networks(first: 501) { totalCount } } query Small { networks(first: 5) { totalCount } }',
    operationName: 'Small',
    expected: 'allowed',
  },
];

describe('the page-size limit', () => {
  for (const { sentence, query, variables, operationName, expected } of cases) {
    it(sentence, () => {
      expect(outcome(query, variables, operationName)).toBe(expected);
    });
  }

  it('says which field and by how much', () => {
    expect(() => checkPageSizes(parse('{ networks(first: 501) { totalCount } }'), undefined, limits)).toThrow(
      expect.objectContaining({
        message: 'Page size 501 ("first" on field "networks") exceeds the limit of 500',
        extensions: expect.objectContaining({ code: 'OPERATION_LIMIT', limit: 'pageSize', max: 500, actual: 501 }),
      }),
    );
  });
});
