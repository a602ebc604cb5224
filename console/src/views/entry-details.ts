import type { AccessEvent } from '../api/types.js';
import { h } from '../dom.js';
import { formatHash } from '../router.js';
import { proofButton, type ProofSource } from './entry-proof.js';
import { chips, decisionBadge, definitions } from './parts.js';

const link = (href: string, text: string): HTMLAnchorElement => h('a', { href }, text);
const code = (text: string | null): HTMLElement | string => (text === null ? '—' : h('code', null, text));

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
        ['Chain · seq', `${entry.chain} · ${entry.seq}`],
        ['Hash', h('code', { class: 'hash' }, entry.hash)],
        ['Previous hash', h('code', { class: 'hash' }, entry.prevHash)],
      ]),
      fetchProof === undefined ? null : proofButton(entry.id, fetchProof),
    ),
  );
}
