import { CATEGORIES, type Category, type RecordType } from '../../lib/domain.js';
import type { RecordDecision } from '../../lib/access/decision.js';
import { categoryOf, fieldNames, fieldsIn, KEY_FIELD } from '../../lib/access/fields.js';

/**
 * The matrix's compact expectations, one string per row:
 *
 *   "CORE=dhs.core INTEL!cfr28.review notice=cfr28.flag"
 *
 * `X=rule`: category (or field) X is released by that rule; `X!rule`: withheld by that rule;
 * `notice=rule`: the rule's notice is part of the decision; `hidden` / `hidden!rule`: the whole
 * record is withheld (by deny-by-default, or by that rule). A category or field not named is
 * withheld by deny-by-default. A field entry overrides its category's.
 */
export interface Expected {
  readonly hiddenBy: string | null;
  readonly verdicts: ReadonlyMap<string, { readonly allowed: boolean; readonly rule: string }>;
  readonly notices: readonly string[];
}

export function parseExpectation(text: string): Expected {
  let hiddenBy: string | null = null;
  const verdicts = new Map<string, { allowed: boolean; rule: string }>();
  const notices: string[] = [];
  for (const token of text.split(/\s+/).filter(Boolean)) {
    if (token === 'hidden') hiddenBy = 'deny-by-default';
    else if (token.startsWith('hidden!')) hiddenBy = token.slice('hidden!'.length);
    else if (token.startsWith('notice=')) notices.push(token.slice('notice='.length));
    else {
      const match = /^([A-Za-z0-9_]+)([=!])(.+)$/.exec(token);
      if (!match) throw new Error(`Bad expectation token "${token}"`);
      verdicts.set(match[1] ?? '', { allowed: match[2] === '=', rule: match[3] ?? '' });
    }
  }
  return { hiddenBy, verdicts, notices };
}

/** What the decision says, in the same terms, for a readable diff when a row fails. */
export function describeDecision(type: RecordType, decision: RecordDecision): string {
  if (!decision.visible) return `hidden!${decision.field('id').rule}`;
  const tokens: string[] = [];
  for (const category of CATEGORIES) {
    const fields = fieldsIn(type, category).filter((field) => field !== KEY_FIELD);
    if (fields.length === 0) continue;
    const verdicts = fields.map((field) => decision.field(field));
    const token = (name: string, allowed: boolean, rule: string): string => `${name}${allowed ? '=' : '!'}${rule}`;
    const first = verdicts[0];
    if (first && verdicts.every((verdict) => verdict.allowed === first.allowed && verdict.rule === first.rule)) {
      if (first.allowed || first.rule !== 'deny-by-default') tokens.push(token(category, first.allowed, first.rule));
    } else {
      fields.forEach((field, i) => {
        const verdict = verdicts[i];
        if (verdict && (verdict.allowed || verdict.rule !== 'deny-by-default')) tokens.push(token(field, verdict.allowed, verdict.rule));
      });
    }
  }
  return tokens.join(' ');
}

/** The expected verdict of every field of the type. */
export function expectedVerdicts(type: RecordType, expected: Expected): ReadonlyMap<string, { readonly allowed: boolean; readonly rule: string }> {
  const result = new Map<string, { readonly allowed: boolean; readonly rule: string }>();
  for (const field of fieldNames(type)) {
    if (field === KEY_FIELD) continue;
    const category = categoryOf(type, field) as Category;
    result.set(field, expected.verdicts.get(field) ?? expected.verdicts.get(category) ?? { allowed: false, rule: 'deny-by-default' });
  }
  return result;
}
