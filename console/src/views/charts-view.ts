import type { Summaries } from '../api/types.js';
import { accessesPerOrgPerDayChart, horizontalBarChart } from '../charts/bar-charts.js';
import { daysBetween } from '../charts/scale.js';
import { h, replace } from '../dom.js';
import { dayRange, formatCount, lastDays } from '../format.js';
import { formatHash } from '../router.js';
import type { ViewContext } from './context.js';
import { dayRangeForm, emptyState, loading, viewHeader } from './parts.js';

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The window in the address, else the last 30 days (the API's own default). */
export function chartWindow(params: URLSearchParams, now: Date = new Date()): { from: string; to: string } {
  const fallback = lastDays(30, now);
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return DAY_PATTERN.test(from) && DAY_PATTERN.test(to) && from <= to ? { from, to } : fallback;
}

/** Summaries of the log over a window of UTC days: who accessed how much, which rules refuse, what is withheld. */
export function chartsView(ctx: ViewContext, params: URLSearchParams): HTMLElement {
  const window = chartWindow(params);
  const status = h('div', { class: 'status-area' });
  const content = h('div', { class: 'charts' }, loading('Reading the summaries…'));
  const root = h(
    'section',
    { class: 'view charts-view' },
    viewHeader('Charts', 'Accesses per org per day, denials by rule and redactions by field category, over whole UTC days.'),
    dayRangeForm(window, 'Show', (from, to) => ctx.navigate('charts', { from, to })),
    status,
    content,
  );
  const range = dayRange(window.from, window.to);
  const load = (): void => {
    if (range === null) return;
    replace(status);
    replace(content, loading('Reading the summaries…'));
    ctx.api
      .summaries(range)
      .then((data) => {
        if (ctx.isCurrent(root)) replace(content, ...charts(data, window));
      })
      .catch((error: unknown) => {
        replace(content);
        ctx.fail(error, status, load);
      });
  };
  load();
  return root;
}

function charts(data: Summaries, window: { from: string; to: string }): HTMLElement[] {
  const days = daysBetween(window.from, window.to);
  const dayLink = (day: string, org: string): string => {
    const range = dayRange(day, day);
    return formatHash('log', { subjectOrg: org, ...(range ?? {}) });
  };
  const denials = data.denialsByRule;
  const redactions = data.redactionsByCategory;
  const totalDenials = denials.reduce((sum, row) => sum + row.count, 0);
  const totalRedactions = redactions.reduce((sum, row) => sum + row.count, 0);
  return [
    data.accessesPerOrgPerDay.length === 0
      ? h('section', { class: 'chart-figure wide' }, h('h3', { class: 'chart-title' }, 'Accesses per org per day'), emptyState('No record accesses in this window'))
      : accessesPerOrgPerDayChart(data.accessesPerOrgPerDay, days, dayLink),
    h(
      'div',
      { class: 'chart-pair' },
      denials.length === 0
        ? h('section', { class: 'chart-figure' }, h('h3', { class: 'chart-title' }, 'Denials by rule'), emptyState('No denials in this window'))
        : horizontalBarChart({
            title: 'Denials by rule',
            summary: `${formatCount(totalDenials)} rule citations in denials; most: ${denials[0]?.rule ?? ''} (${formatCount(denials[0]?.count ?? 0)}). A denial citing two rules counts for each.`,
            rows: denials.map((row) => ({ label: row.rule, values: [row.count] })),
            series: ['Denials'],
            labelHeader: 'Rule',
            tableCaption: 'denials per rule id',
            unit: 'denials',
          }),
      redactions.length === 0
        ? h('section', { class: 'chart-figure' }, h('h3', { class: 'chart-title' }, 'Redactions by field category'), emptyState('No fields withheld in this window'))
        : horizontalBarChart({
            title: 'Redactions by field category',
            summary: `${formatCount(totalRedactions)} fields withheld; most: ${redactions[0]?.category ?? ''} (${formatCount(redactions[0]?.count ?? 0)}). Fields of records denied whole are counted apart from fields withheld from released records.`,
            rows: redactions.map((row) => ({ label: row.category, values: [row.fromReleasedRecords, row.fromDeniedRecords] })),
            series: ['Withheld from released records', 'Of records denied whole'],
            labelHeader: 'Category',
            tableCaption: 'withheld fields per field category',
            unit: 'fields withheld',
          }),
    ),
  ];
}
