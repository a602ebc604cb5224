import { Ability, fieldPatternMatcher, type RawRuleOf, type RuleOf } from '@casl/ability';
import type { RecordType } from '../lib/domain.js';
import type { Facts } from './attributes.js';
import type { AccessRequest, RecordDecision } from '../lib/access/decision.js';
import type { Policies } from './load.js';
import { bindCondition, type BoundCondition } from './bind.js';
import { compileMatcher } from './compile-matcher.js';
import { bindPlaceholders, TIME_PLACEHOLDERS, type BoundValue, type PlaceholderName } from './placeholders.js';
import { principalFailures } from './principal-condition.js';
import { placeholdersOf, type Condition } from './condition.js';
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

type Bindings = Readonly<Record<PlaceholderName, BoundValue>>;

/** CASL's subject type for rules about the access log, which is no record type. */
export const AUDIT_LOG = 'AuditLog';
export type PolicySubject = RecordType | typeof AUDIT_LOG | Facts;
export type PolicyAbility = Ability<[RuleAction, PolicySubject], BoundCondition>;
export type AbilityRule = RuleOf<PolicyAbility>;

export interface MatchedNotice {
  readonly rule: PolicyRule;
  readonly condition: BoundCondition | null;
}

/**
 * Decisions by record type, then by signature. One cache may serve every request of the same
 * caller (principal object) and purpose, whatever its time: the time only decides which
 * conditions hold, and that is what the signature records. For that, the signature's layout
 * depends on the rules alone, never on the values bound into them (see `decidingConditions`).
 */
export type DecisionCache = Map<RecordType, Map<number | string, RecordDecision>>;

export interface RequestPolicy {
  readonly ability: PolicyAbility;
  /**
   * Which of the conditions that can decide a `type` record hold for these facts, as a number
   * (one bit per condition; a string past 52 of them). CASL's answers (the gate and every
   * field's deciding rule) and the notices depend on nothing else, so two records of a type
   * with the same signature get the same decision.
   */
  signature(type: RecordType, facts: Facts): number | string;
  /** Decisions already made for this caller and purpose (record-decision.ts). */
  readonly decisions: DecisionCache;
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
  const holds = matcherOf(condition);
  const seen = new WeakMap<object, boolean>();
  return (object: object): boolean => {
    let result = seen.get(object);
    if (result === undefined) {
      result = holds(object as Facts);
      seen.set(object, result);
    }
    return result;
  };
}

/**
 * What compiling takes from the rules for one caller and purpose, whatever the time: which
 * rules apply, and the CASL rules of those whose conditions do not read the time, bound once.
 * Shared by every request of one principal object and purpose (engine.ts), with their
 * decisions; `compileRequest` then binds only the rules that read the time.
 */
export interface CallerRules {
  readonly purposeHeld: boolean;
  /** Allow rules, then deny rules; `raws` is null for a rule bound per request (it reads the time). */
  readonly ordered: readonly { readonly rule: PolicyRule; readonly raws: readonly RawRuleOf<PolicyAbility>[] | null }[];
  readonly notices: readonly PolicyRule[];
  readonly decisions: DecisionCache;
}

/** Conditions as written, as text: the identity of a condition in a signature's layout. */
const writtenKeys = new WeakMap<Condition, string>();
function writtenKey(condition: Condition): string {
  let key = writtenKeys.get(condition);
  if (key === undefined) {
    key = JSON.stringify(condition);
    writtenKeys.set(condition, key);
  }
  return key;
}

/** Matchers by bound condition: a condition bound once per caller is prepared once too. */
const matchers = new WeakMap<BoundCondition, (facts: Facts) => boolean>();
function matcherOf(condition: BoundCondition): (facts: Facts) => boolean {
  let matcher = matchers.get(condition);
  if (matcher === undefined) {
    matcher = compileMatcher(condition);
    matchers.set(condition, matcher);
  }
  return matcher;
}

/** CASL rule (raw) to the policy rule it was made from; raws outlive a request when shared. */
const origins = new WeakMap<object, PolicyRule>();

export function callerRules(policies: Policies, request: AccessRequest): CallerRules {
  const purposeHeld = request.principal.purposes.includes(request.purpose);
  const applicable = purposeHeld ? policies.rules.filter((rule) => principalFailures(rule.principal, request).length === 0) : [];
  const bindings = bindPlaceholders(request);
  const readsTime = (rule: PolicyRule): boolean =>
    rule.conditions !== null && placeholdersOf(rule.conditions).some((name) => TIME_PLACEHOLDERS.includes(name));
  const ordered = [...applicable.filter((rule) => rule.effect === 'allow'), ...applicable.filter((rule) => rule.effect === 'deny')].map((rule) => ({
    rule,
    raws: readsTime(rule) ? null : rawRules(rule, bindings),
  }));
  return { purposeHeld, ordered, notices: applicable.filter((rule) => rule.effect === 'notice'), decisions: new Map() };
}

