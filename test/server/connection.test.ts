import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_SIZE, readPage } from '../../lib/connection.js';

describe('readPage', () => {
  it('reads the default page when first is omitted', () => {
    expect(readPage('Route', {}, 500)).toMatchObject({ size: DEFAULT_PAGE_SIZE, limit: DEFAULT_PAGE_SIZE + 1, afterId: null });
  });

  it('serves a page as large as the configured limit', () => {
    expect(readPage('Route', { first: 20 }, 20)).toMatchObject({ size: 20, limit: 21 });
  });

  it('refuses a page past the configured limit with OPERATION_LIMIT, as the gateway does', () => {
    expect(() => readPage('Route', { first: 21 }, 20)).toThrow(expect.objectContaining({ code: 'OPERATION_LIMIT', message: 'Page size 21 exceeds the limit of 20' }));
  });

  it('refuses a negative page as bad input', () => {
    expect(() => readPage('Route', { first: -1 }, 20)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
