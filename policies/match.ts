import type { Facts } from './attributes.js';
import { readAttribute } from './attributes.js';
import { listItems, type BoundCompare, type BoundCondition } from './bind.js';

/**
 * How a bound condition is judged against a record, read straight off the condition: the
 * reference semantics that `compile-matcher.ts` and `condition-sql.ts` reproduce.
 */

export function matches(condition: BoundCondition, facts: Facts): boolean {
  switch (condition.kind) {
    case 'compare':
      return testCompare(condition, readAttribute(facts, condition.attribute));
    case 'all':
      return condition.items.every((item) => matches(item, facts));
    case 'any':
      return condition.items.some((item) => matches(item, facts));
    case 'none':
      return !condition.items.some((item) => matches(item, facts));
  }
}

export const timeOf = (value: unknown): number | null => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'string') {
    const at = Date.parse(value);
    return Number.isNaN(at) ? null : at;
  }
  return null;
};

/** One comparison against the record's value (null when absent). */
export function testCompare(leaf: BoundCompare, actual: unknown): boolean {
  const { op } = leaf;
  const negated = op === 'ne' || op === 'nin';
  const isList = op === 'in' || op === 'nin';
  let hit: boolean;
  switch (leaf.type) {
    case 'text':
      hit = isList ? typeof actual === 'string' && listItems(leaf.value).includes(actual) : actual === leaf.value;
      break;
    case 'text[]': {
      if (!Array.isArray(actual)) {
        hit = false;
        break;
      }
      const values = actual as readonly unknown[];
      if (isList) {
        const list = listItems(leaf.value);
        hit = values.some((value) => typeof value === 'string' && list.includes(value));
      } else hit = values.includes(leaf.value);
      break;
    }
    case 'boolean':
      hit = actual === leaf.value;
      break;
    case 'timestamp': {
      const at = timeOf(actual);
      const bound = timeOf(leaf.value);
      if (op === 'eq' || op === 'ne') hit = at === bound;
      else if (at === null || bound === null) return false;
      else hit = op === 'lt' ? at < bound : op === 'lte' ? at <= bound : op === 'gt' ? at > bound : at >= bound;
      break;
    }
  }
  return negated ? !hit : hit;
}
