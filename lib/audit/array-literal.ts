/**
 * PostgreSQL array literals, as the audit writer sends its columns: one text parameter per
 * column instead of one per value.
 */
const ESCAPED = /["\\]/g;

/**
 * One element of an array literal: quoted, with backslash and double quote escaped (as the pg
 * driver does). One pass: an event's `items` (kilobytes of JSON, quotes throughout) is one element.
 */
export function element(value: string | null): string {
  if (value === null) return 'NULL';
  return `"${value.replace(ESCAPED, '\\$&')}"`;
}

/** A text[] value as the array literal that travels inside the text column of its rows. */
export function arrayLiteral(values: readonly string[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i += 1) literal += (i > 0 ? ',' : '') + element(values[i] as string);
  return `${literal}}`;
}
