import { describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION_LIMITS, operationLimitsFromEnv } from '../../lib/limits/index.js';

describe('operation limit settings', () => {
  it('default to SPEC section 8', () => {
    expect(DEFAULT_OPERATION_LIMITS).toMatchObject({
      maxDepth: 12,
      maxAliases: 30,
      maxDirectivesPerField: 5,
      defaultPageSize: 50,
      maxPageSize: 500,
      maxBatch: 10,
      maxBodyBytes: 1_048_576,
    });
  });

  it('are the defaults when no variable is set', () => {
    expect(operationLimitsFromEnv({})).toEqual(DEFAULT_OPERATION_LIMITS);
  });

  const overrides: { variable: string; value: string; key: keyof typeof DEFAULT_OPERATION_LIMITS; expected: number }[] = [
    { variable: 'LIMIT_MAX_DEPTH', value: '15', key: 'maxDepth', expected: 15 },
    { variable: 'LIMIT_MAX_ALIASES', value: '40', key: 'maxAliases', expected: 40 },
    { variable: 'LIMIT_MAX_DIRECTIVES', value: '3', key: 'maxDirectivesPerField', expected: 3 },
    { variable: 'LIMIT_MAX_TOKENS', value: '8000', key: 'maxTokens', expected: 8_000 },
    { variable: 'LIMIT_MAX_PAGE_SIZE', value: '200', key: 'maxPageSize', expected: 200 },
    { variable: 'LIMIT_MAX_BATCH', value: '5', key: 'maxBatch', expected: 5 },
    { variable: 'LIMIT_MAX_BODY_BYTES', value: '2097152', key: 'maxBodyBytes', expected: 2_097_152 },
    { variable: 'LIMIT_MAX_COST', value: '100000', key: 'maxCost', expected: 100_000 },
    { variable: 'LIMIT_MAX_RECORDS', value: '20000', key: 'maxRecords', expected: 20_000 },
  ];
  for (const { variable, value, key, expected } of overrides) {
    it(`take ${key} from ${variable}`, () => {
      expect(operationLimitsFromEnv({ [variable]: value })[key]).toBe(expected);
    });
  }

  it('ignore an empty variable', () => {
    expect(operationLimitsFromEnv({ LIMIT_MAX_DEPTH: '' }).maxDepth).toBe(12);
  });

  for (const bad of ['twelve', '-1', '0', '1.5', '1e3', '0x10', '99999999999999999999']) {
    it(`refuse LIMIT_MAX_DEPTH="${bad}", naming the variable and the value`, () => {
      expect(() => operationLimitsFromEnv({ LIMIT_MAX_DEPTH: bad })).toThrow(`LIMIT_MAX_DEPTH must be a whole number of at least 1, got "${bad}"`);
    });
  }
});
