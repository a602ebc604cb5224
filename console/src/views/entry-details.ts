import type { AccessEvent } from '../api/types.js';
import { h } from '../dom.js';
import { formatHash } from '../router.js';
import { proofButton, type ProofSource } from './entry-proof.js';
import { chips, decisionBadge, definitions } from './parts.js';

const link = (href: string, text: string): HTMLAnchorElement => h('a', { href }, text);
const code = (text: string | null): HTMLElement | string => (text === null ? '—' : h('code', null, text));

/**
 * The event an entry belongs to holds every record of one request, service, action and record
 * type: say how many others, and link to them (the request's entries; the event is one of its parts).
 */
function otherItems(entry: AccessEvent): HTMLElement | string {
  const others = entry.itemCount - 1;
  if (others === 0) return 'none: this record is the event\'s only item';
  return h(
    'span',
    null,
    `${others} other record${others === 1 ? '' : 's'} (${entry.action} ${entry.recordType ?? ''} by ${entry.service}) `,
    link(formatHash('log', { requestId: entry.requestId }), 'see this request\'s entries'),
  );
}

/** Everything one entry holds, grouped the way an auditor asks: who, why, what, which rule, proof. */
export function entryDetails(entry: AccessEvent, fetchProof?: ProofSource): HTMLElement {
  const logWith = (params: Record<string, string>): string => formatHash('log', params);
  return h(
    'div',
    { class: 'entry-details' },
    h(
      'section',
      { 'aria-label': 'Who and why' },
      h('h4', null, 'Who and why'),
      definitions([
        ['Subject', entry.subjectSub === null ? 'No verified subject' : link(logWith({ subjectSub: entry.subjectSub }), entry.subjectSub)],
        ['Org', entry.subjectOrg === null ? '—' : link(logWith({ subjectOrg: entry.subjectOrg }), entry.subjectOrg)],
        ['Agency', entry.agency ?? '—'],
        ['Roles', chips(entry.roles)],
        ['Issuer', code(entry.subjectIss)],
        ['Purpose', entry.purpose ?? '—'],
        ['Justification', entry.justification ?? '—'],
      ]),
    ),
    h(
      'section',
      { 'aria-label': 'What and the decision' },
      h('h4', null, 'What, and the decision'),
      definitions([
        ['Action', entry.action],
        ['Record', entry.recordType === null ? '—' : `${entry.recordType} ${entry.recordId ?? ''}`],
        ['Owner org', entry.ownerOrg ?? '—'],
        [
          'Person',
          entry.personId === null
            ? '—'
            : h('span', null, code(entry.personId), ' ', link(formatHash('person', { personId: entry.personId }), 'history'), ' · ', link(logWith({ personId: entry.personId }), 'log')),
        ],
        ['Decision', decisionBadge(entry.decision)],
        ['Rules', chips(entry.rules)],
        ['Fields released', chips(entry.fieldsReleased)],
        ['Fields redacted', chips(entry.fieldsRedacted)],
        ['Reason', entry.reason ?? '—'],
      ]),
    ),
    h(
      'section',
      { 'aria-label': 'Request and chain' },
      h('h4', null, 'Request and chain'),
      definitions([
        ['Entry', code(entry.id)],
        ['Time', code(entry.at)],
        ['Request id', h('span', null, code(entry.requestId), ' ', link(logWith({ requestId: entry.requestId }), 'all entries of this request'))],
        ['Operation', entry.operationName ?? '(anonymous)'],
        ['Operation hash', h('code', { class: 'hash' }, entry.operationHash ?? '—')],
        ['Service', entry.service],
        ['Event', h('span', null, code(`${entry.chain}:${entry.seq}`), ` · item ${entry.item + 1} of ${entry.itemCount}`)],
        ['Other records in this event', otherItems(entry)],
        ['Event hash', h('code', { class: 'hash' }, entry.hash)],
        ['Previous event hash', h('code', { class: 'hash' }, entry.prevHash)],
      ]),
      fetchProof === undefined ? null : proofButton(entry.id, fetchProof),
    ),
  );
}
