import type { Page } from './api/types.js';

/** Most entries one export gathers: 20 pages of 500, a few seconds, a few megabytes. */
export const EXPORT_CAP = 10_000;

export interface Collected<T> {
  readonly items: readonly T[];
  /** Entries matching, as the first page counted them. */
  readonly totalCount: number;
  /** True when the cap stopped the walk before the last page. */
  readonly truncated: boolean;
}

/**
 * Walks the pages of one filter, `after` cursor by cursor, until the last page or `cap` items.
 * Keyset pages (newest first) do not shift while entries are appended, so no entry is read
 * twice or skipped, even while the export's own reads are being logged.
 */
export async function collectPages<T>(
  fetchPage: (first: number, after: string | null) => Promise<Page<T>>,
  options: { readonly cap?: number; readonly pageSize?: number; readonly onProgress?: (read: number, total: number) => void; readonly signal?: AbortSignal } = {},
): Promise<Collected<T>> {
  const cap = options.cap ?? EXPORT_CAP;
  const pageSize = options.pageSize ?? 500;
  const items: T[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const page: Page<T> = await fetchPage(Math.min(pageSize, cap - items.length), after);
    if (after === null) totalCount = page.totalCount;
    items.push(...page.items.slice(0, cap - items.length));
    options.onProgress?.(items.length, totalCount);
    if (!page.hasNextPage || page.endCursor === null) return { items, totalCount, truncated: false };
    if (items.length >= cap) return { items, totalCount, truncated: true };
    after = page.endCursor;
  }
}

/**
 * Previous/next over cursor pages: the stack of `after` cursors that opened each page read so
 * far (the first page opens with null), since the API pages forward only.
 */
export class CursorPager {
  private readonly stack: (string | null)[] = [null];

  get pageIndex(): number {
    return this.stack.length - 1;
  }

  get current(): string | null {
    return this.stack.at(-1) ?? null;
  }

  get hasPrevious(): boolean {
    return this.stack.length > 1;
  }

  next(endCursor: string): string {
    this.stack.push(endCursor);
    return endCursor;
  }

  previous(): string | null {
    if (this.stack.length > 1) this.stack.pop();
    return this.current;
  }

  /** "51–100" for page 2 of 50 with 50 items. */
  range(pageSize: number, itemsOnPage: number): { first: number; last: number } {
    const first = this.pageIndex * pageSize + 1;
    return itemsOnPage === 0 ? { first: 0, last: 0 } : { first, last: first + itemsOnPage - 1 };
  }
}
