import { describe, expect, it } from 'vitest';
import { defaultPolicyEngine } from '../../policies/index.js';
import { PERSONAS, RECORDS, recordRef, request } from './fixtures.js';

/** The operator's "why": every rule about the type, whether it applied and why not, then the verdicts. */
const engine = defaultPolicyEngine();

describe('explainDecision', () => {
  it('says which rules applied, which did not and why, and the verdict per category', () => {
    const text = engine.explainDecision(request(PERSONAS.cbpAnalyst, 'INVESTIGATION'), 'Network', RECORDS.Network.iceStale);
    expect(text).toContain('Decision for cbpAnalyst (CBP cbp-tucson');
    expect(text).toContain('Record: Network N-stale owned by ice-hsi-tucson (ICE)');
    expect(text).toMatch(/\[applies\] allow CORE dhs\.core \(dhs\.json\)/);
    expect(text).toMatch(/\[applies\] deny INTEL cfr28\.review/);
    expect(text).toMatch(/\[does not apply\] allow CORE, TACTICAL, HUMANITARIAN owner\.read[^\n]*\n\s+record: ownerAgency is "ICE", needs to be "CBP"/);
    expect(text).toMatch(/\[does not apply\] allow CORE partner\.core[^\n]*\n\s+caller: agency CBP is not one of PARTNER/);
    expect(text).toContain('Verdict: record visible');
    expect(text).toMatch(/CORE\s+released by dhs\.core/);
    expect(text).toMatch(/INTEL\s+withheld by cfr28\.review/);
    expect(text).toContain('Flagged for 28 CFR 23 review');
  });

  it('names the rule that hides a record', () => {
    const text = engine.explainDecision(request(PERSONAS.cbpAgent, 'RELEASE_COORDINATION'), 'Referral', RECORDS.Referral.protected);
    expect(text).toMatch(/\[applies\] deny record protected1367\.override/);
    expect(text).toContain('Verdict: record withheld (withheld by protected1367.override');
  });

  it('explains a failed consent condition in terms of the record', () => {
    const text = engine.explainDecision(request(PERSONAS.cbpAgent, 'RELEASE_COORDINATION'), 'Referral', RECORDS.Referral.revoked);
    expect(text).toMatch(/consent\.referral-grant[^\n]*\n(\s+[^\n]*\n)*?\s+record: consent\.revokedAt is 2025-05-30T12:00:00\.000Z, needs to be absent/);
    expect(text).toContain('Verdict: record withheld (withheld by deny-by-default');
  });

  it('lists per field where a category is split', () => {
    const ref = recordRef('Transfer.fromSaguaro');
    const text = engine.explainDecision(request(PERSONAS.ngoLegal, 'LEGAL_SERVICES'), ref.type, ref.record);
    expect(text).toMatch(/CORE:\n(\s+\w+\s+(released|withheld) by [\w.-]+\n)+/);
    expect(text).toMatch(/toFacility\s+released by ngo\.transfer-legal/);
    expect(text).toMatch(/fromOrg\s+withheld by deny-by-default/);
  });

  it('mentions the relation a record was reached through', () => {
    const ref = recordRef('Person.unlinked@Network.iceShared.members');
    const text = engine.explainDecision(request(PERSONAS.partnerSaguaro, 'INVESTIGATION'), ref.type, ref.record, ref.relation);
    expect(text).toContain('reached as Network.members of N-shared');
    expect(text).toMatch(/\[applies\] allow PII partner\.member-pii/);
  });
});
