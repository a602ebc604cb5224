import { h, replace } from '../dom.js';
import { buildAccessLogFilter, describeFilter, filterValuesFromParams, filterValuesToParams, type AccessLogFilterInput } from '../log-filter.js';
import type { ViewContext } from './context.js';
import { exportAccessLog } from './log-export.js';
import { filterForm, submitFilters } from './log-filter-form.js';
import { logPages } from './log-pages.js';
import { alertBox, viewHeader } from './parts.js';

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

  const load = logPages(ctx, {
    filter,
    filterWords,
    pageSize,
    openId,
    elements: { summary, results, status, previous, next },
    isCurrent: () => ctx.isCurrent(root),
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
