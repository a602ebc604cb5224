import type { RecordType } from '../lib/domain.js';
import { attributeOf, type AttributeKind, type AttributeSpec } from './attributes.js';
import { isPlaceholderName, PLACEHOLDERS, type PlaceholderName } from './placeholders.js';

/**
 * Record conditions: the `conditions` of a rule, written with MongoDB query operators over
 * the record attributes of attributes.ts (as CASL rules are), parsed here into a small tree
 * that the engine can both evaluate (decide) and translate to SQL (listFilter). Only the
 * operators both sides implement identically are accepted:
 *
 *   { "attr": value }                       equals (for an array attribute: contains)
 *   { "attr": { "$eq" | "$ne": value } }
 *   { "attr": { "$in" | "$nin": [values] } } one of (for an array attribute: shares one of)
 *   { "attr": { "$lt" | "$lte" | "$gt" | "$gte": time } }
 *   { "$and" | "$or" | "$nor": [conditions] }
 *
 * A value is a literal or a placeholder bound to the request: "${principal.org}",
 * "${principal.jurisdictions}", "${purpose}", "${now}", "${reviewCutoff}" (placeholders.ts).
 */

export const COMPARISONS = ['eq', 'ne', 'in', 'nin', 'lt', 'lte', 'gt', 'gte'] as const;
export type Comparison = (typeof COMPARISONS)[number];

const OPERATORS: Readonly<Record<string, Comparison>> = {
  $eq: 'eq',
  $ne: 'ne',
  $in: 'in',
  $nin: 'nin',
  $lt: 'lt',
  $lte: 'lte',
  $gt: 'gt',
  $gte: 'gte',
};
const LOGICAL = { $and: 'all', $or: 'any', $nor: 'none' } as const;

export type Literal = string | boolean | Date | null;
export type Term = { readonly literal: Literal } | { readonly placeholder: PlaceholderName };
export type Operand = Term | { readonly list: readonly Term[] };

export interface CompareNode {
  readonly kind: 'compare';
  readonly attribute: string;
  readonly type: AttributeKind;
  readonly op: Comparison;
  readonly operand: Operand;
}

export interface LogicalNode {
  readonly kind: 'all' | 'any' | 'none';
  readonly items: readonly Condition[];
}

export type Condition = CompareNode | LogicalNode;

/** Reports a problem with the condition being parsed (the caller adds file and rule). */
export type Fail = (problem: string) => never;

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

export function parseCondition(input: unknown, types: readonly RecordType[], fail: Fail): Condition {
  const node = parseNode(input, types, fail, 'conditions');
  checkSatisfiable(node, fail);
  return node;
}

/** Every attribute path a condition reads. */
export function attributesOf(condition: Condition): readonly string[] {
  if (condition.kind === 'compare') return [condition.attribute];
  return [...new Set(condition.items.flatMap(attributesOf))];
}

/** Every placeholder a condition reads (`now`, `principal.org`, ...). */
export function placeholdersOf(condition: Condition): readonly PlaceholderName[] {
  if (condition.kind !== 'compare') return [...new Set(condition.items.flatMap(placeholdersOf))];
  const { operand } = condition;
  const terms = 'list' in operand ? operand.list : [operand];
  return terms.flatMap((term) => ('placeholder' in term ? [term.placeholder] : []));
}

function parseNode(input: unknown, types: readonly RecordType[], fail: Fail, where: string): Condition {
  if (!isPlainObject(input)) return fail(`${where} must be an object, got ${show(input)}`);
  const items: Condition[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('$')) {
      if (!Object.hasOwn(LOGICAL, key)) return fail(`unknown operator ${key} in ${where} (known: ${[...Object.keys(LOGICAL), ...Object.keys(OPERATORS)].join(', ')})`);
      if (!Array.isArray(value) || value.length === 0) return fail(`${key} in ${where} needs a non-empty list of conditions`);
      items.push({
        kind: LOGICAL[key as keyof typeof LOGICAL],
        items: value.map((item, i) => parseNode(item, types, fail, `${where}.${key}[${i}]`)),
      });
    } else {
      items.push(parseAttribute(key, value, types, fail));
    }
  }
  if (items.length === 0) return fail(`${where} is empty: it would match every record (leave it out to say so)`);
  return items.length === 1 ? (items[0] as Condition) : { kind: 'all', items };
}

function specFor(attribute: string, types: readonly RecordType[], fail: Fail): AttributeSpec {
  let found: AttributeSpec | undefined;
  for (const type of types) {
    const spec = attributeOf(type, attribute);
    if (!spec) return fail(`unknown attribute "${attribute}" for ${type}: the rule could never match a ${type}`);
    found = spec;
  }
  if (!found) return fail(`attribute "${attribute}" tested by a rule with no record type`);
  return found;
}

function parseAttribute(attribute: string, value: unknown, types: readonly RecordType[], fail: Fail): Condition {
  const spec = specFor(attribute, types, fail);
  if (!isPlainObject(value)) return compare(attribute, spec, 'eq', value, fail);
  const entries = Object.entries(value);
  if (entries.length === 0) return fail(`"${attribute}" is compared with an empty object`);
  const items = entries.map(([key, operand]): Condition => {
    const op = OPERATORS[key];
    if (!key.startsWith('$')) return fail(`"${attribute}.${key}": nested objects are not conditions; name the attribute with a dotted path`);
    if (op === undefined) return fail(`unknown operator ${key} on "${attribute}" (known: ${Object.keys(OPERATORS).join(', ')})`);
    return compare(attribute, spec, op, operand, fail);
  });
  return items.length === 1 ? (items[0] as Condition) : { kind: 'all', items };
}

