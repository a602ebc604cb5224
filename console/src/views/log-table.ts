import type { AccessEvent } from '../api/types.js';
import { h } from '../dom.js';
import { formatUtc } from '../format.js';
import { entryDetails } from './entry-details.js';
import type { ProofSource } from './entry-proof.js';
import { decisionBadge } from './parts.js';

/** One page of entries; the entry named in the address (`open`) starts expanded; each offers its proof when `fetchProof` is given. */
export function entriesTable(entries: readonly AccessEvent[], openId: string | null, fetchProof?: ProofSource): HTMLElement {
  const headers = ['Time (UTC)', 'Subject', 'Org', 'Purpose', 'Action', 'Record', 'Decision', 'Service'];
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'log-table' },
      h('caption', { class: 'visually-hidden' }, 'Access log entries, newest first. Each row has a button that shows the whole entry.'),
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'expander-col' }, h('span', { class: 'visually-hidden' }, 'Details')), headers.map((header) => h('th', { scope: 'col' }, header)))),
      entries.map((entry) => entryRows(entry, entry.id === openId, fetchProof)),
    ),
  );
}

/** One entry: its summary row, and a details row the button shows and hides. */
function entryRows(entry: AccessEvent, open: boolean, fetchProof: ProofSource | undefined): HTMLTableSectionElement {
  const detailsId = `entry-${entry.id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const details = h('tr', { class: 'details-row', id: detailsId, hidden: !open }, h('td', { colspan: 9 }, open ? entryDetails(entry, fetchProof) : null));
  const button = h('button', { type: 'button', class: 'expander', 'aria-expanded': String(open), 'aria-controls': detailsId, 'aria-label': `Details of entry ${entry.id}` }, h('span', { 'aria-hidden': 'true' }, '▸'));
  const toggle = (): void => {
    const show = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(show));
    if (show && details.firstElementChild?.childElementCount === 0) details.firstElementChild.append(entryDetails(entry, fetchProof));
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
