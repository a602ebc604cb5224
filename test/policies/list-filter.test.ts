import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_TYPES, type RecordType } from '../../lib/domain.js';
import { join, raw, sql, type Sql } from '../../lib/store/sql.js';
import type { AccessRequest, ColumnMap, PolicyRecord } from '../../lib/access/decision.js';
import { assemblePolicies, createPolicyEngine, defaultPolicyEngine, parseRuleFile, REQUIRED_COLUMNS, type PolicyEngine } from '../../policies/index.js';
import { openTestStore, type TestStore } from '../support/store.js';
import { recordArbitrary, requestArbitrary } from './arbitraries.js';
import { PERSONAS, request } from './fixtures.js';

/**
 * `listFilter` must keep exactly the rows `decide` shows: run in the real database (embedded,
 * or the PostgreSQL of DATABASE_URL) over a few hundred random records per type, for every
 * persona and purpose and for random callers. The caller gets only REQUIRED_COLUMNS, which so
 * is proven enough.
 */

const engine = defaultPolicyEngine();
const PER_TYPE = 300;
const SEED = 20250601;

/** Scratch columns: one per policy attribute, named as the ColumnMap keys. */
const COLUMNS: Readonly<Record<string, { readonly ddl: string; readonly read: (record: PolicyRecord) => unknown }>> = {
  ownerOrg: { ddl: 'text NOT NULL', read: (record) => record.ownerOrg },
  ownerAgency: { ddl: 'text NOT NULL', read: (record) => record.ownerAgency },
  jurisdictions: { ddl: 'text[] NOT NULL', read: (record) => [...record.jurisdictions] },
  disseminate: { ddl: 'text[] NOT NULL', read: (record) => [...record.disseminate] },
  fromOrg: { ddl: 'text', read: (record) => attribute(record, 'fromOrg') },
  toOrg: { ddl: 'text', read: (record) => attribute(record, 'toOrg') },
  notifiableNgoOrgs: { ddl: 'text[]', read: (record) => attribute(record, 'notifiableNgoOrgs') },
  linkedOrgs: { ddl: 'text[]', read: (record) => attribute(record, 'linkedOrgs') },
  protected1367: { ddl: 'boolean', read: (record) => attribute(record, 'protected1367') },
  lastValidatedAt: { ddl: 'timestamptz', read: (record) => attribute(record, 'lastValidatedAt') },
  // A referral without consent reads NULL in every consent column, as a LEFT JOIN gives it.
  consentGrantees: { ddl: 'text[]', read: (record) => consentOf(record)?.grantees ?? null },
  consentPurposes: { ddl: 'text[]', read: (record) => consentOf(record)?.purposes ?? null },
  consentExpiresAt: { ddl: 'timestamptz', read: (record) => consentOf(record)?.expiresAt ?? null },
  consentRevokedAt: { ddl: 'timestamptz', read: (record) => consentOf(record)?.revokedAt ?? null },
};
const KEYS = Object.keys(COLUMNS);

function attribute(record: PolicyRecord, name: string): unknown {
  const value = (record as unknown as Readonly<Record<string, unknown>>)[name];
  return Array.isArray(value) ? [...(value as readonly unknown[])] : (value ?? null);
}
const consentOf = (record: PolicyRecord): PolicyRecord<'Referral'>['consent'] => ('consent' in record ? record.consent : null);

const snake = (key: string): string => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
const table = (type: RecordType): Sql => raw(`policy_scratch_${type.toLowerCase()}`);
const columnsFor = (type: RecordType): ColumnMap => Object.fromEntries(REQUIRED_COLUMNS[type].map((key) => [key, raw(`t.${snake(key)}`)]));

let testStore: TestStore;
const records = new Map<RecordType, readonly PolicyRecord[]>();

beforeAll(async () => {
  testStore = await openTestStore({ migrate: false });
  const { store } = testStore;
  for (const [index, type] of RECORD_TYPES.entries()) {
    const drawn = fc.sample(recordArbitrary(type), { numRuns: PER_TYPE, seed: SEED + index });
    const rows = drawn.map((record, i): PolicyRecord => ({ ...record, id: `${type}-${String(i).padStart(4, '0')}` }));
    records.set(type, rows);
    await store.exec(`DROP TABLE IF EXISTS ${table(type).text}; CREATE TABLE ${table(type).text} (id text PRIMARY KEY, ${KEYS.map((key) => `${snake(key)} ${COLUMNS[key]?.ddl}`).join(', ')})`);
    for (let start = 0; start < rows.length; start += 50) {
      const values = rows.slice(start, start + 50).map((record) => sql`(${record.id}, ${join(KEYS.map((key) => sql`${COLUMNS[key]?.read(record)}`))})`);
      await store.query(sql`INSERT INTO ${table(type)} (id, ${raw(KEYS.map(snake).join(', '))}) VALUES ${join(values)}`);
    }
  }
});

afterAll(async () => {
  await testStore?.close();
});

