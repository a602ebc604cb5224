import type { Row } from './store.js';

/**
 * Typed readers for driver rows. A column of the wrong type is a bug in our SQL or a
 * migration, not a client error: it throws, and the error is masked for the client.
 */
function fail(column: string, expected: string, value: unknown): never {
  throw new TypeError(`Column ${column}: expected ${expected}, got ${value === null ? 'null' : typeof value}`);
}

export const text = (row: Row, column: string): string => {
  const value = row[column];
  return typeof value === 'string' ? value : fail(column, 'text', value);
};

export const textOrNull = (row: Row, column: string): string | null => {
  const value = row[column];
  return value === null || value === undefined ? null : typeof value === 'string' ? value : fail(column, 'text', value);
};

export const int = (row: Row, column: string): number => {
  const value = row[column];
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return fail(column, 'integer', value);
};

export const bool = (row: Row, column: string): boolean => {
  const value = row[column];
  return typeof value === 'boolean' ? value : fail(column, 'boolean', value);
};

export const date = (row: Row, column: string): Date => {
  const value = row[column];
  return value instanceof Date ? value : fail(column, 'timestamp', value);
};

export const dateOrNull = (row: Row, column: string): Date | null => {
  const value = row[column];
  return value === null || value === undefined ? null : value instanceof Date ? value : fail(column, 'timestamp', value);
};

/** `date` columns: kept as the calendar string `YYYY-MM-DD` (no time zone to shift them). */
export const calendarDateOrNull = (row: Row, column: string): string | null => {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return typeof value === 'string' ? value.slice(0, 10) : fail(column, 'date', value);
};

export const textArray = (row: Row, column: string): string[] => {
  const value = row[column];
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value;
  return fail(column, 'text[]', value);
};

/** jsonb columns: returned as parsed JSON, still `unknown` until the caller narrows it. */
export const json = (row: Row, column: string): unknown => {
  const value = row[column];
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
};

export const oneOf = <T extends string>(row: Row, column: string, values: readonly T[]): T => {
  const value = text(row, column);
  return (values as readonly string[]).includes(value) ? (value as T) : fail(column, values.join('|'), value);
};
