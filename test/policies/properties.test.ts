import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Agency, RecordType } from '../../lib/domain.js';
import { factsOf } from '../../policies/attributes.js';
import type { AccessRequest, PolicyRecord, RecordDecision, Relation } from '../../lib/access/decision.js';
import { defaultPolicyEngine, fieldNames, fieldsIn, KEY_FIELD, type PolicyRule } from '../../policies/index.js';
import { bindCondition } from '../../policies/bind.js';
import { matches } from '../../policies/match.js';
import { bindPlaceholders } from '../../policies/placeholders.js';
import { principalFailures } from '../../policies/principal-condition.js';
import { requestArbitrary, typedRecordArbitrary } from './arbitraries.js';

/**
 * Properties over random callers and records. The first restates the engine's meaning
 * without CASL (a field is released iff some allow rule naming it matches and no deny rule
 * naming it, or the whole record, matches), so the CASL wiring is checked against the
 * rules as written, not against itself.
 */

const engine = defaultPolicyEngine();
const RUNS = 3000;

const sample = (agencies?: readonly Agency[], types?: readonly RecordType[]) =>
  fc.record({ request: requestArbitrary(agencies), target: typedRecordArbitrary(types) });

function applies(rule: PolicyRule, request: AccessRequest, type: RecordType, record: PolicyRecord, relation?: Relation): boolean {
  if (!request.principal.purposes.includes(request.purpose)) return false;
  if (!rule.actions.includes('read') || !rule.subjects.includes(type) || principalFailures(rule.principal, request).length > 0) return false;
  return rule.conditions === null || matches(bindCondition(rule.conditions, bindPlaceholders(request)), factsOf(type, record, relation));
}

const decideFor = (request: AccessRequest, target: { readonly type: RecordType; readonly record: PolicyRecord; readonly relation?: Relation }): RecordDecision =>
  engine.decide(request, target.type, target.record, target.relation);

describe('for any caller and any record', () => {
  it('a field is released exactly when an allow rule grants it and no deny rule withholds it', () => {
    fc.assert(
      fc.property(sample(), ({ request, target }) => {
        const { type, record, relation } = target;
        const live = engine.policies.rules.filter((rule) => rule.effect !== 'notice' && applies(rule, request, type, record, relation));
        const granting = (field: string): PolicyRule[] => live.filter((rule) => rule.effect === 'allow' && (rule.grants[type] ?? []).includes(field));
        const withholding = (field: string): PolicyRule[] =>
          live.filter((rule) => rule.effect === 'deny' && (rule.wholeRecord || (rule.grants[type] ?? []).includes(field)));
        const visible =
          live.some((rule) => rule.effect === 'allow' && (rule.grants[type] ?? []).length > 0) && !live.some((rule) => rule.effect === 'deny' && rule.wholeRecord);
        const decision = decideFor(request, target);
        expect(decision.visible).toBe(visible);
        for (const field of fieldNames(type)) {
          if (field === KEY_FIELD) continue;
          const verdict = decision.field(field);
          const released = visible && granting(field).length > 0 && withholding(field).length === 0;
          expect(verdict.allowed, `${type}.${field}`).toBe(released);
          if (verdict.allowed) expect(granting(field).map((rule) => rule.id)).toContain(verdict.rule);
          else if (visible && withholding(field).length > 0) expect(withholding(field).map((rule) => rule.id)).toContain(verdict.rule);
          else if (visible) expect(verdict.rule).toBe('deny-by-default');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('an NGO never sees a network, encounter or booking, nor any INTEL or TACTICAL field', () => {
    fc.assert(
      fc.property(sample(['NGO']), ({ request, target }) => {
        const decision = decideFor(request, target);
        if (['Network', 'Encounter', 'Booking'].includes(target.type)) expect(decision.visible).toBe(false);
        for (const field of [...fieldsIn(target.type, 'INTEL'), ...fieldsIn(target.type, 'TACTICAL')]) expect(decision.field(field).allowed).toBe(false);
        expect(decision.categories.has('INTEL') || decision.categories.has('TACTICAL')).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("CBP, ICE and partners never see a 1367-protected person's referral, nor any referral's notes, nor anyone's 1367 status", () => {
    fc.assert(
      fc.property(sample(['CBP', 'ICE', 'PARTNER'], ['Referral', 'Person']), ({ request, target }) => {
        const decision = decideFor(request, target);
        if (target.type === 'Referral') {
          if ((target.record as PolicyRecord<'Referral'>).protected1367) expect(decision.visible).toBe(false);
          for (const field of fieldsIn('Referral', 'NGO_CONFIDENTIAL')) expect(decision.field(field).allowed).toBe(false);
        }
        if (target.type === 'Person') expect(decision.field('protected1367').allowed).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('an auditor sees CORE fields only', () => {
    fc.assert(
      fc.property(sample(['OVERSIGHT']), ({ request, target }) => {
        const decision = decideFor(request, target);
        expect([...decision.categories].filter((category) => category !== 'CORE')).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('stale intelligence reaches no one but the owning org', () => {
    fc.assert(
      fc.property(sample(undefined, ['Network']), ({ request, target }) => {
        const network = target.record as PolicyRecord<'Network'>;
        const fiveYears = 5 * 365.25 * 24 * 3600 * 1000;
        fc.pre(request.now.getTime() - network.lastValidatedAt.getTime() > fiveYears && network.ownerOrg !== request.principal.org);
        const decision = decideFor(request, target);
        for (const field of fieldsIn('Network', 'INTEL')) expect(decision.field(field).allowed).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});
