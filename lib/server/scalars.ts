import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '../errors.js';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Why a value is not a DateTime, or undefined when it is one. Shared with the argument checks
 * (lib/server/argument-checks.ts), which must judge these values at the gateway too, where the
 * supergraph's scalars have no parse functions of their own.
 */
export function dateTimeProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return undefined;
  return `expected an ISO 8601 date-time with a time zone (e.g. 2026-11-01T12:00:00Z), got ${shown(value)}`;
}

/** Why a value is not a calendar date (YYYY-MM-DD), or undefined when it is one. */
export function calendarDateProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))) return undefined;
  return `expected a calendar date (YYYY-MM-DD), got ${shown(value)}`;
}

/** The bad value, short, and with control characters escaped by JSON. */
const shown = (value: unknown): string => (JSON.stringify(value) ?? String(value)).slice(0, 60);

function parseDateTime(value: unknown): Date {
  const problem = dateTimeProblem(value);
  if (problem !== undefined || typeof value !== 'string') throw badInput(`DateTime: ${problem ?? 'expected a string'}`);
  return new Date(value);
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  throw new TypeError(`Cannot serialize ${typeof value} as a date`);
}

/** Instants, always serialized in UTC (`2026-11-01T12:00:00.000Z`). */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseCalendarDate(value: unknown): string {
  const problem = calendarDateProblem(value);
  if (problem !== undefined || typeof value !== 'string') throw badInput(`Date: ${problem ?? 'expected a string'}`);
  return value;
}

/** Calendar dates (birth dates, release dates): no time zone to shift them. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : parseCalendarDate(value)),
  parseValue: parseCalendarDate,
  parseLiteral: (ast) => parseCalendarDate(ast.kind === Kind.STRING ? ast.value : undefined),
});
