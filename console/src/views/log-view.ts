import { MAX_PAGE_SIZE } from '../api/audit-api.js';
import type { AccessEvent, Page } from '../api/types.js';
import { ACCESS_EVENT_COLUMNS, exportFileName, toCsv } from '../csv.js';
import { h, replace } from '../dom.js';
import { formatCount, formatUtc, plural } from '../format.js';
import {
  buildAccessLogFilter,
  describeFilter,
  FILTER_FIELDS,
  filterValuesFromParams,
  filterValuesToParams,
  toUtcInputValue,
  type AccessLogFilterInput,
  type FilterKey,
  type FilterValues,
} from '../log-filter.js';
import { collectPages, CursorPager, EXPORT_CAP } from '../paging.js';
import type { ViewContext } from './context.js';
import { entryDetails } from './entry-details.js';
import { alertBox, decisionBadge, emptyState, field, loading, select, viewHeader } from './parts.js';

const PAGE_SIZES = [25, 50, 100, 200] as const;

function pageSizeOf(params: URLSearchParams): number {
  const size = Number(params.get('size'));
  return (PAGE_SIZES as readonly number[]).includes(size) ? size : 50;
}

/** The filter form: one labelled control per filter of SPEC 6/7. */
function filterForm(values: FilterValues): { form: HTMLFormElement; controls: Map<FilterKey, HTMLInputElement | HTMLSelectElement> } {
  const controls = new Map<FilterKey, HTMLInputElement | HTMLSelectElement>();
  const fields = FILTER_FIELDS.map((spec) => {
    const value = values[spec.key];
    let control: HTMLInputElement | HTMLSelectElement;
    switch (spec.kind) {
      case 'text':
        control = h('input', { type: 'text', name: spec.key, value: value ?? '', placeholder: spec.placeholder, autocomplete: 'off', spellcheck: 'false' });
        break;
      case 'select':
        control = select(spec.key, spec.options, value);
        break;
      case 'time':
        control = h('input', { type: 'datetime-local', name: spec.key, step: 1, value: value === undefined ? '' : toUtcInputValue(value) });
        break;
    }
    control.id = `filter-${spec.key}`;
    controls.set(spec.key, control);
    return field(spec.label, control);
  });
  const form = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Filter the access log' }, h('div', { class: 'filter-grid' }, fields));
  return { form, controls };
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

  const formValues = (): FilterValues => {
    const current: FilterValues = {};
    for (const [key, control] of controls) current[key] = control.value;
    return current;
  };

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

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const current = formValues();
    const checked = buildAccessLogFilter(current);
    for (const control of controls.values()) control.removeAttribute('aria-invalid');
    if (!checked.ok) {
      replace(formErrors, h('p', null, 'Fix the filter:'), h('ul', null, checked.errors.map((error) => h('li', null, error.message))));
      formErrors.hidden = false;
      for (const error of checked.errors) controls.get(error.key)?.setAttribute('aria-invalid', 'true');
      controls.get(checked.errors[0]?.key ?? 'from')?.focus();
      return;
    }
    formErrors.hidden = true;
    const target = filterValuesToParams(current);
    if (pageSize !== 50) target.set('size', String(pageSize));
    ctx.navigate('log', target);
  });

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
    if (!built.ok) return;
    exportButton.disabled = true;
    exportStatus.textContent = 'Exporting…';
    collectPages((first, after) => ctx.api.accessLog(filter, Math.min(first, MAX_PAGE_SIZE), after), {
      cap: EXPORT_CAP,
      onProgress: (read, total) => {
        exportStatus.textContent = `Exporting… ${formatCount(read)} of ${formatCount(Math.min(total, EXPORT_CAP))} entries`;
      },
    })
      .then((collected) => {
        download(exportFileName(new Date()), toCsv(ACCESS_EVENT_COLUMNS, collected.items));
        exportStatus.textContent = collected.truncated
          ? `Exported the newest ${formatCount(collected.items.length)} of ${formatCount(collected.totalCount)} entries (the export stops at ${formatCount(EXPORT_CAP)}; narrow the filter for the rest).`
          : `Exported ${plural(collected.items.length, 'entry', 'entries')} as CSV.`;
      })
      .catch((error: unknown) => {
        exportStatus.textContent = 'Export failed.';
        ctx.fail(error, status);
      })
      .finally(() => {
        exportButton.disabled = false;
      });
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

function entriesTable(entries: readonly AccessEvent[], openId: string | null): HTMLElement {
  const headers = ['Time (UTC)', 'Subject', 'Org', 'Purpose', 'Action', 'Record', 'Decision', 'Service'];
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'log-table' },
      h('caption', { class: 'visually-hidden' }, 'Access log entries, newest first. Each row has a button that shows the whole entry.'),
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'expander-col' }, h('span', { class: 'visually-hidden' }, 'Details')), headers.map((header) => h('th', { scope: 'col' }, header)))),
      entries.map((entry) => entryRows(entry, entry.id === openId)),
    ),
  );
}

/** One entry: its summary row, and a details row the button shows and hides. */
function entryRows(entry: AccessEvent, open: boolean): HTMLTableSectionElement {
  const detailsId = `entry-${entry.id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const details = h('tr', { class: 'details-row', id: detailsId, hidden: !open }, h('td', { colspan: 9 }, open ? entryDetails(entry) : null));
  const button = h('button', { type: 'button', class: 'expander', 'aria-expanded': String(open), 'aria-controls': detailsId, 'aria-label': `Details of entry ${entry.id}` }, h('span', { 'aria-hidden': 'true' }, '▸'));
  const toggle = (): void => {
    const show = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(show));
    if (show && details.firstElementChild?.childElementCount === 0) details.firstElementChild.append(entryDetails(entry));
    details.hidden = !show;
    row.classList.toggle('open', show);
  };
  button.addEventListener('click', toggle);
  const row = h(
    'tr',
    { class: `entry${open ? ' open' : ''}` },
    h('td', { class: 'expander-col' }, button),
    h('td', { class: 'nowrap' }, h('time', { datetime: entry.at }, formatUtc(entry.at))),
    h('td', null, entry.subjectSub ?? h('span', { class: 'muted' }, 'no verified subject')),
    h('td', null, entry.subjectOrg ?? '—'),
    h('td', null, entry.purpose ?? '—'),
    h('td', null, entry.action),
    h('td', null, entry.recordType === null ? '—' : `${entry.recordType} ${entry.recordId ?? ''}`),
    h('td', null, decisionBadge(entry.decision)),
    h('td', null, entry.service),
  );
  // A click anywhere on the row (not on a link or the button itself) toggles it too.
  row.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a, button') === null) toggle();
  });
  if (open) queueMicrotask(() => button.scrollIntoView({ block: 'center' }));
  return h('tbody', { class: 'entry-group' }, row, details);
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const anchor = h('a', { href: url, download: name, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
