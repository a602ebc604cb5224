import type { AccessEvent, Page } from '../api/types.js';
import { h, replace } from '../dom.js';
import { formatCount, plural } from '../format.js';
import { buildAccessLogFilter, describeFilter, filterValuesFromParams, filterValuesToParams, type AccessLogFilterInput } from '../log-filter.js';
import { CursorPager } from '../paging.js';
import type { ViewContext } from './context.js';
import { exportAccessLog } from './log-export.js';
import { filterForm, submitFilters } from './log-filter-form.js';
import { entriesTable } from './log-table.js';
import { alertBox, emptyState, loading, viewHeader } from './parts.js';

const PAGE_SIZES = [25, 50, 100, 200] as const;

function pageSizeOf(params: URLSearchParams): number {
  const size = Number(params.get('size'));
  return (PAGE_SIZES as readonly number[]).includes(size) ? size : 50;
}

/**
 * The access log: filters (kept in the address, so a filtered view can be shared and Back
 * works), cursor pages newest first, each row expanding to the whole entry, and a CSV export
 * of everything the filter matches (up to EXPORT_CAP entries).
 */
export function logView(ctx: ViewContext, params: URLSearchParams): HTMLElement {
  const values = filterValuesFromParams(params);
  const openId = params.get('open');
  const pageSize = pageSizeOf(params);
  const { form, controls } = filterForm(values);
  const formErrors = h('div', { class: 'form-errors', role: 'alert', hidden: true });
  const status = h('div', { class: 'status-area' });
  const summary = h('p', { class: 'result-summary', role: 'status', 'aria-live': 'polite' });
  const results = h('div', { class: 'results' });
  const exportStatus = h('p', { class: 'export-status', role: 'status', 'aria-live': 'polite' });
  const previous = h('button', { type: 'button', class: 'secondary', disabled: true }, '← Previous page');
  const next = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Next page →');
  const sizeSelect = h(
    'select',
    { id: 'page-size', name: 'size' },
    PAGE_SIZES.map((size) => h('option', { value: size, selected: size === pageSize }, String(size))),
  );
  const exportButton = h('button', { type: 'button', class: 'secondary' }, 'Export CSV');
  const pager = new CursorPager();
  /** The page on screen: its end cursor opens the next one. */
  let shown: Page<AccessEvent> | null = null;
  /** Pages read so far, by the cursor that opened them. */
  const pages = new Map<string | null, Page<AccessEvent>>();

  const built = buildAccessLogFilter(values);
  const filter: AccessLogFilterInput = built.ok ? built.filter : {};
  const filterWords = describeFilter(filter);

  form.append(
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Apply filters'),
      h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('log') }, 'Clear filters'),
      exportButton,
      exportStatus,
    ),
    formErrors,
  );

  form.addEventListener('submit', submitFilters(ctx, controls, formErrors, pageSize));

  sizeSelect.addEventListener('change', () => {
    const target = filterValuesToParams(values);
    target.set('size', sizeSelect.value);
    ctx.navigate('log', target);
  });

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
    replace(results, entriesTable(page.items, openId));
  };

  const load = (after: string | null): void => {
    if (!built.ok) return;
    replace(status);
    replace(results, loading('Reading the access log…'));
    results.setAttribute('aria-busy', 'true');
    ctx.api
      .accessLog(filter, pageSize, after)
      .then((page) => {
        if (!ctx.isCurrent(root)) return;
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

  exportButton.addEventListener('click', () => {
    if (built.ok) exportAccessLog(ctx, filter, { button: exportButton, progress: exportStatus, status });
  });

  summary.tabIndex = -1;
  const root = h(
    'section',
    { class: 'view log-view' },
    viewHeader('Access log', 'Every access to a shared record, every refused token or purpose, and every read of this log, newest first. Times are UTC.'),
    form,
    status,
    summary,
    results,
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages of the access log' },
      previous,
      next,
      h('span', { class: 'page-size' }, h('label', { for: 'page-size' }, 'Entries per page'), sizeSelect),
    ),
  );
  if (!built.ok) {
    replace(status, alertBox(`The filter in the address is not valid: ${built.errors.map((error) => error.message).join('; ')}`));
  } else {
    load(null);
  }
  return root;
}