function compare(attribute: string, spec: AttributeSpec, op: Comparison, raw: unknown, fail: Fail): CompareNode {
  const node = (operand: Operand): CompareNode => ({ kind: 'compare', attribute, type: spec.kind, op, operand });
  const where = `"${attribute}" ($${op})`;
  switch (op) {
    case 'in':
    case 'nin': {
      if (spec.kind !== 'text' && spec.kind !== 'text[]') return fail(`${where}: $${op} applies to text attributes only`);
      if (typeof raw === 'string') {
        const term = parseTerm(raw, fail, where);
        if (!('placeholder' in term) || PLACEHOLDERS[term.placeholder].kind !== 'text[]') {
          return fail(`${where} needs a list or a list placeholder such as "\${principal.jurisdictions}", got ${show(raw)}`);
        }
        return node({ list: [term] });
      }
      if (!Array.isArray(raw)) return fail(`${where} needs a list, got ${show(raw)}`);
      if (raw.length === 0) return fail(op === 'in' ? `${where} with no values could never match` : `${where} with no values excludes nothing`);
      return node({ list: raw.map((item) => textTerm(item, spec, fail, where)) });
    }
    case 'eq':
    case 'ne': {
      if (raw === null) {
        if (!spec.nullable || spec.kind === 'text[]') return fail(`${where}: "${attribute}" is never null, so the rule could never match`);
        return node({ literal: null });
      }
      if (Array.isArray(raw)) return fail(`${where} compared with a list: use $in`);
      if (spec.kind === 'boolean') {
        if (typeof raw !== 'boolean') return fail(`${where}: "${attribute}" is true or false, got ${show(raw)}`);
        return node({ literal: raw });
      }
      if (spec.kind === 'timestamp') return node(timeTerm(raw, fail, where));
      return node(textTerm(raw, spec, fail, where));
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      if (spec.kind !== 'timestamp') return fail(`${where}: ordering applies to times only`);
      return node(timeTerm(raw, fail, where));
  }
}

function parseTerm(raw: string, fail: Fail, where: string): Term {
  const match = /^\$\{([^}]*)\}$/.exec(raw);
  if (!match) {
    if (raw.includes('${')) return fail(`${where}: malformed placeholder ${show(raw)} (a placeholder is the whole value, like "\${principal.org}")`);
    return { literal: raw };
  }
  const name = match[1] ?? '';
  if (!isPlaceholderName(name)) return fail(`${where}: unknown placeholder \${${name}} (known: ${Object.keys(PLACEHOLDERS).join(', ')})`);
  return { placeholder: name };
}

function textTerm(raw: unknown, spec: AttributeSpec, fail: Fail, where: string): Term {
  if (typeof raw !== 'string') return fail(`${where}: expected text, got ${show(raw)}`);
  const term = parseTerm(raw, fail, where);
  if ('placeholder' in term) {
    const placeholder: { readonly kind: string; readonly values?: readonly string[] } = PLACEHOLDERS[term.placeholder];
    if (placeholder.kind !== 'text') return fail(`${where}: \${${term.placeholder}} is ${placeholder.kind}, not a single text value`);
    if (spec.values && placeholder.values && !placeholder.values.some((value) => spec.values?.includes(value))) {
      return fail(`${where}: \${${term.placeholder}} can never be one of ${spec.values.join(', ')}, so the rule could never match`);
    }
    return term;
  }
  if (spec.values && typeof term.literal === 'string' && !spec.values.includes(term.literal)) {
    return fail(`${where}: ${show(term.literal)} is not one of ${spec.values.join(', ')}, so the rule could never match`);
  }
  return term;
}

function timeTerm(raw: unknown, fail: Fail, where: string): Term {
  if (typeof raw !== 'string') return fail(`${where}: expected a time ("\${now}", "\${reviewCutoff}" or an ISO date), got ${show(raw)}`);
  const term = parseTerm(raw, fail, where);
  if ('placeholder' in term) {
    if (PLACEHOLDERS[term.placeholder].kind !== 'timestamp') return fail(`${where}: \${${term.placeholder}} is not a time`);
    return term;
  }
  const at = new Date(String(term.literal));
  if (!/^\d{4}-\d{2}-\d{2}/.test(String(term.literal)) || Number.isNaN(at.getTime())) return fail(`${where}: ${show(raw)} is not an ISO date`);
  return { literal: at };
}

/**
 * Rejects conjunctions that can never hold: one attribute required to equal two different
 * literals, or to equal and differ from the same one. (Placeholders are judged per request
 * and are not second-guessed here.)
 */
function checkSatisfiable(condition: Condition, fail: Fail): void {
  if (condition.kind === 'compare') return;
  condition.items.forEach((item) => checkSatisfiable(item, fail));
  if (condition.kind !== 'all') return;
  const equals = new Map<string, string>();
  const differs = new Map<string, Set<string>>();
  const leaves = condition.items.flatMap((item) => (item.kind === 'all' ? item.items : [item]));
  for (const leaf of leaves) {
    if (leaf.kind !== 'compare' || leaf.type === 'text[]' || !('literal' in leaf.operand)) continue;
    const literal = show(leaf.operand.literal);
    if (leaf.op === 'eq') {
      const other = equals.get(leaf.attribute);
      if (other !== undefined && other !== literal) return fail(`"${leaf.attribute}" must equal both ${other} and ${literal}: the rule could never match`);
      equals.set(leaf.attribute, literal);
    } else if (leaf.op === 'ne') {
      differs.set(leaf.attribute, (differs.get(leaf.attribute) ?? new Set()).add(literal));
    }
  }
  for (const [attribute, literal] of equals) {
    if (differs.get(attribute)?.has(literal)) return fail(`"${attribute}" must both equal and differ from ${literal}: the rule could never match`);
  }
}
