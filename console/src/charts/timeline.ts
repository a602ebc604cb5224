import type { AccessEvent, Decision } from '../api/types.js';
import { s } from '../dom.js';
import { formatUtc } from '../format.js';
import type { Reader } from './data.js';
import { chartFigure, type DataTable } from './figure.js';
import { AXIS_COLOR, DECISION_COLORS, GRID_COLOR, TEXT_COLOR } from './palette.js';
import { formatTimeTick, linearScale, timeTicks } from './scale.js';

/** Most readers drawn as rows; the rest are in the table. */
export const TIMELINE_ROWS = 15;

/** Decisions differ in shape as well as colour: a circle, a diamond, a cross. */
export function decisionMark(decision: Decision, x = 0, y = 0): SVGElement {
  const color = DECISION_COLORS[decision];
  switch (decision) {
    case 'ALLOW':
      return s('circle', { cx: x, cy: y, r: 5, fill: color });
    case 'PARTIAL':
      return s('path', { d: `M ${x} ${y - 6} L ${x + 6} ${y} L ${x} ${y + 6} L ${x - 6} ${y} Z`, fill: color });
    case 'DENY':
      return s('path', { d: `M ${x - 5} ${y - 5} L ${x + 5} ${y + 5} M ${x + 5} ${y - 5} L ${x - 5} ${y + 5}`, stroke: color, 'stroke-width': 2.5, fill: 'none' });
  }
}

const DECISION_LABEL: Record<Decision, string> = { ALLOW: 'released', PARTIAL: 'released in part', DENY: 'denied' };

/** The time span to draw: the entries' own, widened a little (a minute when they share one instant). */
export function timelineDomain(entries: readonly AccessEvent[]): readonly [number, number] {
  const times = entries.map((entry) => Date.parse(entry.at)).filter((time) => !Number.isNaN(time));
  if (times.length === 0) return [0, 1];
  const min = Math.min(...times);
  const max = Math.max(...times);
  const pad = Math.max((max - min) * 0.03, 30_000);
  return [min - pad, max + pad];
}

/** A person's access history: one row per reader, a mark per entry at its time. */
export function personTimeline(personId: string, readers: readonly Reader[], table: DataTable): HTMLElement {
  const shown = readers.slice(0, TIMELINE_ROWS);
  const entries = readers.flatMap((reader) => reader.entries);
  const width = 1200;
  const rowHeight = 36;
  const margin = { top: 10, right: 24, bottom: 40, left: 290 };
  const height = margin.top + margin.bottom + Math.max(1, shown.length) * rowHeight;
  const [from, to] = timelineDomain(entries);
  const x = linearScale([from, to], [margin.left, width - margin.right]);
  const { step, ticks } = timeTicks(from, to, 8);
  const crossesDays = new Date(from).toISOString().slice(0, 10) !== new Date(to).toISOString().slice(0, 10);

  const svg = s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'xMidYMid meet', 'font-size': 12, fill: TEXT_COLOR },
    ticks.map((tick) =>
      s(
        'g',
        null,
        s('line', { x1: x(tick), x2: x(tick), y1: margin.top, y2: height - margin.bottom, stroke: GRID_COLOR }),
        s('text', { x: x(tick), y: height - margin.bottom + 16, 'text-anchor': 'middle', fill: AXIS_COLOR }, formatTimeTick(tick, step)),
      ),
    ),
    shown.map((reader, i) => {
      const y = margin.top + i * rowHeight + rowHeight / 2;
      return s(
        'g',
        { class: 'timeline-row' },
        s('line', { x1: margin.left, x2: width - margin.right, y1: y, y2: y, stroke: GRID_COLOR, 'stroke-dasharray': '2 4' }),
        // Two lines: the subject, and its org below in grey (the table has both in full).
        s(
          'text',
          { x: margin.left - 10, y: y - 6, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
          s('title', null, `${reader.subject} (${reader.org})`),
          truncate(reader.subject, 38),
        ),
        s('text', { x: margin.left - 10, y: y + 8, 'text-anchor': 'end', 'dominant-baseline': 'middle', fill: AXIS_COLOR, 'font-size': 11 }, truncate(reader.org, 40)),
        reader.entries.map((entry) => {
          const mark = decisionMark(entry.decision, x(Date.parse(entry.at)), y);
          mark.classList.add('mark');
          mark.appendChild(
            s('title', null, `${formatUtc(entry.at)} · ${reader.subject} · ${entry.purpose ?? 'no purpose'} · ${entry.action} ${entry.recordType ?? ''} ${entry.recordId ?? ''} · ${DECISION_LABEL[entry.decision]}`),
          );
          return mark;
        }),
      );
    }),
    s('line', { x1: margin.left, x2: width - margin.right, y1: height - margin.bottom, y2: height - margin.bottom, stroke: AXIS_COLOR }),
    s('text', { x: margin.left, y: height - 6, fill: AXIS_COLOR }, `Time (UTC${crossesDays && step < 86_400_000 ? `, ${formatUtc(new Date(from).toISOString()).slice(0, 10)} → ${formatUtc(new Date(to).toISOString()).slice(0, 10)}` : ''})`),
  );

  const released = entries.filter((entry) => entry.decision !== 'DENY').length;
  const more = readers.length - shown.length;
  const summary =
    `${entries.length} entries about ${personId} by ${readers.length} subject${readers.length === 1 ? '' : 's'}: ` +
    `${released} released something, ${entries.length - released} denied. ` +
    `From ${formatUtc(entries.map((entry) => entry.at).sort()[0])} to ${formatUtc(entries.map((entry) => entry.at).sort().at(-1))}.` +
    (more > 0 ? ` The ${TIMELINE_ROWS} most recent readers are drawn; all ${readers.length} are in the table.` : '');

  return chartFigure({
    title: `Who saw ${personId}'s records, and when`,
    summary,
    svg,
    className: 'wide',
    legend: (['ALLOW', 'PARTIAL', 'DENY'] as const).map((decision) => ({
      label: `${decision} (${DECISION_LABEL[decision]})`,
      color: DECISION_COLORS[decision],
      mark: decisionMark(decision),
    })),
    table,
  });
}

const truncate = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
