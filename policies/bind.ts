import type { AttributeKind } from './attributes.js';
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

export const listItems = (value: BoundValue): readonly string[] =>
  Array.isArray(value) ? (value as readonly string[]) : typeof value === 'string' ? [value] : [];
