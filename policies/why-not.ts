import type { AttributeKind, Facts } from './attributes.js';
import { readAttribute } from './attributes.js';
import type { BoundCompare, BoundCondition } from './bind.js';
import type { Comparison } from './condition.js';
import { matches } from './match.js';

/** Explanations for operators (explain.ts): which part of a condition failed, in words. */

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
