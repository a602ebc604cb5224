import type { Anomaly, AnomalyFinding, SkippedCheck } from '../api/types.js';
import { h, replace } from '../dom.js';
import { dayRange, formatCount, formatUtc } from '../format.js';
import { windowParams } from '../log-filter.js';
import { entryLink, formatHash } from '../router.js';
import { chartWindow } from './charts-view.js';
import type { ViewContext } from './context.js';
import { dayRangeForm, decisionBadge, definitions, emptyState, loading, viewHeader } from './parts.js';

export const KIND_TITLES: Readonly<Record<AnomalyFinding['kind'], string>> = {
  HEAVY_READER: 'Reads far more records than its peers',
  DENIAL_BURST: 'Burst of denials',
  PROTECTED_PERSON_ACCESS: "Access to protected persons' records",
};

/** What the audit service checks, in words (schema/audit.graphql, subgraphs/audit/anomalies.ts). */
const CHECKS: readonly (readonly [string, string])[] = [
  [KIND_TITLES.HEAVY_READER, 'A subject read more than 3× the median number of distinct records read by the other subjects of its agency, and at least 50.'],
  [KIND_TITLES.DENIAL_BURST, 'A subject was denied 10 or more times within one minute (callers without a valid token are taken together).'],
  [KIND_TITLES.PROTECTED_PERSON_ACCESS, 'A record about a person protected under 8 U.S.C. 1367 was released to a subject outside an NGO. Needs the records database; skipped, and said so, when the audit log is kept apart.'],
  [
    'Reads outside a subject\u2019s jurisdictions',
    'Not checked directly: audit entries do not record the caller\u2019s jurisdictions. The policy denies such reads, so attempts show up as denials (bursts above, and Denials by rule in Charts).',
  ],
];

/** Findings of the audit service's checks over a window of UTC days, each linked to its entries. */
export function anomaliesView(ctx: ViewContext, params: URLSearchParams): HTMLElement {
  const window = chartWindow(params);
  const status = h('div', { class: 'status-area' });
  const content = h('div', { class: 'anomalies' });
  const root = h(
    'section',
    { class: 'view anomalies-view' },
    viewHeader('Anomalies', 'Patterns in the log worth a look first, computed by the audit service. A finding is a lead, not a verdict.'),
    dayRangeForm(window, 'Check', (from, to) => ctx.navigate('anomalies', { from, to })),
    h(
      'details',
      { class: 'checks' },
      h('summary', null, 'What is checked'),
      h('dl', { class: 'facts' }, CHECKS.map(([title, text]) => h('div', null, h('dt', null, title), h('dd', null, text)))),
    ),
    status,
    content,
  );
  const range = dayRange(window.from, window.to);
  const load = (): void => {
    if (range === null) return;
    replace(status);
    replace(content, loading('Running the checks…'));
    ctx.api
      .anomalies(range)
      .then((anomalies) => {
        if (ctx.isCurrent(root)) replace(content, ...render(anomalies, window));
      })
      .catch((error: unknown) => {
        replace(content);
        ctx.fail(error, status, load);
      });
  };
  load();
  return root;
}

function render(anomalies: readonly Anomaly[], window: { from: string; to: string }): HTMLElement[] {
  const findings = anomalies.filter((anomaly): anomaly is AnomalyFinding => anomaly.kind !== 'CHECK_SKIPPED');
  const skipped = anomalies.filter((anomaly): anomaly is SkippedCheck => anomaly.kind === 'CHECK_SKIPPED');
  return [
    h(
      'p',
      { class: 'result-summary', role: 'status' },
      findings.length === 0 ? `No anomalies from ${window.from} to ${window.to}.` : `${formatCount(findings.length)} finding${findings.length === 1 ? '' : 's'} from ${window.from} to ${window.to}.`,
    ),
    ...skipped.map((check) => h('div', { class: 'note warning', role: 'note' }, h('strong', null, 'Not checked: '), check.explanation)),
    findings.length === 0 ? emptyState('No anomalies found', skipped.length > 0 ? 'Some checks could not run: see above.' : 'Every check ran and found nothing in this window.') : h('ol', { class: 'anomaly-list' }, findings.map(card)),
  ];
}

function card(finding: AnomalyFinding, index: number): HTMLElement {
  const who = finding.subjectSub ?? 'Callers without a valid token';
  const titleId = `anomaly-${index}`;
  const around = windowParams(finding.firstAt, finding.lastAt);
  const allEntries = formatHash('log', {
    ...(finding.subjectSub === null ? { action: 'AUTHENTICATE' } : { subjectSub: finding.subjectSub }),
    ...(finding.kind === 'DENIAL_BURST' ? { decision: 'DENY' } : {}),
    ...around,
  });
  return h(
    'li',
    null,
    h(
      'article',
      { class: `anomaly kind-${finding.kind.toLowerCase()}`, 'aria-labelledby': titleId },
      h('h2', { id: titleId }, h('span', { class: 'kind' }, KIND_TITLES[finding.kind]), h('span', { class: 'subject-name' }, who)),
      definitions([
        ['Org', finding.subjectOrg ?? '—'],
        ['Agency', finding.agency ?? '—'],
        ['Count', formatCount(finding.count)],
        ['First', formatUtc(finding.firstAt)],
        ['Last', formatUtc(finding.lastAt)],
      ], 'facts inline'),
      h('p', { class: 'explanation' }, finding.explanation),
      h('h3', null, 'Example entries'),
      finding.examples.length === 0
        ? h('p', { class: 'muted' }, 'None kept.')
        : h(
            'ul',
            { class: 'examples' },
            finding.examples.map((entry) =>
              h(
                'li',
                null,
                h('a', { href: entryLink(entry) }, `Entry ${entry.id}`),
                ` · ${formatUtc(entry.at)} · ${entry.action} ${entry.recordType ?? ''} ${entry.recordId ?? ''} · `,
                decisionBadge(entry.decision),
              ),
            ),
          ),
      h('p', null, h('a', { href: allEntries }, finding.subjectSub === null ? 'All refused tokens in this window' : `All of ${finding.subjectSub}'s entries in this window`)),
    ),
  );
}
