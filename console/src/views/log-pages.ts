import type { AccessEvent, Page } from '../api/types.js';
import { replace } from '../dom.js';
import { formatCount, plural } from '../format.js';
import type { AccessLogFilterInput } from '../log-filter.js';
import { CursorPager } from '../paging.js';
import type { ViewContext } from './context.js';
import { entriesTable } from './log-table.js';
import { emptyState, loading } from './parts.js';

export interface LogPagesOptions {
  readonly filter: AccessLogFilterInput;
  /** The filter in words, for the summary and the empty state. */
  readonly filterWords: string;
  readonly pageSize: number;
  /** The entry the address names, expanded when its page shows. */
  readonly openId: string | null;
  readonly elements: {
    readonly summary: HTMLElement;
    readonly results: HTMLElement;
    readonly status: HTMLElement;
    readonly previous: HTMLButtonElement;
    readonly next: HTMLButtonElement;
  };
  /** False once the auditor has left the view: a late answer is then dropped. */
  readonly isCurrent: () => boolean;
}

/**
 * Cursor pages of the access log behind the Previous and Next buttons. Returns the loader;
 * `load(null)` shows the first page.
 */
export function logPages(ctx: ViewContext, options: LogPagesOptions): (after: string | null) => void {
  const { filter, filterWords, pageSize, openId, isCurrent } = options;
  const { summary, results, status, previous, next } = options.elements;
  const pager = new CursorPager();
  /** The page on screen: its end cursor opens the next one. */
  let shown: Page<AccessEvent> | null = null;
  /** Pages read so far, by the cursor that opened them. */
  const pages = new Map<string | null, Page<AccessEvent>>();

  const render = (page: Page<AccessEvent>): void => {
    shown = page;
    const { first, last } = pager.range(pageSize, page.items.length);
    summary.textContent =
      page.totalCount === 0
        ? ''
        : `${plural(page.totalCount, 'entry', 'entries')} match${filterWords === '' ? '' : ` ${filterWords}`}. Showing ${formatCount(first)}–${formatCount(last)}, newest first.`;
    previous.disabled = !pager.hasPrevious;
    next.disabled = !page.hasNextPage;
    if (page.items.length === 0) {
      replace(results, emptyState('No entries match', filterWords === '' ? 'The log is empty.' : `Nothing in the log matches ${filterWords}. Widen the filter or clear it.`));
      return;
    }
    replace(results, entriesTable(page.items, openId, (id) => ctx.api.accessEventProof(id)));
  };

  const load = (after: string | null): void => {
    replace(status);
    replace(results, loading('Reading the access log…'));
    results.setAttribute('aria-busy', 'true');
    ctx.api
      .accessLog(filter, pageSize, after)
      .then((page) => {
        if (!isCurrent()) return;
        results.removeAttribute('aria-busy');
        pages.set(after, page);
        render(page);
      })
      .catch((error: unknown) => {
        results.removeAttribute('aria-busy');
        replace(results);
        ctx.fail(error, status, () => load(after));
      });
  };
  next.addEventListener('click', () => {
    if (shown?.endCursor) {
      const cursor = pager.next(shown.endCursor);
      const cached = pages.get(cursor);
      if (cached) render(cached);
      else load(cursor);
      summary.focus();
    }
  });
  // Back shows the page as it was read: the log grows at the top while the auditor pages
  // (every read is itself logged), so reading page one again would show other entries.
  previous.addEventListener('click', () => {
    const cached = pages.get(pager.previous());
    if (cached) render(cached);
    else load(pager.current);
    // The button may have just been disabled (page one): keep focus on the page, not lost.
    summary.focus();
  });
  return load;
}
