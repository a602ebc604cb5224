import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectAnomalies, median, type AnomalyFinding } from '../../subgraphs/audit/anomalies.js';
import { createAuditWriter, type AuditEntryInput, type AuditSubject } from '../../lib/audit/index.js';
import { redactionsByCategory } from '../../subgraphs/audit/summaries.js';
import { anEntry } from '../audit/entries.js';
import { FACT_COPIES_DDL } from '../../lib/facts/fresh.js';
import { loadFactsDdl } from '../../lib/store/migrate.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../audit/stores.js';

/**
 * The summaries the auditor console needs beyond the access log: anomalies (subgraphs/audit/
 * anomalies.ts) and redactions by field category (subgraphs/audit/summaries.ts), on both stores.
 */
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const range = { from: new Date(T0 - 3600_000), to: new Date(T0 + 86_400_000) };

const subject = (sub: string, agency: string, org: string): AuditSubject => ({ iss: 'tributary-dev-issuer', sub, agency, org, roles: ['analyst'] });
const cbp = (n: number): AuditSubject => subject(`analyst${n}@cbp-tucson`, 'CBP', 'cbp-tucson');
const ice = subject('officer@ice-ero-phoenix', 'ICE', 'ice-ero-phoenix');
const ngo = subject('legal@ngo-frontera-legal', 'NGO', 'ngo-frontera-legal');
const probe = subject('agent@cbp-rgv', 'CBP', 'cbp-rgv');

