/**
 * Time arithmetic against the world's fixed reference "now": the generator never reads the
 * system clock, so the same inputs give the same timestamps.
 */

/** The default reference time of a generated world. */
export const DEFAULT_NOW = new Date('2026-11-01T00:00:00.000Z');

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const YEAR = 365.25 * DAY;

export const plus = (at: Date, ms: number): Date => new Date(at.getTime() + ms);
export const minus = (at: Date, ms: number): Date => new Date(at.getTime() - ms);

/** Whole minutes only, so the timestamps read cleanly and survive any driver's rounding. */
export const atMinute = (ms: number): Date => new Date(Math.floor(ms / MINUTE) * MINUTE);

/** `YYYY-MM-DD` (UTC). */
export const calendarDate = (at: Date): string => at.toISOString().slice(0, 10);

export const latest = (...dates: readonly Date[]): Date => new Date(Math.max(...dates.map((date) => date.getTime())));
export const earliest = (...dates: readonly Date[]): Date => new Date(Math.min(...dates.map((date) => date.getTime())));
