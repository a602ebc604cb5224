import { h, s, type Child } from '../dom.js';
import { formatCount } from '../format.js';
import { orgDayGrid, stack } from './data.js';
import { chartFigure } from './figure.js';
import { AXIS_COLOR, GRID_COLOR, seriesColor, TEXT_COLOR } from './palette.js';
import { bandScale, linearScale, niceTicks } from './scale.js';
import type { OrgDayCount } from '../api/types.js';

const FONT = 12;

/**
 * Accesses per org per day: one column per UTC day, stacked by org (the busiest org at the
 * bottom). Days without accesses keep their place, so gaps read as quiet days.
 */
export function accessesPerOrgPerDayChart(rows: readonly OrgDayCount[], days: readonly string[], linkFor: (day: string, org: string) => string): HTMLElement {
  const grid = orgDayGrid(rows, days);
  const width = 1200;
  const height = 280;
  const margin = { top: 12, right: 12, bottom: 36, left: 56 };
  const ticks = niceTicks(grid.max);
  const top = ticks.at(-1) ?? 1;
  const y = linearScale([0, top], [height - margin.bottom, margin.top]);
  const x = bandScale(grid.days, [margin.left, width - margin.right], 0.25);
  const labelEvery = Math.max(1, Math.ceil(grid.days.length / 15));

  const svg = s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'xMidYMid meet', 'font-size': FONT, fill: TEXT_COLOR },
    ticks.map((tick) =>
      s(
        'g',
        null,
        s('line', { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick), stroke: GRID_COLOR }),
        s('text', { x: margin.left - 8, y: y(tick), 'text-anchor': 'end', 'dominant-baseline': 'middle', fill: AXIS_COLOR }, formatCount(tick)),
      ),
    ),
    grid.days.map((day, i) => {
      const x0 = x.position(day) ?? 0;
      const segments = stack(grid.orgs.map((org) => grid.count(day, org)));
      return s(
        'g',
        null,
        grid.orgs.map((org, j) => {
          const [from, to] = segments[j] ?? [0, 0];
          if (to === from) return null;
          return s(
            'rect',
            { class: 'bar', x: x0, width: x.bandwidth, y: y(to), height: Math.max(1, y(from) - y(to)), fill: seriesColor(j) },
            s('title', null, `${day} · ${org}: ${formatCount(to - from)} accesses`),
          );
        }),
        i % labelEvery === 0 ? s('text', { x: x0 + x.bandwidth / 2, y: height - margin.bottom + 16, 'text-anchor': 'middle', fill: AXIS_COLOR }, day.slice(5)) : null,
      );
    }),
    s('line', { x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0), stroke: AXIS_COLOR }),
    s('text', { x: margin.left, y: height - 4, fill: AXIS_COLOR }, 'UTC day (MM-DD)'),
  );

  const total = grid.days.reduce((sum, day) => sum + grid.total(day), 0);
  const busiest = [...grid.days].sort((a, b) => grid.total(b) - grid.total(a))[0];
  const summary =
    total === 0
      ? `No record accesses between ${days[0] ?? '?'} and ${days.at(-1) ?? '?'}.`
      : `${formatCount(total)} record accesses by ${grid.orgs.length} org${grid.orgs.length === 1 ? '' : 's'} between ${days[0]} and ${days.at(-1)}; busiest day ${busiest} (${formatCount(grid.total(busiest ?? ''))}).`;
  const activeDays = grid.days.filter((day) => grid.total(day) > 0);
  return chartFigure({
    title: 'Accesses per org per day',
    summary,
    svg,
    className: 'wide',
    legend: grid.orgs.map((org, j) => ({ label: org, color: seriesColor(j) })),
    table: {
      caption: 'accesses per org per UTC day (days with accesses); each count links to those entries',
      headers: ['Day', ...grid.orgs, 'Total'],
      rows: activeDays.map((day): Child[] => [
        day,
        ...grid.orgs.map((org) => {
          const count = grid.count(day, org);
          return count === 0 ? '0' : h('a', { href: linkFor(day, org) }, formatCount(count));
        }),
        grid.total(day),
      ]),
    },
  });
}

export interface BarRow {
  readonly label: string;
  /** One value per series, stacked left to right. */
  readonly values: readonly number[];
}

/** Horizontal bars, one per row, optionally stacked by series; the value is written at the bar's end. */
export function horizontalBarChart(options: {
  readonly title: string;
  readonly summary: string;
  readonly rows: readonly BarRow[];
  /** The name of each stacked value (one name: a single series, shown without legend). */
  readonly series: readonly string[];
  /** The header of the table's first column (what a row is: rule, category). */
  readonly labelHeader: string;
  readonly tableCaption: string;
  readonly unit: string;
}): HTMLElement {
  const { rows, series } = options;
  const rowHeight = 30;
  const longest = Math.max(8, ...rows.map((row) => row.label.length));
  const margin = { top: 8, right: 64, bottom: 28, left: Math.min(260, 16 + longest * 7) };
  const width = 620;
  const height = margin.top + margin.bottom + Math.max(1, rows.length) * rowHeight;
  const max = Math.max(0, ...rows.map((row) => row.values.reduce((sum, value) => sum + value, 0)));
  const ticks = niceTicks(max, 4);
  const x = linearScale([0, ticks.at(-1) ?? 1], [margin.left, width - margin.right]);
  const y = bandScale(
    rows.map((row) => row.label),
    [margin.top, height - margin.bottom],
    0.3,
  );

  const svg = s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'xMidYMid meet', 'font-size': FONT, fill: TEXT_COLOR },
    ticks.map((tick) =>
      s(
        'g',
        null,
        s('line', { x1: x(tick), x2: x(tick), y1: margin.top, y2: height - margin.bottom, stroke: GRID_COLOR }),
        s('text', { x: x(tick), y: height - margin.bottom + 16, 'text-anchor': 'middle', fill: AXIS_COLOR }, formatCount(tick)),
      ),
    ),
    rows.map((row) => {
      const y0 = y.position(row.label) ?? 0;
      const segments = stack(row.values);
      const total = row.values.reduce((sum, value) => sum + value, 0);
      return s(
        'g',
        null,
        s('text', { x: margin.left - 8, y: y0 + y.bandwidth / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, truncate(row.label, 36)),
        row.values.map((value, j) => {
          const [from, to] = segments[j] ?? [0, 0];
          if (value === 0) return null;
          return s(
            'rect',
            { class: 'bar', x: x(from), y: y0, width: Math.max(1, x(to) - x(from)), height: y.bandwidth, fill: seriesColor(j) },
            s('title', null, `${row.label}${series.length > 1 ? ` · ${series[j] ?? ''}` : ''}: ${formatCount(value)} ${options.unit}`),
          );
        }),
        s('text', { x: x(total) + 6, y: y0 + y.bandwidth / 2, 'dominant-baseline': 'middle' }, formatCount(total)),
      );
    }),
    s('line', { x1: margin.left, x2: margin.left, y1: margin.top, y2: height - margin.bottom, stroke: AXIS_COLOR }),
  );

  return chartFigure({
    title: options.title,
    summary: options.summary,
    svg,
    ...(series.length > 1 ? { legend: series.map((label, j) => ({ label, color: seriesColor(j) })) } : {}),
    table: {
      caption: options.tableCaption,
      headers: [options.labelHeader, ...series, ...(series.length > 1 ? ['Total'] : [])],
      rows: rows.map((row): Child[] => [row.label, ...row.values, ...(series.length > 1 ? [row.values.reduce((sum, value) => sum + value, 0)] : [])]),
    },
  });
}

const truncate = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
