import { describe, expect, it } from 'vitest';
import { KEY_FIELD, categoryOf, defaultPolicyEngine } from '../../policies/index.js';
import { describeDecision, expectedVerdicts, parseExpectation } from './expectation.js';
import { NOW, PERSONAS, RECORDS, request } from './fixtures.js';
import { auditLogDecision, readDecision, rulesNamed, writeDecision } from './scenarios.js';
import { AUDIT_LOG_READS, READS, WRITES } from './spec5-table.js';

const engine = defaultPolicyEngine();

describe('SPEC 5 read matrix', () => {
  it.each(READS)('%s with purpose %s reading %s gets: %s', (...row) => {
    const { ref, decision } = readDecision(engine, row);
    const expected = parseExpectation(row[3]);
    // One line that says what was decided, so a failing row shows both sides at a glance.
    const actual = describeDecision(ref.type, decision);
    if (expected.hiddenBy !== null) {
      expect(decision.visible, actual).toBe(false);
      expect(decision.field('name').rule).toBe(expected.hiddenBy);
      expect(decision.rules).toEqual([expected.hiddenBy]);
      return;
    }
    expect(decision.visible, actual).toBe(true);
    expect(decision.field(KEY_FIELD).allowed).toBe(true);
    for (const [field, verdict] of expectedVerdicts(ref.type, expected)) {
      const got = decision.field(field);
      expect({ field, allowed: got.allowed, rule: got.rule }, actual).toEqual({ field, ...verdict });
    }
    const noticeIds = new Set(engine.policies.rules.filter((rule) => rule.effect === 'notice').map((rule) => rule.id));
    const notices = decision.rules.filter((rule) => noticeIds.has(rule));
    expect(notices).toEqual(expected.notices);
    for (const notice of expected.notices) expect(decision.reason).toContain(notice);
    // Released categories are exactly those with a released field.
    const released = [...expectedVerdicts(ref.type, expected)].filter(([, verdict]) => verdict.allowed).map(([field]) => categoryOf(ref.type, field));
    expect([...decision.categories].sort()).toEqual([...new Set(released)].sort());
  });
});

describe('SPEC 5 rule 9: writes', () => {
  it.each(WRITES)('%s may %s %s: %s', (...row) => {
    const verdict = writeDecision(engine, row);
    const expected = row[3];
    expect({ allowed: verdict.allowed, rule: verdict.rule }).toEqual({ allowed: !expected.startsWith('!'), rule: expected.replace(/^!/, '') });
  });
});

describe('SPEC 5 rule 8: the access log', () => {
  it.each(AUDIT_LOG_READS)('%s with purpose %s reading the access log: %s', (...row) => {
    const verdict = auditLogDecision(engine, row);
    const expected = row[2];
    expect({ allowed: verdict.allowed, rule: verdict.rule }).toEqual({ allowed: !expected.startsWith('!'), rule: expected.replace(/^!/, '') });
  });
});

describe('the table', () => {
  it('names every rule of the default policy set at least once', () => {
    const named = new Set([
      ...READS.flatMap((row) => rulesNamed(row[3])),
      ...WRITES.map((row) => row[3].replace(/^!/, '')),
      ...AUDIT_LOG_READS.map((row) => row[2].replace(/^!/, '')),
    ]);
    const missing = engine.policies.rules.map((rule) => rule.id).filter((id) => !named.has(id));
    expect(missing).toEqual([]);
  });
});

describe('deny by default', () => {
  it('grants nothing for a purpose the caller does not hold', () => {
    const narrow = { ...PERSONAS.cbpAnalyst, purposes: ['INTERDICTION' as const] };
    const decision = engine.decide(request(narrow, 'INVESTIGATION'), 'Route', RECORDS.Route.shared);
    expect(decision.visible).toBe(false);
    expect(decision.field('name')).toMatchObject({ allowed: false, rule: 'deny-by-default' });
    expect(engine.canWrite(request(narrow, 'INVESTIGATION'), 'update', 'Route', RECORDS.Route.shared).allowed).toBe(false);
  });

  it('withholds a field the policy does not know', () => {
    const decision = engine.decide(request(PERSONAS.cbpAgent, 'INTERDICTION'), 'Route', RECORDS.Route.shared);
    expect(decision.field('notAField')).toMatchObject({ allowed: false, rule: 'deny-by-default' });
  });

  it('flags a stale network for review in the decision reason, also for its owner', () => {
    const decision = engine.decide(request(PERSONAS.iceAnalyst, 'INVESTIGATION'), 'Network', RECORDS.Network.iceStale);
    expect(decision.reason).toMatch(/flagged for 28 CFR 23 review/i);
  });

  it('judges consent expiry and the five-year review against the request time', () => {
    const later = new Date(NOW.getTime() + 60 * 24 * 3600 * 1000);
    const future = engine.decide(request(PERSONAS.cbpAgent, 'RELEASE_COORDINATION', later), 'Referral', RECORDS.Referral.consentFuture);
    expect(future.visible).toBe(false);
    const earlier = new Date(RECORDS.Network.iceStale.lastValidatedAt.getTime() + 365 * 24 * 3600 * 1000);
    const current = engine.decide(request(PERSONAS.cbpAnalyst, 'INVESTIGATION', earlier), 'Network', RECORDS.Network.iceStale);
    expect(current.field('intelligenceBasis')).toMatchObject({ allowed: true, rule: 'dhs.intel' });
  });
});
