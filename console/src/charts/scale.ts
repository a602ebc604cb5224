/** Scales and ticks for the charts: pure arithmetic, drawn by the SVG modules. */

export type Scale = (value: number) => number;

/** Maps [d0, d1] onto [r0, r1] linearly; a degenerate domain maps everything to r0. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  if (span === 0) return () => r0;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** 1, 2 or 5 times a power of ten: the smallest such step at least `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= rough - 1e-9 * power) return factor * power;
  return 10 * power;
}

/**
 * Axis ticks from 0 up to a "nice" maximum at least `max`, about `count` of them, whole numbers
 * only (the charts count entries): niceTicks(37) is [0, 10, 20, 30, 40].
 */
export function niceTicks(max: number, count = 5): readonly number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const step = Math.max(1, niceStep(max / Math.max(1, count)));
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= top + step / 2; tick += step) ticks.push(tick);
  return ticks;
}

export interface BandScale {
  readonly bandwidth: number;
  /** Start of the key's band, or undefined for a key not in the domain. */
  position(key: string): number | undefined;
}

/** Equal bands for categories along [r0, r1], `padding` (0..1) of each step left empty between them. */
export function bandScale(keys: readonly string[], range: readonly [number, number], padding = 0.2): BandScale {
  const [r0, r1] = range;
  const n = keys.length;
  if (n === 0) return { bandwidth: 0, position: () => undefined };
  const inner = Math.min(Math.max(padding, 0), 0.95);
  // Half the inner padding on each outer side: every band sits centred in a step of range/n.
  const step = (r1 - r0) / n;
  const bandwidth = step * (1 - inner);
  const offset = r0 + (step * inner) / 2;
  const index = new Map(keys.map((key, i) => [key, i]));
  return {
    bandwidth,
    position: (key) => {
      const i = index.get(key);
      return i === undefined ? undefined : offset + i * step;
    },
  };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [SECOND, 5 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];

export interface TimeTicks {
  readonly step: number;
  readonly ticks: readonly number[];
}

/** Ticks on UTC boundaries (whole minutes, hours, days) between two instants, at most `max` of them. */
export function timeTicks(fromMs: number, toMs: number, max = 8): TimeTicks {
  const span = Math.max(toMs - fromMs, 1);
  const step = TIME_STEPS.find((candidate) => span / candidate <= max) ?? Math.ceil(span / max / DAY) * DAY;
  const ticks: number[] = [];
  for (let tick = Math.ceil(fromMs / step) * step; tick <= toMs; tick += step) ticks.push(tick);
  return { step, ticks };
}

/** A tick's label: the time of day below a day's step, else the date ("11-23"). */
export function formatTimeTick(ms: number, step: number): string {
  const iso = new Date(ms).toISOString();
  if (step >= DAY) return iso.slice(5, 10);
  if (step < MINUTE) return iso.slice(11, 19);
  return iso.slice(11, 16);
}

/** Every UTC day from `from` to `to` inclusive, as YYYY-MM-DD (for charts with a bar per day). */
export function daysBetween(from: string, to: string, limit = 400): readonly string[] {
  const days: string[] = [];
  let at = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(at) || Number.isNaN(end)) return days;
  while (at <= end && days.length < limit) {
    days.push(new Date(at).toISOString().slice(0, 10));
    at += DAY;
  }
  return days;
}
