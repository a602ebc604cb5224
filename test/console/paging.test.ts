import { describe, expect, it } from 'vitest';
import type { Page } from '../../console/src/api/types.js';
import { collectPages, CursorPager } from '../../console/src/paging.js';

/** A log of `total` numbered items served in cursor pages, recording each call. */
function fakeLog(total: number) {
  const calls: { first: number; after: string | null }[] = [];
  const fetchPage = async (first: number, after: string | null): Promise<Page<number>> => {
    calls.push({ first, after });
    const start = after === null ? 0 : Number(after);
    const items = Array.from({ length: Math.max(0, Math.min(first, total - start)) }, (_, i) => start + i);
    const end = start + items.length;
    return { items, totalCount: total, hasNextPage: end < total, endCursor: items.length === 0 ? null : String(end) };
  };
  return { calls, fetchPage };
}

describe('collecting every page of a filter', () => {
  it('follows the cursors to the last page, each item once', async () => {
    const log = fakeLog(1_234);
    const progress: number[] = [];
    const result = await collectPages(log.fetchPage, { pageSize: 500, onProgress: (read) => progress.push(read) });
    expect(result.items).toEqual(Array.from({ length: 1_234 }, (_, i) => i));
    expect(result).toMatchObject({ totalCount: 1_234, truncated: false });
    expect(log.calls).toEqual([
      { first: 500, after: null },
      { first: 500, after: '500' },
      { first: 500, after: '1000' },
    ]);
    expect(progress).toEqual([500, 1_000, 1_234]);
  });

  it('stops at the cap and says it did, asking for no more than it keeps', async () => {
    const log = fakeLog(25_000);
    const result = await collectPages(log.fetchPage, { cap: 1_200, pageSize: 500 });
    expect(result.items).toHaveLength(1_200);
    expect(result).toMatchObject({ totalCount: 25_000, truncated: true });
    expect(log.calls.map((call) => call.first)).toEqual([500, 500, 200]);
  });

  it('is not truncated when the cap and the log end together', async () => {
    const result = await collectPages(fakeLog(1_000).fetchPage, { cap: 1_000, pageSize: 500 });
    expect(result.truncated).toBe(false);
  });

  it('returns nothing for an empty filter, after one request', async () => {
    const log = fakeLog(0);
    await expect(collectPages(log.fetchPage)).resolves.toEqual({ items: [], totalCount: 0, truncated: false });
    expect(log.calls).toHaveLength(1);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collectPages(fakeLog(10).fetchPage, { signal: controller.signal })).rejects.toThrow();
  });
});

describe('previous and next over cursor pages', () => {
  it('remembers the cursor that opened each page', () => {
    const pager = new CursorPager();
    expect(pager).toMatchObject({ pageIndex: 0, current: null, hasPrevious: false });
    pager.next('c50');
    pager.next('c100');
    expect(pager).toMatchObject({ pageIndex: 2, current: 'c100', hasPrevious: true });
    expect(pager.previous()).toBe('c50');
    expect(pager.previous()).toBeNull();
    expect(pager.previous()).toBeNull();
    expect(pager.hasPrevious).toBe(false);
  });

  it('numbers the entries a page shows', () => {
    const pager = new CursorPager();
    expect(pager.range(50, 50)).toEqual({ first: 1, last: 50 });
    pager.next('c');
    expect(pager.range(50, 7)).toEqual({ first: 51, last: 57 });
    expect(new CursorPager().range(50, 0)).toEqual({ first: 0, last: 0 });
  });
});