async function compare(
  type: RecordType,
  req: AccessRequest,
  policy: PolicyEngine = engine,
): Promise<{ readonly sql: readonly string[]; readonly decided: readonly string[] }> {
  const filter = policy.listFilter(req, type, columnsFor(type));
  const rows = await testStore.store.query(sql`SELECT t.id FROM ${table(type)} t WHERE ${filter} ORDER BY t.id`);
  const decided = (records.get(type) ?? []).filter((record) => policy.decide(req, type, record).visible).map((record) => record.id);
  return { sql: rows.map((row) => String(row.id)), decided: [...decided].sort() };
}

const PERSONA_REQUESTS = Object.values(PERSONAS).flatMap((who) => who.purposes.map((purpose) => request(who, purpose)));
const RANDOM_REQUESTS = fc.sample(requestArbitrary(), { numRuns: 40, seed: SEED });

describe('listFilter keeps exactly the records decide shows', () => {
  it.each(RECORD_TYPES)('for %s, for every persona and purpose', async (type) => {
    let shownSomewhere = 0;
    for (const req of PERSONA_REQUESTS) {
      const { sql: listed, decided } = await compare(type, req);
      expect(listed, `${req.principal.sub} ${req.purpose}`).toEqual(decided);
      shownSomewhere += decided.length;
    }
    // The comparison means something only if both sides of the filter occur.
    expect(shownSomewhere).toBeGreaterThan(0);
  });

  it.each(RECORD_TYPES)('for %s, for random callers and purposes', async (type) => {
    for (const req of RANDOM_REQUESTS) {
      const { sql: listed, decided } = await compare(type, req);
      expect(listed, `${JSON.stringify(req.principal)} ${req.purpose}`).toEqual(decided);
    }
  });

  it('for rules using every operator on every kind of attribute', async () => {
    const rule = (id: string, conditions: object, extra: object = {}): object => ({ id, reason: id, action: 'read', subject: 'Referral', categories: ['CORE'], conditions, ...extra });
    const rules = parseRuleFile('operators.json', {
      rules: [
        rule('op.nin', { toOrg: { $nin: ['ngo-desert-refuge', 'ngo-camino-health'] }, jurisdictions: { $nin: ['RGV', 'county:mesquite'] } }),
        rule('op.expired', { 'consent.expiresAt': { $lte: '${now}' }, 'consent.grantees': { $ne: 'CBP' } }),
        rule('op.revoked', { 'consent.revokedAt': { $ne: null }, protected1367: { $ne: true } }),
        rule('op.later', { 'consent.expiresAt': { $gte: '2025-06-15T00:00:00Z' }, ownerAgency: { $eq: 'NGO' } }),
        rule('op.before', { 'consent.revokedAt': { $lt: '${now}', $gt: '2025-05-01T00:00:00Z' } }),
        rule('op.nor', { $nor: [{ fromOrg: '${principal.org}' }, { 'consent.purposes': { $in: ['LEGAL_SERVICES', '${purpose}'] } }] }),
        rule('op.any', { $or: [{ disseminate: { $in: '${principal.jurisdictions}' } }, { ownerOrg: { $in: ['cbp-rgv', '${principal.org}'] } }] }),
        rule('op.hide', { disseminate: 'DHS', 'consent.purposes': { $nin: ['HUMANITARIAN'] } }, { inverted: true, categories: undefined }),
      ],
    });
    const custom = createPolicyEngine(assemblePolicies('operators', [{ file: 'operators.json', rules }]));
    let shown = 0;
    let hidden = 0;
    for (const req of [...PERSONA_REQUESTS, ...RANDOM_REQUESTS]) {
      const { sql: listed, decided } = await compare('Referral', req, custom);
      expect(listed, `${req.principal.sub} ${req.purpose}`).toEqual(decided);
      shown += decided.length;
      hidden += PER_TYPE - decided.length;
    }
    expect(shown).toBeGreaterThan(0);
    expect(hidden).toBeGreaterThan(0);
  });

  it('refuses a column map without a required column', () => {
    const { fromOrg: _dropped, ...partial } = columnsFor('Transfer');
    expect(() => engine.listFilter(request(PERSONAS.partnerSaguaro, 'INVESTIGATION'), 'Transfer', partial)).toThrow(/fromOrg/);
  });

  it('is FALSE for a purpose the caller does not hold', () => {
    const narrow = { ...PERSONAS.cbpAnalyst, purposes: ['INTERDICTION' as const] };
    expect(engine.listFilter(request(narrow, 'INVESTIGATION'), 'Route', columnsFor('Route')).text).toBe('FALSE');
  });

  it('binds every value as a parameter, never as SQL text', () => {
    const hostile = { ...PERSONAS.cbpAgent, org: "x'); DROP TABLE t; --", jurisdictions: ["'; --"] };
    const filter = engine.listFilter(request(hostile, 'INTERDICTION'), 'Route', columnsFor('Route'));
    expect(filter.text).not.toContain('DROP');
    expect(filter.values).toContain(hostile.org);
  });
});
