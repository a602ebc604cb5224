import type { RecordType } from '../lib/domain.js';
import { and, or, raw, sql, type Sql } from '../lib/store/sql.js';
import { attributeOf } from './attributes.js';
import type { ColumnMap } from '../lib/access/decision.js';
import type { BoundCompare, BoundCondition } from './bind.js';
import { testCompare } from './match.js';

/**
 * A bound condition as a SQL predicate over the caller's columns, with the meaning match.ts
 * gives it in JavaScript. Every comparison is wrapped so that it is TRUE or FALSE, never NULL:
 * under NOT (a `$nor`, or a denial) a NULL would not flip, and the database would then
 * disagree with `decide` about a record with a missing value.
 */
export function conditionToSql(condition: BoundCondition, type: RecordType, columns: ColumnMap): Sql {
  switch (condition.kind) {
    case 'compare':
      return compareToSql(condition, type, columns);
    case 'all':
      return and(condition.items.map((item) => conditionToSql(item, type, columns)));
    case 'any':
      return or(condition.items.map((item) => conditionToSql(item, type, columns)));
    case 'none':
      return sql`NOT (${or(condition.items.map((item) => conditionToSql(item, type, columns)))})`;
  }
}

export const TRUE = raw('TRUE');
export const FALSE = raw('FALSE');

function compareToSql(leaf: BoundCompare, type: RecordType, columns: ColumnMap): Sql {
  const key = attributeOf(type, leaf.attribute)?.column ?? null;
  // How a record was reached is not a column: a listed record was reached by no relation,
  // so the comparison is judged once, here, against an absent value.
  if (key === null) return testCompare(leaf, null) ? TRUE : FALSE;
  const column = columns[key];
  if (column === undefined) throw new Error(`listFilter for ${type} needs column "${key}" (see REQUIRED_COLUMNS.${type})`);
  const positive = positiveSql(leaf, column);
  return leaf.op === 'ne' || leaf.op === 'nin' ? sql`NOT (${positive})` : positive;
}

/** The comparison without its negation ($ne as $eq, $nin as $in), never NULL. */
function positiveSql(leaf: BoundCompare, column: Sql): Sql {
  const { value } = leaf;
  const list = Array.isArray(value) ? [...(value as readonly string[])] : [];
  switch (leaf.type) {
    case 'text':
      if (leaf.op === 'in' || leaf.op === 'nin') return sql`coalesce(${column} = ANY(${list}::text[]), false)`;
      return value === null ? sql`(${column} IS NULL)` : sql`coalesce(${column} = ${value}::text, false)`;
    case 'text[]':
      if (leaf.op === 'in' || leaf.op === 'nin') return sql`coalesce(${column} && ${list}::text[], false)`;
      return sql`coalesce(${value}::text = ANY(${column}), false)`;
    case 'boolean':
      return sql`coalesce(${column} = ${value}::boolean, false)`;
    case 'timestamp': {
      if (value === null) return leaf.op === 'eq' || leaf.op === 'ne' ? sql`(${column} IS NULL)` : FALSE;
      const operator = { eq: '=', ne: '=', lt: '<', lte: '<=', gt: '>', gte: '>=', in: '=', nin: '=' }[leaf.op];
      return sql`coalesce(${column} ${raw(operator)} ${value}::timestamptz, false)`;
    }
  }
}