const reads = (who: AuditSubject, count: number, start: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput[] =>
  Array.from({ length: count }, (_, i) => anEntry({ at: at(start + i * 10), subject: who, recordId: `route-${who.sub}-${i}`, ...overrides }));

describe.each(STORE_KINDS)('anomalies in the access log on %s', (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(kind);
    const writer = createAuditWriter(t.store, { service: 'cbp' });
    const iceWriter = createAuditWriter(t.store, { service: 'ice' });
    // Four CBP analysts read 10, 12, 14 and 120 distinct routes: the last reads far more.
    await writer.append([...reads(cbp(1), 10, 0), ...reads(cbp(2), 12, 0), ...reads(cbp(3), 14, 0), ...reads(cbp(4), 120, 0)]);
    // A lone ICE officer reads 200 records: no peers at ICE, so no comparison to make.
    await iceWriter.append(reads(ice, 200, 0, { service: 'ice', recordType: 'Transfer' }));
    // An agent denied 12 times within 30 seconds (a burst), across 3 requests...
    await writer.append(
      Array.from({ length: 12 }, (_, i) =>
        anEntry({ at: at(5_000 + i * 2.5), subject: probe, decision: 'DENY', rules: ['deny-by-default'], recordId: `route-x${i}`, requestId: `req-probe-${i % 3}`, fieldsReleased: [], fieldsRedacted: ['id', 'name', 'waypoints'] }),
      ),
    );
    // ...and the NGO denied 12 times, but spread over an hour: no burst.
    await writer.append(Array.from({ length: 12 }, (_, i) => anEntry({ at: at(10_000 + i * 300), subject: ngo, decision: 'DENY', rules: ['ngo.never-enforcement-records'], fieldsReleased: [] })));
    // Eleven refused tokens in a minute: a burst without a subject.
    await writer.append(
      Array.from({ length: 11 }, (_, i) =>
        anEntry({ at: at(20_000 + i), subject: null, action: 'AUTHENTICATE', decision: 'DENY', recordType: null, recordId: null, ownerOrg: null, fieldsReleased: [], rules: [], reason: 'BAD_SIGNATURE', requestId: `req-anon-${i}` }),
      ),
    );
    // A released read with withheld fields, for the redaction summary.
    await iceWriter.append([
      anEntry({ at: at(30_000), subject: ice, service: 'ice', recordType: 'Person', recordId: 'P-9', personId: 'P-9', decision: 'PARTIAL', fieldsReleased: ['id', 'name'], fieldsRedacted: ['aNumber', 'dateOfBirth', 'protected1367'] }),
      anEntry({ at: at(30_001), subject: ice, service: 'ice', recordType: 'Transfer', recordId: 'T-9', personId: 'P-9', decision: 'PARTIAL', fieldsReleased: ['id'], fieldsRedacted: ['medicalSummary', 'noSuchField'] }),
      anEntry({ at: at(30_002), subject: ngo, service: 'ice', recordType: 'Person', recordId: 'P-9', personId: 'P-9', decision: 'ALLOW', fieldsReleased: ['id', 'protected1367'] }),
      anEntry({ at: at(30_003), subject: ice, service: 'ice', recordType: 'Person', recordId: 'P-8', personId: 'P-8', decision: 'ALLOW', fieldsReleased: ['id'] }),
    ]);
  });
  afterAll(async () => t?.dispose());

  const findings = async (kind: AnomalyFinding['kind']): Promise<AnomalyFinding[]> =>
    (await detectAnomalies(t.store, range)).filter((anomaly): anomaly is AnomalyFinding => anomaly.kind === kind);

  it('takes the median of an odd and an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('flags a subject reading over 3× the median of its agency peers, and no one else', async () => {
    const heavy = await findings('HEAVY_READER');
    expect(heavy.map((finding) => finding.subject?.sub)).toEqual([cbp(4).sub]);
    const [finding] = heavy;
    expect(finding?.count).toBe(120);
    expect(finding?.subject).toEqual({ sub: cbp(4).sub, org: 'cbp-tucson', agency: 'CBP' });
    expect(finding?.explanation).toContain('10.0× the median of its 3 peers at CBP (12)');
    expect(finding?.examples).toHaveLength(5);
    expect(finding?.examples.every((entry) => entry.subject?.sub === cbp(4).sub)).toBe(true);
  });

  it('flags ten denials within a minute, with the window, the requests and example entries', async () => {
    const bursts = await findings('DENIAL_BURST');
    const agent = bursts.find((finding) => finding.subject?.sub === probe.sub);
    expect(agent?.count).toBe(12);
    expect(agent?.firstAt).toEqual(at(5_000));
    expect(agent?.lastAt).toEqual(at(5_000 + 11 * 2.5));
    expect(agent?.explanation).toContain('across 3 requests');
    expect(agent?.examples.map((entry) => entry.decision)).toEqual(['DENY', 'DENY', 'DENY', 'DENY', 'DENY']);
    expect(bursts.some((finding) => finding.subject?.sub === ngo.sub)).toBe(false);
  });

  it('flags a burst of refused tokens, without a subject', async () => {
    const anonymous = (await findings('DENIAL_BURST')).find((finding) => finding.subject === null);
    expect(anonymous?.count).toBe(11);
    expect(anonymous?.explanation).toContain('without a valid token');
  });

  it('says it skipped the protected-person check when the records are not in the audit database', async () => {
    const all = await detectAnomalies(t.store, range);
    expect(all.at(-1)).toMatchObject({ kind: 'CHECK_SKIPPED', check: 'PROTECTED_PERSON_ACCESS' });
    expect(all.filter((anomaly) => anomaly.kind === 'PROTECTED_PERSON_ACCESS')).toEqual([]);
  });

  it("flags records about protected persons released outside an NGO, once ICE's published person facts are there", async () => {
    // ICE's facts as published in this database (issue 13: never ICE's own tables).
    await t.store.exec(FACT_COPIES_DDL);
    await t.store.exec(await loadFactsDdl('ice'));
    await t.store.exec(`INSERT INTO ice_facts.persons (id, protected1367) VALUES ('P-9', true), ('P-8', false);`);
    const all = await detectAnomalies(t.store, range);
    expect(all.some((anomaly) => anomaly.kind === 'CHECK_SKIPPED')).toBe(false);
    const protectedAccess = all.filter((anomaly): anomaly is AnomalyFinding => anomaly.kind === 'PROTECTED_PERSON_ACCESS');
    expect(protectedAccess.map((finding) => finding.subject?.sub)).toEqual([ice.sub]);
    expect(protectedAccess[0]?.count).toBe(2);
    expect(protectedAccess[0]?.examples.map((entry) => entry.recordId).sort()).toEqual(['P-9', 'T-9']);
    expect(protectedAccess[0]?.explanation).toContain('1 person protected under 8 U.S.C. 1367');
  });

  it('orders findings by kind, the largest first', async () => {
    const kinds = (await detectAnomalies(t.store, range)).map((anomaly) => anomaly.kind);
    expect(kinds).toEqual(['HEAVY_READER', 'DENIAL_BURST', 'DENIAL_BURST', 'PROTECTED_PERSON_ACCESS']);
  });

  it('finds nothing outside the time range', async () => {
    await expect(detectAnomalies(t.store, { from: new Date(T0 + 2 * 86_400_000), to: new Date(T0 + 3 * 86_400_000) })).resolves.toEqual([]);
  });

  it('counts withheld fields per category, released records apart from denied ones', async () => {
    const categories = await redactionsByCategory(t.store, range);
    const byCategory = Object.fromEntries(categories.map((row) => [row.category, row]));
    expect(byCategory['PII']).toEqual({ category: 'PII', fromReleasedRecords: 2, fromDeniedRecords: 0, redactions: 2 });
    expect(byCategory['CORE']).toMatchObject({ fromReleasedRecords: 1, fromDeniedRecords: 12 + 12 });
    expect(byCategory['TACTICAL']).toMatchObject({ fromReleasedRecords: 0, fromDeniedRecords: 12 });
    expect(byCategory['MEDICAL']).toMatchObject({ fromReleasedRecords: 1 });
    expect(byCategory['UNCLASSIFIED']).toMatchObject({ fromReleasedRecords: 1 });
    expect(categories[0]?.category).toBe('CORE');
  });
});
