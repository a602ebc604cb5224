import type { AccessEvent } from './api/types.js';

export type CsvValue = string | number | boolean | null | undefined | readonly string[];

/**
 * Cells a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first): an audit
 * entry holds text its subject chose (operation names, justifications), and an auditor opening
 * the export must not execute it. Such cells get a leading apostrophe, shown by spreadsheets
 * as plain text (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = Array.isArray(value) ? value.join('; ') : String(value);
  if (typeof value === 'string' || Array.isArray(value)) {
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface CsvColumn<T> {
  readonly header: string;
  readonly value: (row: T) => CsvValue;
}

/** A whole CSV document: header line, then one line per row, CRLF-terminated (RFC 4180). */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((column) => csvCell(column.header)).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvCell(column.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Every field of an entry, in the order SPEC 6 lists them, then its place in the chain. */
export const ACCESS_EVENT_COLUMNS: readonly CsvColumn<AccessEvent>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'at', value: (e) => e.at },
  { header: 'requestId', value: (e) => e.requestId },
  { header: 'operationName', value: (e) => e.operationName },
  { header: 'operationHash', value: (e) => e.operationHash },
  { header: 'subjectIss', value: (e) => e.subjectIss },
  { header: 'subjectSub', value: (e) => e.subjectSub },
  { header: 'subjectOrg', value: (e) => e.subjectOrg },
  { header: 'agency', value: (e) => e.agency },
  { header: 'roles', value: (e) => e.roles },
  { header: 'purpose', value: (e) => e.purpose },
  { header: 'justification', value: (e) => e.justification },
  { header: 'action', value: (e) => e.action },
  { header: 'recordType', value: (e) => e.recordType },
  { header: 'recordId', value: (e) => e.recordId },
  { header: 'ownerOrg', value: (e) => e.ownerOrg },
  { header: 'personId', value: (e) => e.personId },
  { header: 'fieldsReleased', value: (e) => e.fieldsReleased },
  { header: 'fieldsRedacted', value: (e) => e.fieldsRedacted },
  { header: 'decision', value: (e) => e.decision },
  { header: 'rules', value: (e) => e.rules },
  { header: 'service', value: (e) => e.service },
  { header: 'reason', value: (e) => e.reason },
  { header: 'chain', value: (e) => e.chain },
  { header: 'seq', value: (e) => e.seq },
  { header: 'hash', value: (e) => e.hash },
  { header: 'prevHash', value: (e) => e.prevHash },
];

/** `tributary-access-log-20261123T204016Z.csv` */
export function exportFileName(now: Date): string {
  return `tributary-access-log-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}.csv`;
}
