import { join, raw, sql, type Sql } from '../lib/store/index.js';
import type { World } from './world.js';

/**
 * Bulk inserts as `INSERT ... SELECT ... FROM unnest(...)` with one parameter per column,
 * whatever the number of rows: a chunk of thousands of rows is one short statement and one
 * round trip, and every value stays a parameter.
 *
 * Each column travels as one text, its values joined by the ASCII unit separator (NULL as the
 * record separator), split back by `string_to_array` and cast to the column's type. A JS array
 * parameter would do the same job, but the drivers spell every array out as a quoted,
 * escaped literal and PGlite's is about five times slower at it than a plain join.
 * `unnest` would anyway flatten an array of arrays, so array columns go as one array literal
 * per row, and jsonb as JSON text, cast back per row.
 */

const SEPARATOR = '\u001f';
const NULL_MARK = '\u001e';

export interface Column<R> {
  readonly name: string;
  /** The array type `string_to_array`'s text[] becomes ('' keeps text[]). */
  readonly arrayType: '' | '::timestamptz[]' | '::date[]' | '::boolean[]' | '::integer[]';
  /** Cast applied to each unnested value (text that carries an array or JSON). */
  readonly cast: '' | '::text[]' | '::jsonb';
  /** The value as PostgreSQL reads it from text; null for SQL NULL. */
  readonly encode: (row: R) => string | null;
}

export const text = <R>(name: string, get: (row: R) => string | null): Column<R> => ({ name, arrayType: '', cast: '', encode: get });

export const timestamp = <R>(name: string, get: (row: R) => Date | null): Column<R> => ({
  name,
  arrayType: '::timestamptz[]',
  cast: '',
  // ISO text is read the same by every server, whatever its time zone.
  encode: (row) => get(row)?.toISOString() ?? null,
});

/** A calendar date as `YYYY-MM-DD`. */
export const date = <R>(name: string, get: (row: R) => string | null): Column<R> => ({ name, arrayType: '::date[]', cast: '', encode: get });

export const boolean = <R>(name: string, get: (row: R) => boolean): Column<R> => ({
  name,
  arrayType: '::boolean[]',
  cast: '',
  encode: (row) => (get(row) ? 't' : 'f'),
});

export const integer = <R>(name: string, get: (row: R) => number): Column<R> => ({
  name,
  arrayType: '::integer[]',
  cast: '',
  encode: (row) => String(get(row)),
});

export const textArray = <R>(name: string, get: (row: R) => readonly string[]): Column<R> => ({
  name,
  arrayType: '',
  cast: '::text[]',
  encode: (row) => arrayLiteral(get(row)),
});

export const json = <R>(name: string, get: (row: R) => unknown): Column<R> => ({
  name,
  arrayType: '',
  cast: '::jsonb',
  encode: (row) => JSON.stringify(get(row)),
});

/**
 * One column of a chunk as a single text. The separators are control characters no record
 * holds; an empty string is refused because `string_to_array('')` is an empty array, which
 * would drop the value of a one-row chunk.
 */
export function joinColumn<R>(column: Column<R>, rows: readonly R[]): string {
  const values = rows.map((row) => {
    const value = column.encode(row);
    if (value === null) return NULL_MARK;
    if (value === '' || value.includes(SEPARATOR) || value.includes(NULL_MARK)) {
      throw new RangeError(`Cannot bulk-load ${column.name} = ${JSON.stringify(value)}: empty, or holds a control separator`);
    }
    return value;
  });
  return values.join(SEPARATOR);
}

/** `{"a","b \"c\""}`: every element quoted, so commas, braces and the word NULL stay text. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

/** One table of the world, able to write its rows as chunked INSERT statements. */
export interface Table {
  /** `schema.table`, as in the migrations. */
  readonly name: string;
  rows(world: World): readonly unknown[];
  inserts(world: World, chunkSize: number): Iterable<Sql>;
}

export function defineTable<R>(name: string, rows: (world: World) => readonly R[], columns: readonly Column<R>[]): Table {
  // Table and column names are constants of this module, never input: safe as raw SQL.
  const head = raw(`INSERT INTO ${name} (${columns.map((column) => column.name).join(', ')}) SELECT `);
  const select = raw(columns.map((column, i) => `u.c${i}${column.cast}`).join(', '));
  const alias = raw(` AS u(${columns.map((_, i) => `c${i}`).join(', ')})`);
  return {
    name,
    rows,
    *inserts(world, chunkSize) {
      const all = rows(world);
      for (let start = 0; start < all.length; start += chunkSize) {
        const chunk = all.slice(start, start + chunkSize);
        const parameters = columns.map((column) => sql`string_to_array(${joinColumn(column, chunk)}::text, chr(31), chr(30))${raw(column.arrayType)}`);
        yield sql`${head}${select} FROM unnest(${join(parameters)})${alias}`;
      }
    },
  };
}
