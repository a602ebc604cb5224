import { describe, expect, it } from 'vitest';
import { checkBatchSize, DEFAULT_OPERATION_LIMITS as limits } from '../../lib/limits/index.js';

const operations = (count: number): unknown => Array.from({ length: count }, () => ({ query: '{ __typename }' }));

describe('the batch limit', () => {
  const cases: { sentence: string; body: unknown; refused: boolean }[] = [
    { sentence: 'refuses a batch of 11 operations', body: operations(11), refused: true },
    { sentence: 'allows a batch of 10 operations', body: operations(10), refused: false },
    { sentence: 'allows a single operation', body: { query: '{ __typename }' }, refused: false },
    { sentence: 'allows a request without a body (GET)', body: undefined, refused: false },
  ];
  for (const { sentence, body, refused } of cases) {
    it(sentence, () => {
      if (refused) expect(() => checkBatchSize(body, limits)).toThrow();
      else expect(() => checkBatchSize(body, limits)).not.toThrow();
    });
  }

  it('says how many operations against the limit, with HTTP 400', () => {
    expect(() => checkBatchSize(operations(11), limits)).toThrow(
      expect.objectContaining({
        message: 'Batch of 11 operations exceeds the limit of 10',
        httpStatus: 400,
        extensions: expect.objectContaining({ code: 'OPERATION_LIMIT', limit: 'batch', max: 10, actual: 11 }),
      }),
    );
  });
});
