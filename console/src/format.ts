/** How the console writes times, counts and hashes. Times are UTC, always marked as such. */

/** `2026-11-23 20:40:15Z` (milliseconds kept only when present and not zero). */
export function formatUtc(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const text = at.toISOString();
  const millis = text.slice(19, 23);
  return `${text.slice(0, 10)} ${text.slice(11, 19)}${millis === '.000' ? '' : millis}Z`;
}

export const formatCount = (value: number): string => value.toLocaleString('en-US');

/** `a1b2c3d4…e5f6` */
export const shortHash = (hash: string): string => (hash.length <= 16 ? hash : `${hash.slice(0, 8)}…${hash.slice(-4)}`);

export const plural = (count: number, one: string, many = `${one}s`): string => `${formatCount(count)} ${count === 1 ? one : many}`;

/** A list of strings for reading: "none" when empty. */
export const listText = (values: readonly string[]): string => (values.length === 0 ? 'none' : values.join(', '));

/** Today and 30 days back, as UTC dates (YYYY-MM-DD): the summaries' default window. */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

/** A UTC date range (inclusive days) as API instants: from its first midnight to the midnight after its last day. */
export function dayRange(fromDay: string, toDay: string): { from: string; to: string } | null {
  const from = Date.parse(`${fromDay}T00:00:00Z`);
  const to = Date.parse(`${toDay}T00:00:00Z`);
  if (Number.isNaN(from) || Number.isNaN(to) || to < from) return null;
  return { from: new Date(from).toISOString(), to: new Date(to + 86_400_000).toISOString() };
}
