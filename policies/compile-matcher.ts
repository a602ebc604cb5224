import type { Facts } from './attributes.js';
import { attributeReader } from './attributes.js';
import { listItems, type BoundCompare, type BoundCondition } from './bind.js';
import { testCompare, timeOf } from './match.js';

/**
 * `matches` prepared for one condition: the same answers, with attribute paths split and the
 * condition's shape walked once instead of on every record (the signature of each record of a
 * page judges every deciding condition).
 */
export function compileMatcher(condition: BoundCondition): (facts: Facts) => boolean {
  switch (condition.kind) {
    case 'compare': {
      const read = attributeReader(condition.attribute);
      const test = compileCompare(condition);
      return (facts) => test(read(facts));
    }
    case 'all': {
      const items = condition.items.map(compileMatcher);
      return (facts) => items.every((item) => item(facts));
    }
    case 'any': {
      const items = condition.items.map(compileMatcher);
      return (facts) => items.some((item) => item(facts));
    }
    case 'none': {
      const items = condition.items.map(compileMatcher);
      return (facts) => !items.some((item) => item(facts));
    }
  }
}

/**
 * `testCompare` for one comparison, with its operator, list and bound time looked at once.
 * The same meaning, case by case (the property tests judge the engine against `matches`).
 */
function compileCompare(leaf: BoundCompare): (actual: unknown) => boolean {
  const { op, value } = leaf;
  const isList = op === 'in' || op === 'nin';
  const list = listItems(value);
  let hit: (actual: unknown) => boolean;
  switch (leaf.type) {
    case 'text':
      hit = isList ? (actual) => typeof actual === 'string' && list.includes(actual) : (actual) => actual === value;
      break;
    case 'text[]':
      hit = isList
        ? (actual) => Array.isArray(actual) && (actual as readonly unknown[]).some((item) => typeof item === 'string' && list.includes(item))
        : (actual) => Array.isArray(actual) && (actual as readonly unknown[]).includes(value);
      break;
    case 'boolean':
      hit = (actual) => actual === value;
      break;
    case 'timestamp': {
      const bound = timeOf(value);
      if (op === 'eq' || op === 'ne') {
        hit = (actual) => timeOf(actual) === bound;
        break;
      }
      // An ordering with a missing time on either side is false (and orderings are never negated).
      switch (op) {
        case 'lt':
          return bound === null ? () => false : (actual) => compareTime(actual, (at) => at < bound);
        case 'lte':
          return bound === null ? () => false : (actual) => compareTime(actual, (at) => at <= bound);
        case 'gt':
          return bound === null ? () => false : (actual) => compareTime(actual, (at) => at > bound);
        case 'gte':
          return bound === null ? () => false : (actual) => compareTime(actual, (at) => at >= bound);
        default:
          // $in/$nin of times: rule files never say it; left to the general case.
          return (actual) => testCompare(leaf, actual);
      }
    }
  }
  return op === 'ne' || op === 'nin' ? (actual) => !hit(actual) : hit;
}

function compareTime(actual: unknown, holds: (at: number) => boolean): boolean {
  const at = timeOf(actual);
  return at !== null && holds(at);
}
