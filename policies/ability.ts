import { Ability, fieldPatternMatcher, type RawRuleOf, type RuleOf } from '@casl/ability';
import type { RecordType } from '../lib/domain.js';
import type { Facts } from './attributes.js';
import type { AccessRequest, RecordDecision } from './decision.js';
import type { Policies } from './load.js';
import { bindCondition, matches, type BoundCondition } from './match.js';
import { bindPlaceholders } from './placeholders.js';
import { principalFailures } from './principal-condition.js';
import type { PolicyRule, RuleAction } from './rule.js';

/**
 * The policy as CASL sees it for one request: the rules whose principal conditions hold for
 * this caller and purpose, with placeholders bound, as a CASL ability over record facts. CASL
 * then does what it is good at: indexing rules by action, subject and field, and picking the
 * rule that decides (`relevantRuleFor`) or flattening them for a query (`rulesToCondition`).
 *
 * Precedence: CASL lets a later rule override an earlier one. Every denial is placed after
 * every allow, so a matching denial always wins (SPEC 5 rule 6 "overrides every grant"); among
 * allows, the later in file order is the one quoted.
 */

/** CASL's subject type for rules about the access log, which is no record type. */
export const AUDIT_LOG = 'AuditLog';
export type PolicySubject = RecordType | typeof AUDIT_LOG | Facts;
export type PolicyAbility = Ability<[RuleAction, PolicySubject], BoundCondition>;
export type AbilityRule = RuleOf<PolicyAbility>;

export interface MatchedNotice {
  readonly rule: PolicyRule;
  readonly condition: BoundCondition | null;
}

export interface RequestPolicy {
  readonly ability: PolicyAbility;
  /**
   * Which of the conditions that can decide a `type` record hold for these facts, as a short
   * string. CASL's answers (the gate and every field's deciding rule) and the notices depend on
   * nothing else, so two records with the same signature get the same decision.
   */
  signature(type: RecordType, facts: Facts): string;
  /** Decisions already made under this policy, by type and signature (record-decision.ts). */
  readonly decisions: Map<string, RecordDecision>;
  /** The policy rule a CASL rule was made from. */
  ruleOf(rule: AbilityRule): PolicyRule;
  /** Notices that apply to this caller (record conditions still to be checked). */
  readonly notices: readonly MatchedNotice[];
  /**
   * False when the stated purpose is not one the caller holds. The identity layer refuses
   * such requests first; the engine grants nothing either, so no path around it leaks.
   */
  readonly purposeHeld: boolean;
}

/**
 * Judging a rule's conditions once per record: CASL asks again for every field of the same
 * record, and the facts object is new for each record.
 */
function conditionsMatcher(condition: BoundCondition) {
  const seen = new WeakMap<object, boolean>();
  return (object: object): boolean => {
    let result = seen.get(object);
    if (result === undefined) {
      result = matches(condition, object as Facts);
      seen.set(object, result);
    }
    return result;
  };
}

export function compileRequest(policies: Policies, request: AccessRequest): RequestPolicy {
  const purposeHeld = request.principal.purposes.includes(request.purpose);
  const bindings = bindPlaceholders(request);
  const origins = new WeakMap<object, PolicyRule>();
  const raws: RawRuleOf<PolicyAbility>[] = [];
  const notices: MatchedNotice[] = [];
  const applicable = purposeHeld ? policies.rules.filter((rule) => principalFailures(rule.principal, request).length === 0) : [];
  const ordered = [...applicable.filter((rule) => rule.effect === 'allow'), ...applicable.filter((rule) => rule.effect === 'deny')];

  for (const rule of applicable) {
    if (rule.effect === 'notice') notices.push({ rule, condition: rule.conditions ? bindCondition(rule.conditions, bindings) : null });
  }
  for (const rule of ordered) {
    const conditions = rule.conditions ? bindCondition(rule.conditions, bindings) : undefined;
    const base = { inverted: rule.effect === 'deny', reason: rule.reason, ...(conditions ? { conditions } : {}) };
    if (rule.actions.includes('read') && !rule.wholeRecord) {
      // One CASL rule per record type: the same categories are different fields on each.
      for (const type of rule.subjects) {
        const fields = rule.grants[type];
        if (!fields) continue;
        const raw: RawRuleOf<PolicyAbility> = { ...base, action: 'read', subject: type, fields: [...fields] };
        origins.set(raw, rule);
        raws.push(raw);
      }
    } else {
      const subject: (RecordType | typeof AUDIT_LOG)[] = rule.subjects.length === 0 ? [AUDIT_LOG] : [...rule.subjects];
      const raw: RawRuleOf<PolicyAbility> = { ...base, action: [...rule.actions], subject };
      origins.set(raw, rule);
      raws.push(raw);
    }
  }

  const ability: PolicyAbility = new Ability<[RuleAction, PolicySubject], BoundCondition>(raws, {
    conditionsMatcher,
    fieldMatcher: fieldPatternMatcher,
    detectSubjectType: (subject) => subject.__typename,
  });
  const deciding = new Map<RecordType, readonly BoundCondition[]>();
  const decidingConditions = (type: RecordType): readonly BoundCondition[] => {
    let conditions = deciding.get(type);
    if (!conditions) {
      // Every read rule CASL may consult for the type (any field, either effect), and the
      // notices about it; each distinct condition once (owner.read, owner.pii, ... share theirs).
      const all = [
        ...ability.possibleRulesFor('read', type).map((rule) => rule.conditions),
        ...notices.filter((notice) => notice.rule.subjects.includes(type)).map((notice) => notice.condition),
      ].filter((condition): condition is BoundCondition => condition !== undefined && condition !== null);
      const seen = new Set<string>();
      conditions = all.filter((condition) => {
        const key = JSON.stringify(condition);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      deciding.set(type, conditions);
    }
    return conditions;
  };

  return {
    ability,
    notices,
    purposeHeld,
    decisions: new Map(),
    signature(type, facts) {
      let signature = type;
      for (const condition of decidingConditions(type)) signature += matches(condition, facts) ? '1' : '0';
      return signature;
    },
    ruleOf(rule) {
      const origin = origins.get(rule.origin);
      if (!origin) throw new Error('A CASL rule without a policy rule behind it: the ability was built elsewhere');
      return origin;
    },
  };
}
