import type { AttributeKind, Facts } from './attributes.js';
import { attributeReader, readAttribute } from './attributes.js';
import type { Comparison, Condition, Term } from './condition.js';
import type { BoundValue, PlaceholderName } from './placeholders.js';

/**
 * A condition with its placeholders replaced by one request's values, and how it is judged
 * against a record. These are the semantics `condition-sql.ts` reproduces in SQL, operator by
 * operator; a missing value (null) never equals, contains or orders against anything.
 */

export interface BoundCompare {
  readonly kind: 'compare';
  readonly attribute: string;
  readonly type: AttributeKind;
  readonly op: Comparison;
  /** A list for $in/$nin; a single value otherwise. */
  readonly value: BoundValue;
}

export interface BoundLogical {
  readonly kind: 'all' | 'any' | 'none';
  readonly items: readonly BoundCondition[];
}

export type BoundCondition = BoundCompare | BoundLogical;

type Bindings = Readonly<Record<PlaceholderName, BoundValue>>;

export function bindCondition(condition: Condition, bindings: Bindings): BoundCondition {
  if (condition.kind !== 'compare') return { kind: condition.kind, items: condition.items.map((item) => bindCondition(item, bindings)) };
  const { operand } = condition;
  const value: BoundValue =
    'list' in operand ? operand.list.flatMap((term) => listItems(bindTerm(term, bindings))) : bindTerm(operand, bindings);
  return { kind: 'compare', attribute: condition.attribute, type: condition.type, op: condition.op, value };
}

const bindTerm = (term: Term, bindings: Bindings): BoundValue => ('placeholder' in term ? bindings[term.placeholder] : term.literal);

const listItems = (value: BoundValue): readonly string[] =>
  Array.isArray(value) ? (value as readonly string[]) : typeof value === 'string' ? [value] : [];

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

const timeOf = (value: unknown): number | null => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'string') {
    const at = Date.parse(value);
    return Number.isNaN(at) ? null : at;
  }
  return null;
};

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

// ---- Explanations for operators (explain.ts): which part of a condition failed, in words.

const show = (value: unknown): string => {
  if (value instanceof Date) return value.toISOString();
  if (value === null || value === undefined) return 'absent';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return typeof value === 'string' ? `"${value}"` : String(value);
};

const WORDS: Readonly<Record<AttributeKind, Readonly<Record<Comparison, string>>>> = {
  text: { eq: 'to be', ne: 'not to be', in: 'to be one of', nin: 'to be none of', lt: '', lte: '', gt: '', gte: '' },
  'text[]': { eq: 'to contain', ne: 'not to contain', in: 'to share one of', nin: 'to share none of', lt: '', lte: '', gt: '', gte: '' },
  boolean: { eq: 'to be', ne: 'not to be', in: '', nin: '', lt: '', lte: '', gt: '', gte: '' },
  timestamp: { eq: 'to be', ne: 'not to be', in: '', nin: '', lt: 'to be before', lte: 'to be at or before', gt: 'to be after', gte: 'to be at or after' },
};

export const describeCompare = (leaf: BoundCompare, actual: unknown): string =>
  `${leaf.attribute} is ${show(actual)}, needs ${WORDS[leaf.type][leaf.op]} ${show(leaf.value)}`;

/** Why a condition does not hold for this record: one line per failing comparison. */
export function whyNot(condition: BoundCondition, facts: Facts): readonly string[] {
  if (matches(condition, facts)) return [];
  switch (condition.kind) {
    case 'compare':
      return [describeCompare(condition, readAttribute(facts, condition.attribute))];
    case 'all':
      return condition.items.flatMap((item) => whyNot(item, facts));
    case 'any':
      return [`none of the alternatives holds: ${condition.items.map((item) => whyNot(item, facts).join(' and ')).join(' | ')}`];
    case 'none':
      return condition.items
        .filter((item) => matches(item, facts))
        .map((item) => `excluded because it holds that ${describeHolding(item, facts)}`);
  }
}

function describeHolding(condition: BoundCondition, facts: Facts): string {
  if (condition.kind === 'compare') return describeCompare(condition, readAttribute(facts, condition.attribute)).replace(', needs', ', as');
  return condition.items.map((item) => describeHolding(item, facts)).join(condition.kind === 'any' ? ' or ' : ' and ');
}
