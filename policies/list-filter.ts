import { rulesToCondition } from '@casl/ability/extra';
import type { RecordType } from '../lib/domain.js';
import { and, or, sql, type Sql } from '../lib/store/sql.js';
import type { RequestPolicy } from './ability.js';
import { REQUIRED_COLUMNS } from './attributes.js';
import { conditionToSql, FALSE, TRUE } from './condition-sql.js';
import type { ColumnMap } from '../lib/access/decision.js';

/**
 * `listFilter`: the record-level half of `decide` as one SQL predicate. CASL's
 * `rulesToCondition` flattens the precedence of the request's read rules (each allow, AND NOT
 * every denial above it); condition-sql.ts writes each rule's conditions over the caller's
 * columns. Field-level rules never hide a record, so they play no part (CASL leaves them out
 * of `rulesFor` without a field).
 */
export function listFilterFor(compiled: RequestPolicy, type: RecordType, columns: ColumnMap): Sql {
  const missing = REQUIRED_COLUMNS[type].filter((key) => columns[key] === undefined);
  if (missing.length > 0) throw new Error(`listFilter for ${type} needs columns ${missing.join(', ')} (REQUIRED_COLUMNS.${type})`);
  if (!compiled.purposeHeld) return FALSE;
  const rules = compiled.ability.rulesFor('read', type);
  const condition = rulesToCondition(
    rules,
    (rule): Sql => {
      const matched = rule.conditions ? conditionToSql(rule.conditions, type, columns) : TRUE;
      return rule.inverted ? sql`NOT (${matched})` : matched;
    },
    { and: (items: Sql[]) => and(items), or: (items: Sql[]) => or(distinct(items)), empty: () => TRUE },
  );
  // No allow rule reaches this type for this caller: deny by default.
  if (condition === null || condition === TRUE || condition === FALSE) return condition ?? FALSE;
  // Load-bearing parentheses: callers splice the filter after AND (`WHERE t.id = $1 AND <filter>`),
  // and a bare top-level OR would then also match rows other than the one asked for.
  return sql`(${condition})`;
}

/** Grants with the same conditions (owner.read, owner.pii, ...) need testing once per row. */
function distinct(items: readonly Sql[]): Sql[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.text}\u0000${JSON.stringify(item.values)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
