import type { AccessEvent, OrgDayCount } from '../api/types.js';

/** Accesses per org per day, arranged for a stacked column per day. */
export interface OrgDayGrid {
  readonly days: readonly string[];
  /** Most accesses first: the biggest org sits at the bottom of every stack. */
  readonly orgs: readonly string[];
  count(day: string, org: string): number;
  total(day: string): number;
  readonly max: number;
}

export function orgDayGrid(rows: readonly OrgDayCount[], days?: readonly string[]): OrgDayGrid {
  const cells = new Map<string, number>();
  const byOrg = new Map<string, number>();
  const byDay = new Map<string, number>();
  for (const row of rows) {
    cells.set(`${row.day}\u0000${row.org}`, (cells.get(`${row.day}\u0000${row.org}`) ?? 0) + row.count);
    byOrg.set(row.org, (byOrg.get(row.org) ?? 0) + row.count);
    byDay.set(row.day, (byDay.get(row.day) ?? 0) + row.count);
  }
  const allDays = days ?? [...byDay.keys()].sort();
  const orgs = [...byOrg].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([org]) => org);
  return {
    days: allDays,
    orgs,
    count: (day, org) => cells.get(`${day}\u0000${org}`) ?? 0,
    total: (day) => byDay.get(day) ?? 0,
    max: Math.max(0, ...allDays.map((day) => byDay.get(day) ?? 0)),
  };
}

/** Segments of a stack: each value's [start, end), from 0 up. */
export function stack(values: readonly number[]): readonly (readonly [number, number])[] {
  let at = 0;
  return values.map((value) => {
    const segment = [at, at + value] as const;
    at += value;
    return segment;
  });
}

/** One reader of a person's records, for the timeline's rows and the table beside it. */
export interface Reader {
  readonly key: string;
  readonly subject: string;
  readonly org: string;
  readonly agency: string;
  readonly purposes: readonly string[];
  readonly records: readonly string[];
  readonly released: number;
  readonly denied: number;
  readonly first: string;
  readonly last: string;
  readonly entries: readonly AccessEvent[];
}

/** Entries about a person grouped by who made them: "who saw this person's records, when, why". */
export function readersOf(entries: readonly AccessEvent[]): readonly Reader[] {
  const groups = new Map<string, AccessEvent[]>();
  for (const entry of entries) {
    const key = entry.subjectSub ?? '(no verified subject)';
    const group = groups.get(key) ?? [];
    group.push(entry);
    groups.set(key, group);
  }
  const readers = [...groups].map(([key, group]): Reader => {
    const times = group.map((entry) => entry.at).sort();
    return {
      key,
      subject: key,
      org: group[0]?.subjectOrg ?? '',
      agency: group[0]?.agency ?? '',
      purposes: [...new Set(group.map((entry) => entry.purpose ?? '(none)'))].sort(),
      records: [...new Set(group.filter((entry) => entry.recordType !== null).map((entry) => `${entry.recordType} ${entry.recordId ?? ''}`.trim()))].sort(),
      released: group.filter((entry) => entry.decision !== 'DENY').length,
      denied: group.filter((entry) => entry.decision === 'DENY').length,
      first: times[0] ?? '',
      last: times.at(-1) ?? '',
      entries: group,
    };
  });
  return readers.sort((a, b) => b.last.localeCompare(a.last) || a.key.localeCompare(b.key));
}
