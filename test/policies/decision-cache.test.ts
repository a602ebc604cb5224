import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordType } from '../../lib/domain.js';
import type { AccessRequest, PolicyRecord, RecordDecision, Relation } from '../../lib/access/decision.js';
import { createPolicyEngine } from '../../policies/engine.js';
import { fieldNames } from '../../lib/access/fields.js';
import { loadPolicies } from '../../policies/load.js';
import { requestArbitrary, typedRecordArbitrary } from './arbitraries.js';
import { daysAgo, daysAhead, NOW, PERSONAS, RECORDS, request } from './fixtures.js';

/**
 * The engine reuses a decision for every record whose facts satisfy the same conditions, within
 * a request and across the requests of one caller (principal object) and purpose. These tests
 * hold it to deciding exactly what an engine without any history decides, record by record.
 */

const policies = loadPolicies();

/** Everything a decision says: visibility, rules, reason and the verdict on every field. */
function described(decision: RecordDecision, type: RecordType): unknown {
  return {
    visible: decision.visible,
    rules: decision.rules,
    reason: decision.reason,
    categories: [...decision.categories].sort(),
    fields: Object.fromEntries([...fieldNames(type), 'notAField'].map((field) => [field, decision.field(field)])),
  };
}

interface Case {
  readonly request: AccessRequest;
  readonly type: RecordType;
  readonly record: PolicyRecord;
  readonly relation?: Relation | undefined;
}

/** Decides the cases in order with one engine, and each with a fresh one; both must agree. */
function expectSameAsFresh(cases: readonly Case[]): void {
  const shared = createPolicyEngine(policies);
  for (const { request: asked, type, record, relation } of cases) {
    const fresh = createPolicyEngine(policies).decide(asked, type, record, relation);
    expect(described(shared.decide(asked, type, record, relation), type)).toEqual(described(fresh, type));
  }
}

const later = (days: number): Date => daysAhead(days);

describe('the decision cache', () => {
  it('tells apart two records that differ only in the owner agency a rule conditions on', () => {
    const asked = request(PERSONAS.cbpAnalyst, 'INVESTIGATION');
    // Disseminated to no one: only its owner's agency sees it.
    const other = RECORDS.Network.iceOwnerOnly;
    const own = { ...other, ownerAgency: 'CBP' as const };
    const shared = createPolicyEngine(policies);
    expect(shared.decide(asked, 'Network', own).visible).toBe(true);
    expect(shared.decide(asked, 'Network', other).visible).toBe(false);
    expectSameAsFresh([
      { request: asked, type: 'Network', record: own },
      { request: asked, type: 'Network', record: other },
    ]);
  });

  it('tells apart two records that differ only in their dissemination', () => {
    const asked = request(PERSONAS.partnerSaguaro, 'INVESTIGATION');
    const shared = RECORDS.Route.shared;
    const dhsOnly = { ...shared, id: 'R-other', disseminate: ['DHS'] };
    const engine = createPolicyEngine(policies);
    expect(engine.decide(asked, 'Route', shared).visible).toBe(true);
    expect(engine.decide(asked, 'Route', dhsOnly).visible).toBe(false);
  });

  it('follows the clock across requests of the same caller: intelligence turns stale', () => {
    const who = PERSONAS.iceEroAnalyst;
    // Validated five years less a day before NOW: current now, stale two days later.
    const network = { ...RECORDS.Network.iceShared, lastValidatedAt: daysAgo(5 * 365.25 - 1) };
    const engine = createPolicyEngine(policies);
    const before = engine.decide(request(who, 'INVESTIGATION', NOW), 'Network', network);
    const after = engine.decide(request(who, 'INVESTIGATION', later(2)), 'Network', network);
    expect(before.field('intelligenceBasis').allowed).toBe(true);
    expect(after.field('intelligenceBasis').allowed).toBe(false);
    expectSameAsFresh([
      { request: request(who, 'INVESTIGATION', NOW), type: 'Network', record: network },
      { request: request(who, 'INVESTIGATION', later(2)), type: 'Network', record: network },
    ]);
  });

  it('follows the clock across requests of the same caller: consent expires', () => {
    const referral = { ...RECORDS.Referral.consented, consent: { ...RECORDS.Referral.consented.consent, expiresAt: daysAhead(1) } };
    const cases = [NOW, later(2), NOW].flatMap((at) =>
      Object.values(PERSONAS).map((who) => ({ request: request(who, 'RELEASE_COORDINATION', at), type: 'Referral' as const, record: referral })),
    );
    expectSameAsFresh(cases);
  });

  it('keeps purposes apart for the same caller', () => {
    const cases = (['INVESTIGATION', 'CUSTODY_TRANSFER', 'RELEASE_COORDINATION', 'LEGAL_SERVICES'] as const).flatMap((purpose) =>
      Object.values(RECORDS.Referral).map((record) => ({ request: request(PERSONAS.ngoLegal, purpose), type: 'Referral' as const, record })),
    );
    expectSameAsFresh(cases);
  });

  it('decides any sequence of callers, times and records as a fresh engine does', () => {
    // Few distinct callers, so the same principal objects come back with other times and records.
    const callers = fc.sample(requestArbitrary(), 6);
    const caseArbitrary = fc.record({
      asked: fc.constantFrom(...callers),
      days: fc.integer({ min: -4000, max: 4000 }),
      target: typedRecordArbitrary(),
    });
    fc.assert(
      fc.property(fc.array(caseArbitrary, { minLength: 1, maxLength: 40 }), (drawn) => {
        expectSameAsFresh(
          drawn.map(({ asked, days, target }) => ({
            request: { ...asked, now: new Date(NOW.getTime() + days * 24 * 3600 * 1000) },
            type: target.type,
            record: target.record,
            relation: target.relation,
          })),
        );
      }),
      { numRuns: 150 },
    );
  });
});
