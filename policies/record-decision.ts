import type { Category, RecordType } from '../lib/domain.js';
import { factsOf, type Facts } from './attributes.js';
import type { MatchedNotice, RequestPolicy } from './ability.js';
import type { AccessRequest, PolicyRecord, RecordDecision, Relation, Verdict } from '../lib/access/decision.js';
import { categoryOf, fieldNames, KEY_FIELD } from '../lib/access/fields.js';
import { matches } from './match.js';
import { DENY_BY_DEFAULT } from './rule.js';

/**
 * `decide`: whether a record is visible (the rule that shows it, or the one that hides it),
 * then a verdict per schema field with the rule behind it. A field is released only when the
 * record is visible and the deciding rule for that field allows it; nothing allows it by
 * default.
 */
export function decideRecord<T extends RecordType>(
  compiled: RequestPolicy,
  request: AccessRequest,
  type: T,
  record: PolicyRecord<T>,
  relation?: Relation,
): RecordDecision {
  const facts = factsOf(type, record, relation);
  // Records whose facts satisfy the same conditions get the same decision (see
  // RequestPolicy.signature): a page of 500 records is decided a handful of times, field by
  // field, and the others reuse those decisions, as do the caller's next requests.
  const signature = compiled.purposeHeld ? compiled.signature(type, facts) : 0;
  let decisions = compiled.decisions.get(type);
  if (decisions === undefined) {
    decisions = new Map();
    compiled.decisions.set(type, decisions);
  }
  let decision = decisions.get(signature);
  if (decision === undefined) {
    if (decisions.size >= MAX_DECISIONS) decisions.clear();
    decision = decideFacts(compiled, request, type, facts);
    decisions.set(signature, decision);
  }
  return decision;
}

/** Distinct decisions kept per record type of a request policy; past it the cache starts over. */
const MAX_DECISIONS = 4_096;

function decideFacts(compiled: RequestPolicy, request: AccessRequest, type: RecordType, facts: Facts): RecordDecision {
  const { ability } = compiled;
  if (!compiled.purposeHeld) {
    return hidden(DENY_BY_DEFAULT, `purpose ${request.purpose} is not one the caller holds`);
  }
  const gate = ability.relevantRuleFor('read', facts);
  if (!gate || gate.inverted) {
    const rule = gate ? compiled.ruleOf(gate) : null;
    return rule
      ? hidden(rule.id, rule.reason)
      : hidden(DENY_BY_DEFAULT, `no rule lets ${request.principal.agency} ${request.principal.org} read this ${type} for ${request.purpose}`);
  }
  const verdicts = new Map<string, Verdict>();
  for (const field of fieldNames(type)) {
    if (field === KEY_FIELD) continue;
    const deciding = ability.relevantRuleFor('read', facts, field);
    const rule = deciding ? compiled.ruleOf(deciding) : null;
    verdicts.set(
      field,
      rule && deciding
        ? { allowed: !deciding.inverted, rule: rule.id, reason: rule.reason }
        : { allowed: false, rule: DENY_BY_DEFAULT, reason: `no rule grants ${categoryOf(type, field) ?? 'this field'} of a ${type} to this caller` },
    );
  }
  // The rule quoted for showing the record is one whose grant is actually released (CASL's
  // gate may be a grant that a denial then empties, e.g. INTEL of a stale network).
  const released = [...verdicts.values()].find((verdict) => verdict.allowed);
  const gateRule = compiled.ruleOf(gate);
  const shownBy = released ? { id: released.rule, reason: released.reason } : { id: gateRule.id, reason: gateRule.reason };
  verdicts.set(KEY_FIELD, { allowed: true, rule: shownBy.id, reason: shownBy.reason });

  const categories = new Set<Category>();
  const withheld = new Map<string, Set<Category>>();
  for (const [field, verdict] of verdicts) {
    const category = categoryOf(type, field);
    if (category === undefined || field === KEY_FIELD) continue;
    if (verdict.allowed) categories.add(category);
    else withheld.set(verdict.rule, (withheld.get(verdict.rule) ?? new Set()).add(category));
  }
  const notices = noticesFor(compiled.notices, type, facts);
  const rules = [...new Set([shownBy.id, ...[...verdicts.values()].map((verdict) => verdict.rule), ...notices.map((notice) => notice.id)])];
  const parts = [`visible under ${shownBy.id} (${shownBy.reason})`];
  if (withheld.size > 0) {
    parts.push(`withheld: ${[...withheld].map(([rule, cats]) => `${[...cats].join(', ')} by ${rule}`).join('; ')}`);
  }
  for (const notice of notices) parts.push(`notice ${notice.id}: ${notice.reason}`);

  return {
    visible: true,
    rules,
    reason: parts.join('. '),
    categories,
    field: (name) =>
      verdicts.get(name) ?? { allowed: false, rule: DENY_BY_DEFAULT, reason: `${type}.${name} is not a field the policy knows` },
  };
}

function hidden(rule: string, reason: string): RecordDecision {
  const verdict: Verdict = { allowed: false, rule, reason };
  return { visible: false, rules: [rule], reason: `withheld by ${rule}: ${reason}`, categories: new Set(), field: () => verdict };
}

function noticesFor(notices: readonly MatchedNotice[], type: RecordType, facts: Facts): readonly { readonly id: string; readonly reason: string }[] {
  return notices
    .filter(({ rule, condition }) => rule.subjects.includes(type) && (condition === null || matches(condition, facts)))
    .map(({ rule }) => ({ id: rule.id, reason: rule.reason }));
}
