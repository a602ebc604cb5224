import { ACTIONS, AGENCIES, DECISIONS, PURPOSES, RECORD_TYPES } from './api/types.js';

/**
 * The access log's filter (SPEC 6/7: subject, org, agency, record, person, purpose, decision,
 * action, time range; plus the request id) as the form, the page address and the API each
 * hold it. Times are UTC throughout: the log's days are UTC days, and auditors in different
 * time zones must read the same instants.
 */
export const FILTER_KEYS = ['subjectSub', 'subjectOrg', 'agency', 'recordType', 'recordId', 'personId', 'purpose', 'decision', 'action', 'requestId', 'from', 'to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** Raw values, as typed into the form or read from the address: strings, possibly empty. */
export type FilterValues = Partial<Record<FilterKey, string>>;

/** The `AccessLogFilter` input of schema/audit.graphql: only the keys that filter. */
export type AccessLogFilterInput = Partial<Record<FilterKey, string>>;

export type FilterField =
  | { readonly key: FilterKey; readonly label: string; readonly kind: 'text'; readonly placeholder: string }
  | { readonly key: FilterKey; readonly label: string; readonly kind: 'select'; readonly options: readonly string[] }
  | { readonly key: FilterKey; readonly label: string; readonly kind: 'time' };

export const FILTER_FIELDS: readonly FilterField[] = [
  { key: 'subjectSub', label: 'Subject', kind: 'text', placeholder: 'sub, as user@org' },
  { key: 'subjectOrg', label: 'Org', kind: 'text', placeholder: 'e.g. cbp-tucson' },
  { key: 'agency', label: 'Agency', kind: 'select', options: AGENCIES },
  { key: 'purpose', label: 'Purpose', kind: 'select', options: PURPOSES },
  { key: 'recordType', label: 'Record type', kind: 'select', options: RECORD_TYPES },
  { key: 'recordId', label: 'Record id', kind: 'text', placeholder: 'e.g. T-000042' },
  { key: 'personId', label: 'Person id', kind: 'text', placeholder: 'e.g. P-000101' },
  { key: 'requestId', label: 'Request id', kind: 'text', placeholder: 'from an entry' },
  { key: 'decision', label: 'Decision', kind: 'select', options: DECISIONS },
  { key: 'action', label: 'Action', kind: 'select', options: ACTIONS },
  { key: 'from', label: 'From (UTC)', kind: 'time' },
  { key: 'to', label: 'To (UTC, exclusive)', kind: 'time' },
];

const ENUMS: Partial<Record<FilterKey, readonly string[]>> = {
  agency: AGENCIES,
  purpose: PURPOSES,
  recordType: RECORD_TYPES,
  decision: DECISIONS,
  action: ACTIONS,
};

const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * A time as the API takes it (ISO, UTC), from what a `datetime-local` or `date` input holds
 * (read as UTC) or an ISO instant with a zone (from a link). Null when it is not a time.
 */
export function toUtcIso(value: string): string | null {
  const text = value.trim();
  const zoned = ZONED_TIME.test(text) ? new Date(text) : null;
  if (zoned !== null) return Number.isNaN(zoned.getTime()) ? null : zoned.toISOString();
  const match = LOCAL_TIME.exec(text);
  if (match === null) return null;
  const [, day, minutes = '00:00', seconds = '00', millis = '0'] = match;
  const parsed = new Date(`${day}T${minutes}:${seconds}.${millis.padEnd(3, '0')}Z`);
  // Date rolls 2026-02-31 over to March: refuse rather than query another day.
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) return null;
  return parsed.toISOString();
}

/** What a `datetime-local` input (step 1 s) shows for an instant, in UTC. */
export function toUtcInputValue(value: string): string {
  const iso = toUtcIso(value);
  return iso === null ? value : iso.slice(0, 19);
}

export type FilterResult =
  | { readonly ok: true; readonly filter: AccessLogFilterInput }
  | { readonly ok: false; readonly errors: readonly { readonly key: FilterKey; readonly message: string }[] };

/** The API filter for the form's values: trimmed, empty ones left out, times and choices checked. */
export function buildAccessLogFilter(values: FilterValues): FilterResult {
  const filter: Partial<Record<FilterKey, string>> = {};
  const errors: { key: FilterKey; message: string }[] = [];
  for (const key of FILTER_KEYS) {
    const value = values[key]?.trim() ?? '';
    if (value === '') continue;
    if (key === 'from' || key === 'to') {
      const iso = toUtcIso(value);
      if (iso === null) errors.push({ key, message: `${key === 'from' ? 'From' : 'To'} is not a date and time (YYYY-MM-DD HH:MM, UTC)` });
      else filter[key] = iso;
      continue;
    }
    const allowed = ENUMS[key];
    if (allowed !== undefined && !allowed.includes(value)) {
      errors.push({ key, message: `Unknown ${key}: ${value}` });
      continue;
    }
    filter[key] = value;
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    errors.push({ key: 'to', message: 'To must be later than From' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, filter };
}

export function filterValuesFromParams(params: URLSearchParams): FilterValues {
  const values: FilterValues = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value !== null && value.trim() !== '') values[key] = value.trim();
  }
  return values;
}

/** The filter as address parameters, empty values left out, in a stable order. */
export function filterValuesToParams(values: FilterValues): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = values[key]?.trim() ?? '';
    if (value !== '') params.set(key, value);
  }
  return params;
}

/** "person P-1, decision DENY": the active filter in words, for summaries and empty states. */
export function describeFilter(filter: AccessLogFilterInput): string {
  const parts: string[] = [];
  for (const field of FILTER_FIELDS) {
    const value = filter[field.key];
    if (value !== undefined) parts.push(`${field.label.replace(/ \(.*\)$/, '').toLowerCase()} ${field.kind === 'time' ? value.replace('.000Z', 'Z') : value}`);
  }
  return parts.join(', ');
}

/**
 * Address parameters for "every entry between these two instants", widened to whole seconds
 * (the form's inputs hold seconds): `from` rounded down, `to` (exclusive) past the last one.
 */
export function windowParams(firstIso: string, lastIso: string): { from: string; to: string } {
  const first = Math.floor(Date.parse(firstIso) / 1000) * 1000;
  const last = Math.floor(Date.parse(lastIso) / 1000) * 1000 + 1000;
  return { from: new Date(first).toISOString(), to: new Date(last).toISOString() };
}
