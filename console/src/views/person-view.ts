import type { RangeInput } from '../api/audit-api.js';
import type { AccessEvent } from '../api/types.js';
import { readersOf, type Reader } from '../charts/data.js';
import { personTimeline } from '../charts/timeline.js';
import { h, replace, type Child } from '../dom.js';
import { formatUtc, listText, plural } from '../format.js';
import { toUtcInputValue, toUtcIso } from '../log-filter.js';
import { collectPages } from '../paging.js';
import { entryLink, formatHash } from '../router.js';
import type { ViewContext } from './context.js';
import { emptyState, field, loading, viewHeader } from './parts.js';

/** Entries drawn at most: a person's history is usually short; a long one is summarised. */
const HISTORY_CAP = 2_000;

/**
 * "Who saw this person's records, when, why" (personAccessHistory): every entry about the
 * person and any record about them, on a timeline per reader, then the readers in a table.
 */
export function personView(ctx: ViewContext, params: URLSearchParams): HTMLElement {
  const personId = params.get('personId')?.trim() ?? '';
  const fromValue = params.get('from') ?? '';
  const toValue = params.get('to') ?? '';
  const idInput = h('input', { type: 'text', name: 'personId', value: personId, required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. P-000101' });
  const fromInput = h('input', { type: 'datetime-local', name: 'from', step: 1, value: fromValue === '' ? '' : toUtcInputValue(fromValue) });
  const toInput = h('input', { type: 'datetime-local', name: 'to', step: 1, value: toValue === '' ? '' : toUtcInputValue(toValue) });
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'range-form', novalidate: true, 'aria-label': 'Choose a person' },
    field('Person id', idInput),
    field('From (UTC)', fromInput),
    field('To (UTC, exclusive)', toInput),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show history')),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = idInput.value.trim();
    const from = fromInput.value === '' ? null : toUtcIso(fromInput.value);
    const to = toInput.value === '' ? null : toUtcIso(toInput.value);
    const problem = id === '' ? 'Enter a person id.' : from !== null && to !== null && from >= to ? 'To must be later than From.' : null;
    if (problem !== null) {
      error.textContent = problem;
      error.hidden = false;
      (id === '' ? idInput : toInput).focus();
      return;
    }
    error.hidden = true;
    ctx.navigate('person', { personId: id, ...(from === null ? {} : { from }), ...(to === null ? {} : { to }) });
  });

  const status = h('div', { class: 'status-area' });
  const content = h('div', { class: 'person-history' });
  const root = h(
    'section',
    { class: 'view person-view' },
    viewHeader('Person history', "Who saw a person's records — the person and every record about them — when, and why."),
    form,
    status,
    content,
  );
  if (personId === '') {
    replace(content, emptyState('Enter a person id to see who saw their records.', 'Person ids appear in the access log (the Person column of an entry) and in the records, e.g. a transfer\u2019s person.'));
    return root;
  }
  const fromIso = toUtcIso(fromValue);
  const toIso = toUtcIso(toValue);
  const range: RangeInput = { ...(fromIso === null ? {} : { from: fromIso }), ...(toIso === null ? {} : { to: toIso }) };
  const load = (): void => {
    replace(status);
    replace(content, loading(`Reading the history of ${personId}…`));
    collectPages((first, after) => ctx.api.personHistory(personId, range, first, after), { cap: HISTORY_CAP })
      .then(({ items, totalCount, truncated }) => {
        if (!ctx.isCurrent(root)) return;
        if (items.length === 0) {
          replace(content, emptyState(`No entries about ${personId}`, 'Nobody read or was refused this person\u2019s records in this window, or the id is not one the log has seen.'));
          return;
        }
        const readers = readersOf(items);
        replace(
          content,
          truncated ? h('p', { class: 'note', role: 'note' }, `The newest ${items.length} of ${totalCount} entries are shown. Narrow the time range to see older ones.`) : null,
          personTimeline(personId, readers, entriesTable(items)),
          readersTable(personId, readers),
          h('p', null, h('a', { href: formatHash('log', { personId }) }, `Open every entry about ${personId} in the access log`)),
        );
      })
      .catch((failure: unknown) => {
        replace(content);
        ctx.fail(failure, status, load);
      });
  };
  load();
  return root;
}

function entriesTable(entries: readonly AccessEvent[]) {
  return {
    caption: 'every entry on the timeline, newest first',
    headers: ['Time (UTC)', 'Subject', 'Purpose', 'Record', 'Decision'],
    rows: entries.map((entry): Child[] => [
      h('a', { href: entryLink(entry) }, formatUtc(entry.at)),
      entry.subjectSub ?? 'no verified subject',
      entry.purpose ?? '—',
      `${entry.action} ${entry.recordType ?? ''} ${entry.recordId ?? ''}`.trim(),
      entry.decision,
    ]),
  };
}

function readersTable(personId: string, readers: readonly Reader[]): HTMLElement {
  return h(
    'section',
    { class: 'readers', 'aria-labelledby': 'readers-title' },
    h('h2', { id: 'readers-title' }, `Who saw ${personId}'s records`),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data' },
        h('thead', null, h('tr', null, ['Subject', 'Org', 'Purposes (why)', 'Records', 'Released', 'Denied', 'First (UTC)', 'Last (UTC)', ''].map((header) => h('th', { scope: 'col' }, header)))),
        h(
          'tbody',
          null,
          readers.map((reader) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, reader.subject),
              h('td', null, reader.org || '—', reader.agency ? h('span', { class: 'muted' }, ` (${reader.agency})`) : null),
              h('td', null, listText(reader.purposes)),
              h('td', null, reader.records.length > 4 ? `${reader.records.slice(0, 4).join(', ')} and ${plural(reader.records.length - 4, 'more')}` : listText(reader.records)),
              h('td', { class: 'num' }, String(reader.released)),
              h('td', { class: 'num' }, String(reader.denied)),
              h('td', { class: 'nowrap' }, formatUtc(reader.first)),
              h('td', { class: 'nowrap' }, formatUtc(reader.last)),
              h('td', null, reader.subject.startsWith('(') ? null : h('a', { href: formatHash('log', { personId, subjectSub: reader.subject }), 'aria-label': `Entries of ${reader.subject} about ${personId}` }, 'Entries')),
            ),
          ),
        ),
      ),
    ),
  );
}