/** A policy rule as CASL rules, its conditions bound to one request's values. */
function rawRules(rule: PolicyRule, bindings: Bindings): RawRuleOf<PolicyAbility>[] {
  const conditions = rule.conditions ? bindCondition(rule.conditions, bindings) : undefined;
  const base = { inverted: rule.effect === 'deny', reason: rule.reason, ...(conditions ? { conditions } : {}) };
  const raws: RawRuleOf<PolicyAbility>[] = [];
  if (rule.actions.includes('read') && !rule.wholeRecord) {
    // One CASL rule per record type: the same categories are different fields on each.
    for (const type of rule.subjects) {
      const fields = rule.grants[type];
      if (!fields) continue;
      raws.push({ ...base, action: 'read', subject: type, fields: [...fields] });
    }
  } else {
    const subject: (RecordType | typeof AUDIT_LOG)[] = rule.subjects.length === 0 ? [AUDIT_LOG] : [...rule.subjects];
    raws.push({ ...base, action: [...rule.actions], subject });
  }
  for (const raw of raws) origins.set(raw, rule);
  return raws;
}

/**
 * `caller` may be shared between requests of the same principal object and purpose only
 * (engine.ts does): the applicable rules, and with them the decisions, depend on both.
 */
export function compileRequest(policies: Policies, request: AccessRequest, caller: CallerRules = callerRules(policies, request)): RequestPolicy {
  const { purposeHeld, decisions } = caller;
  const bindings = bindPlaceholders(request);
  const raws = caller.ordered.flatMap(({ rule, raws: bound }) => bound ?? rawRules(rule, bindings));
  const notices: MatchedNotice[] = caller.notices.map((rule) => ({ rule, condition: rule.conditions ? bindCondition(rule.conditions, bindings) : null }));

  const ability: PolicyAbility = new Ability<[RuleAction, PolicySubject], BoundCondition>(raws, {
    conditionsMatcher,
    fieldMatcher: fieldPatternMatcher,
    detectSubjectType: (subject) => subject.__typename,
  });
  const ruleOf = (rule: AbilityRule): PolicyRule => {
    const origin = origins.get(rule.origin);
    if (!origin) throw new Error('A CASL rule without a policy rule behind it: the ability was built elsewhere');
    return origin;
  };
  const deciding = new Map<RecordType, readonly ((facts: Facts) => boolean)[]>();
  const decidingConditions = (type: RecordType): readonly ((facts: Facts) => boolean)[] => {
    let conditions = deciding.get(type);
    if (!conditions) {
      // Every read rule CASL may consult for the type (any field, either effect), and the
      // notices about it; each distinct condition once (owner.read, owner.pii, ... share theirs).
      // Distinct as written in the rule file, not as bound: bound values (the time) could make
      // two conditions coincide in one request and not the next, and the layout would shift
      // under the shared decision cache.
      const all: { readonly written: Condition | null; readonly bound: BoundCondition | null | undefined }[] = [
        ...ability.possibleRulesFor('read', type).map((rule) => ({ written: ruleOf(rule).conditions, bound: rule.conditions })),
        ...notices.filter((notice) => notice.rule.subjects.includes(type)).map((notice) => ({ written: notice.rule.conditions, bound: notice.condition })),
      ];
      const seen = new Set<string>();
      const distinct: BoundCondition[] = [];
      for (const { written, bound } of all) {
        if (written === null || bound === null || bound === undefined) continue;
        const key = writtenKey(written);
        if (seen.has(key)) continue;
        seen.add(key);
        distinct.push(bound);
      }
      conditions = distinct.map(matcherOf);
      deciding.set(type, conditions);
    }
    return conditions;
  };

  return {
    ability,
    notices,
    purposeHeld,
    decisions,
    signature(type, facts) {
      const conditions = decidingConditions(type);
      // A number is exact up to 2^53; rule sets with more conditions per type get a string.
      if (conditions.length > 52) return conditions.map((holds) => (holds(facts) ? '1' : '0')).join('');
      let signature = 0;
      for (const holds of conditions) signature = signature * 2 + (holds(facts) ? 1 : 0);
      return signature;
    },
    ruleOf,
  };
}
