import { cursorProblem } from '../connection.js';
import { calendarDateProblem, dateTimeProblem } from './scalars.js';

/**
 * Why one value of an argument is malformed, judged by its scalar's name (the gateway's
 * supergraph scalars are bare names, without parse functions) and, for page sizes and cursors,
 * by the argument's own name. Used by argument-checks.ts, which walks operations to the values.
 */

/** Ids in this API are short (`R-0001`, a UUID); anything past this is an attack on a log or an index. */
export const MAX_ID_LENGTH = 128;
/** The longest free text any argument takes (referral notes, reasons); the body limit stays the outer bound. */
export const MAX_STRING_LENGTH = 10_000;
/** Arguments that set a page size, and those that carry a cursor. */
const PAGE_SIZE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last']);
const CURSOR_ARGUMENTS: ReadonlySet<string> = new Set(['after', 'before']);
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;

/** With the `u` flag a surrogate pair is one code point: only lone halves match, and they are not UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why a scalar's value is malformed, by the scalar's name (the gateway's scalars are bare names). */
export function scalarProblem(scalar: string, argument: string | undefined, value: unknown): string | undefined {
  switch (scalar) {
    case 'DateTime':
      return dateTimeProblem(value);
    case 'Date':
      return calendarDateProblem(value);
    case 'Int':
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      if (!Number.isInteger(value) || value < INT32.min || value > INT32.max) return `must be a whole number within 32 bits, got ${String(value).slice(0, 30)}`;
      if (argument !== undefined && PAGE_SIZE_ARGUMENTS.has(argument) && value < 0) return `is a page size and must be 0 or more, got ${value}`;
      return undefined;
    case 'Float':
    case 'Boolean':
      return undefined;
    case 'ID':
      return typeof value === 'string' ? stringProblem(value, MAX_ID_LENGTH) : undefined;
    case 'String':
      if (typeof value !== 'string') return undefined;
      return stringProblem(value, MAX_STRING_LENGTH) ?? (argument !== undefined && CURSOR_ARGUMENTS.has(argument) ? cursorProblem(value) : undefined);
    default:
      // A scalar we do not know the shape of (`_Any`, `_FieldSet`): every string in it is still
      // text that may reach a store.
      return dataProblem(value, 0);
  }
}

function stringProblem(value: string, maxLength: number): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL byte (\\u0000), which no text here may hold';
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode (it holds half of a UTF-16 surrogate pair)';
  if (value.length > maxLength) return `is ${value.length} characters long; the limit is ${maxLength}`;
  return undefined;
}

/** Every string inside a structured value; the body limit bounds its size, 64 levels its depth. */
function dataProblem(value: unknown, depth: number): string | undefined {
  if (depth > 64) return 'is nested too deeply';
  if (typeof value === 'string') return stringProblem(value, MAX_STRING_LENGTH);
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const problem = stringProblem(key, MAX_STRING_LENGTH) ?? dataProblem(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}
