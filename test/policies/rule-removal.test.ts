import { describe, expect, it } from 'vitest';
import { createPolicyEngine, defaultPolicyEngine, fieldNames, type PolicyEngine } from '../../policies/index.js';
import { auditLogDecision, readDecision, readSignature, rulesNamed, writeDecision } from './scenarios.js';
import { AUDIT_LOG_READS, READS, WRITES } from './spec5-table.js';

/**
 * Every rule earns its place: taken out of the policy set, at least one row of the SPEC 5
 * table that names it is decided differently. A rule that changes nothing is either dead or
 * untested, and both are failures.
 */
const full = defaultPolicyEngine();

function outcomesNaming(engine: PolicyEngine, id: string): readonly string[] {
  const reads = READS.filter((row) => rulesNamed(row[3]).includes(id)).map((row) => {
    const { ref, decision } = readDecision(engine, row);
    return `${row.join(' ')} => ${readSignature(ref, decision, fieldNames(ref.type))}`;
  });
  const writes = WRITES.filter((row) => row[3].replace(/^!/, '') === id).map((row) => {
    const verdict = writeDecision(engine, row);
    return `${row.join(' ')} => ${verdict.allowed} ${verdict.rule}`;
  });
  const logs = AUDIT_LOG_READS.filter((row) => row[2].replace(/^!/, '') === id).map((row) => {
    const verdict = auditLogDecision(engine, row);
    return `${row.join(' ')} => ${verdict.allowed} ${verdict.rule}`;
  });
  return [...reads, ...writes, ...logs];
}

describe('each rule of the default policy set', () => {
  it.each(full.policies.rules.map((rule) => [rule.id, rule.file.split('/').pop() ?? rule.file] as const))(
    '%s (%s) changes a decision when removed',
    (id) => {
      const without = createPolicyEngine({ ...full.policies, rules: full.policies.rules.filter((rule) => rule.id !== id) });
      const before = outcomesNaming(full, id);
      const after = outcomesNaming(without, id);
      expect(before.length).toBeGreaterThan(0);
      expect(after).not.toEqual(before);
    },
  );

  it('removing a grant never reveals more: the field it granted is withheld', () => {
    const without = createPolicyEngine({ ...full.policies, rules: full.policies.rules.filter((rule) => rule.id !== 'dhs.core') });
    const row = READS.find((candidate) => candidate[3] === 'CORE=dhs.core');
    if (!row) throw new Error('the table lost its dhs.core row');
    expect(readDecision(full, row).decision.visible).toBe(true);
    expect(readDecision(without, row).decision.visible).toBe(false);
  });

  it('removing a denial releases what it withheld when a grant covers it', () => {
    const without = createPolicyEngine({ ...full.policies, rules: full.policies.rules.filter((rule) => rule.id !== 'protected1367.override') });
    const row = READS.find((candidate) => candidate[0] === 'cbpAgent' && candidate[2] === 'Referral.protected');
    if (!row) throw new Error('the table lost its 1367 row');
    expect(readDecision(without, row).decision.field('service')).toMatchObject({ allowed: true, rule: 'consent.referral-grant' });
  });
});
