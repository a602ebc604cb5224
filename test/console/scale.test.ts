import { describe, expect, it } from 'vitest';
import { bandScale, daysBetween, formatTimeTick, linearScale, niceStep, niceTicks, timeTicks } from '../../console/src/charts/scale.js';

describe('a linear scale', () => {
  it('maps the domain onto the range, inverted ranges included (SVG y grows downwards)', () => {
    const y = linearScale([0, 100], [250, 10]);
    expect(y(0)).toBe(250);
    expect(y(100)).toBe(10);
    expect(y(50)).toBe(130);
  });

  it('maps everything to the start of the range when the domain is a single value', () => {
    expect(linearScale([5, 5], [0, 100])(5)).toBe(0);
  });
});

describe('nice ticks', () => {
  it.each([
    [0.7, 1],
    [1, 1],
    [1.2, 2],
    [3, 5],
    [7, 10],
    [23, 50],
    [180, 200],
  ])('steps of 1, 2 or 5 × 10ⁿ: %d → %d', (rough, step) => {
    expect(niceStep(rough)).toBe(step);
  });

  it('runs from 0 to a round maximum at least the data', () => {
    expect(niceTicks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(150)).toEqual([0, 50, 100, 150]);
    expect(niceTicks(1000, 4)).toEqual([0, 500, 1000]);
  });

  it('counts in whole numbers for small counts', () => {
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
  });

  it('still draws an axis when there is nothing to count', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  });
});

describe('a band scale', () => {
  it('gives each key an equal band, in order, padding between them', () => {
    const x = bandScale(['a', 'b', 'c', 'd'], [0, 400], 0.2);
    expect(x.bandwidth).toBe(80);
    expect(x.position('a')).toBe(10);
    expect(x.position('b')).toBe(110);
    expect(x.position('d')).toBe(310);
    expect(x.position('z')).toBeUndefined();
  });

  it('has no bands for no keys', () => {
    expect(bandScale([], [0, 100]).bandwidth).toBe(0);
  });
});

describe('time ticks', () => {
  const at = (iso: string): number => Date.parse(iso);

  it('picks whole minutes for a span of minutes, on UTC boundaries', () => {
    const { step, ticks } = timeTicks(at('2026-11-23T20:40:10Z'), at('2026-11-23T20:47:50Z'), 8);
    expect(step).toBe(60_000);
    expect(ticks.map((tick) => new Date(tick).toISOString())).toEqual([
      '2026-11-23T20:41:00.000Z',
      '2026-11-23T20:42:00.000Z',
      '2026-11-23T20:43:00.000Z',
      '2026-11-23T20:44:00.000Z',
      '2026-11-23T20:45:00.000Z',
      '2026-11-23T20:46:00.000Z',
      '2026-11-23T20:47:00.000Z',
    ]);
  });

  it('picks days for a month, never more ticks than asked for', () => {
    const { step, ticks } = timeTicks(at('2026-10-24T00:00Z'), at('2026-11-23T00:00Z'), 8);
    expect(step).toBeGreaterThanOrEqual(86_400_000);
    expect(ticks.length).toBeLessThanOrEqual(8);
  });

  it('labels ticks by time of day below a day, by date above', () => {
    expect(formatTimeTick(at('2026-11-23T20:41:00Z'), 60_000)).toBe('20:41');
    expect(formatTimeTick(at('2026-11-23T20:41:15Z'), 15_000)).toBe('20:41:15');
    expect(formatTimeTick(at('2026-11-23T00:00:00Z'), 86_400_000)).toBe('11-23');
  });
});

describe('days between two dates', () => {
  it('lists every UTC day, both ends included, across a month end', () => {
    expect(daysBetween('2026-10-30', '2026-11-02')).toEqual(['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02']);
  });

  it('is empty for a backwards or malformed range', () => {
    expect(daysBetween('2026-11-02', '2026-11-01')).toEqual([]);
    expect(daysBetween('soon', '2026-11-01')).toEqual([]);
  });
});
