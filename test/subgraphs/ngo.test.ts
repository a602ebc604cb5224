import { beforeAll, describe, expect, it } from 'vitest';
import type { Agency, Purpose } from '../../lib/domain.js';
import { raw, sql, type Sql, type Store } from '../../lib/store/index.js';
import type { AccessRequest, PolicyRecord } from '../../lib/access/decision.js';
import { ngoSubgraph } from '../../subgraphs/ngo/index.js';
import { referralColumns } from '../../subgraphs/ngo/records.js';
import {
  errorCodes,
  nodeIds,
  testCaller,
  testDecisions,
  useSubgraphHarness,
  WRITES_REFUSED,
  type Caller,
  type ConnectionPage,
  type TestPolicy,
} from '../support/subgraph-harness.js';

// ---- A tiny consent-aware policy, run by the harness with its in-memory audit log
// (test/support/subgraph-harness.ts): the subgraph, not the engine, is under test.
//
// Persons (named by createReferral): those the caller's org is linked to (linkedOrgs), as rules
// 2-4 decide. Referrals: the sending and receiving orgs see them; anyone else only under an active consent
// naming their agency or org for the request's purpose; enforcement agencies never see a
// protected (1367) person's referral. Providers: visible when disseminated at all, else to the
// owner. Its SQL filter says the same, through the subgraph's ColumnMap, so any column the
// subgraph gets wrong shows up as a difference between lists and reads by id.

const ENFORCEMENT: readonly Agency[] = ['CBP', 'ICE', 'PARTNER'];

function referralVisible(request: AccessRequest, referral: PolicyRecord<'Referral'>): boolean {
  const { principal, purpose, now } = request;
  if (referral.protected1367 && ENFORCEMENT.includes(principal.agency)) return false;
  if (principal.org === referral.fromOrg || principal.org === referral.toOrg) return true;
  const consent = referral.consent;
  return (
    consent !== null &&
    consent.revokedAt === null &&
    (consent.expiresAt === null || consent.expiresAt > now) &&
    (consent.grantees.includes(principal.agency) || consent.grantees.includes(principal.org)) &&
    consent.purposes.includes(purpose)
  );
}

const testPolicy: TestPolicy = (options) => {
  const decision = testDecisions(options, { rule: 'test.rule', shown: 'visible under the test policy', hidden: 'not visible under the test policy' });
  return {
    decide(request, type, record) {
      if (type === 'Referral') return decision(type, referralVisible(request, record as PolicyRecord<'Referral'>));
      if (type === 'Provider') return decision(type, record.disseminate.length > 0 || record.ownerOrg === request.principal.org);
      if (type === 'Person') return decision(type, (record as PolicyRecord<'Person'>).linkedOrgs.includes(request.principal.org));
      return decision(type, false);
    },
    listFilter(request, type, columns) {
      const column = (name: string): Sql => {
        const expression = columns[name];
        if (!expression) throw new Error(`listFilter needs a ${name} column for ${type}`);
        return expression;
      };
      const { principal, purpose, now } = request;
      if (type === 'Provider') return sql`(cardinality(${column('disseminate')}) > 0 OR ${column('ownerOrg')} = ${principal.org})`;
      if (type === 'Person') return sql`${principal.org} = ANY(${column('linkedOrgs')})`;
      if (type !== 'Referral') return raw('FALSE');
      const party = sql`(${column('fromOrg')} = ${principal.org} OR ${column('toOrg')} = ${principal.org})`;
      const consented = sql`(${column('consentRevokedAt')} IS NULL
        AND (${column('consentExpiresAt')} IS NULL OR ${column('consentExpiresAt')} > ${now})
        AND (${principal.agency} = ANY(${column('consentGrantees')}) OR ${principal.org} = ANY(${column('consentGrantees')}))
        AND ${purpose} = ANY(${column('consentPurposes')}))`;
      const shown = sql`(${party} OR ${consented})`;
      return ENFORCEMENT.includes(principal.agency) ? sql`(NOT ${column('protected1367')} AND ${shown})` : shown;
    },
    canWrite(request, action, type, record) {
      if (options.readOnly) return WRITES_REFUSED;
      if (action === 'createReferral') return { allowed: true, rule: 'test.write', reason: 'anyone refers' };
      const holder = type === 'Referral' && (record as PolicyRecord<'Referral'>).toOrg === request.principal.org;
      return { allowed: holder, rule: 'test.write', reason: holder ? 'the holding NGO' : 'not the holding NGO' };
    },
    canReadAuditLog: () => ({ allowed: false, rule: 'test.rule', reason: 'no audit log here' }),
  };
};

const caller = (agency: Agency, org: string, jurisdictions: readonly string[], purpose: Purpose): Caller =>
  testCaller({ agency, org, roles: agency === 'NGO' ? ['caseworker'] : ['agent'], jurisdictions, cfr28: false, sworn: agency !== 'NGO' }, purpose);
const CBP = caller('CBP', 'cbp-tucson', ['TUCSON'], 'RELEASE_COORDINATION');
const ICE = caller('ICE', 'ice-ero-phoenix', ['TUCSON'], 'RELEASE_COORDINATION');
const MESQUITE = caller('PARTNER', 'partner-mesquite-so', ['county:mesquite', 'RGV'], 'RELEASE_COORDINATION');
const REFUGE = caller('NGO', 'ngo-desert-refuge', ['TUCSON', 'RGV'], 'HUMANITARIAN');
const LEGAL = caller('NGO', 'ngo-frontera-legal', ['TUCSON', 'RGV'], 'LEGAL_SERVICES');
const CAMINO = caller('NGO', 'ngo-camino-health', ['TUCSON', 'EL_PASO'], 'HUMANITARIAN');

const NOW = new Date('2026-06-01T12:00:00.000Z');

const harness = useSubgraphHarness(ngoSubgraph, { now: NOW, policy: testPolicy, seed });
const { run } = harness;

const count = async (table: 'ngo.referrals' | 'ngo.consents'): Promise<number> =>
  Number((await harness.store.query(sql`SELECT count(*)::int AS n FROM ${raw(table)}`))[0]?.n);
const referralRow = async (id: string) => (await harness.store.query(sql`SELECT status, updated_at FROM ngo.referrals WHERE id = ${id}`))[0];
const consentRow = async (id: string) => (await harness.store.query(sql`SELECT * FROM ngo.consents WHERE referral_id = ${id}`))[0];

// ---- Fixture: persons (ICE's table), providers, referrals and consents.

interface ReferralFixture {
  readonly id: string;
  readonly personId: string;
  readonly fromOrg: string;
  readonly toOrg: string;
  readonly service: string;
  readonly status: string;
  readonly providerId?: string | null;
  readonly notes?: string | null;
}

interface ConsentFixture {
  readonly grantees: readonly string[];
  readonly purposes: readonly Purpose[];
  readonly notifyTransfers?: boolean;
  readonly expiresAt?: Date | null;
  readonly revokedAt?: Date | null;
}

const GRANTED_AT = new Date('2026-05-20T09:00:00.000Z');

async function insertReferral(referral: ReferralFixture, consent?: ConsentFixture): Promise<void> {
  const { store } = harness;
  await store.query(sql`INSERT INTO ngo.referrals (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at,
    updated_at, person_id, from_org, to_org, service, status, provider_id, notes, circumstances)
    VALUES (${referral.id}, ${referral.toOrg}, 'NGO', 'SENSITIVE', ARRAY['TUCSON']::text[], '{}'::text[], ${GRANTED_AT}, ${GRANTED_AT},
    ${referral.personId}, ${referral.fromOrg}, ${referral.toOrg}, ${referral.service}, ${referral.status}, ${referral.providerId ?? null},
    ${referral.notes ?? null}, ${referral.notes ? 'Circumstances of the client' : null})`);
  if (consent) {
    await store.query(sql`INSERT INTO ngo.consents (referral_id, grantees, purposes, notify_transfers, granted_at, expires_at, revoked_at)
      VALUES (${referral.id}, ${[...consent.grantees]}::text[], ${[...consent.purposes]}::text[], ${consent.notifyTransfers ?? false},
      ${GRANTED_AT}, ${consent.expiresAt ?? null}, ${consent.revokedAt ?? null})`);
  }
}

/**
 * P-000002 is a protected (1367) person. PV-0005 is disseminated to no one (Camino's only).
 * RF-000001: CBP's referral to the shelter, consent to CBP active. RF-000002: to legal aid,
 * consent revoked. RF-000003: the protected person's, consent to CBP active. RF-000004:
 * shelter to clinic, consent expired. RF-000005..RF-000015: a partner's, without consent.
 * B-000001: the Mesquite sheriff's booking of P-000003, which links that office to the person.
 */
async function seed(store: Store): Promise<void> {
  for (const [id, protected1367] of [['P-000001', false], ['P-000002', true], ['P-000003', false]] as const) {
    await store.query(sql`INSERT INTO ice.persons (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, name, protected1367)
      VALUES (${id}, 'ice-ero-phoenix', 'ICE', 'SENSITIVE', ARRAY['TUCSON']::text[], ARRAY['DHS']::text[], ${`Person ${id}`}, ${protected1367})`);
  }
  const everyone = ['DHS', 'PARTNER', 'NGO'];
  const providers = [
    ['PV-0001', 'ngo-desert-refuge', 'TUCSON', ['SHELTER', 'CHILD_WELFARE', 'TRANSPORT'], 120, 14, everyone],
    ['PV-0002', 'ngo-desert-refuge', 'RGV', ['SHELTER'], 60, 0, everyone],
    ['PV-0003', 'ngo-frontera-legal', 'TUCSON', ['LEGAL', 'TRAFFICKING_SUPPORT'], 80, 0, everyone],
    ['PV-0004', 'ngo-camino-health', 'EL_PASO', ['MEDICAL'], 30, 3, everyone],
    ['PV-0005', 'ngo-camino-health', 'TUCSON', ['MEDICAL'], 20, 2, []],
  ] as const;
  for (const [id, org, sector, services, capacity, beds, disseminate] of providers) {
    await store.query(sql`INSERT INTO ngo.providers (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at,
      updated_at, name, services, sector, capacity, beds_available)
      VALUES (${id}, ${org}, 'NGO', 'UNCLASSIFIED', ${[sector]}::text[], ${[...disseminate]}::text[], ${GRANTED_AT}, ${GRANTED_AT},
      ${`Site ${id}`}, ${[...services]}::text[], ${sector}, ${capacity}, ${beds})`);
  }
  await insertReferral(
    { id: 'RF-000001', personId: 'P-000001', fromOrg: 'cbp-tucson', toOrg: 'ngo-desert-refuge', service: 'SHELTER', status: 'OPEN', providerId: 'PV-0001', notes: 'Family of four' },
    { grantees: ['CBP'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: true, expiresAt: new Date('2026-09-01T00:00:00Z') },
  );
  await insertReferral(
    { id: 'RF-000002', personId: 'P-000001', fromOrg: 'cbp-rgv', toOrg: 'ngo-frontera-legal', service: 'LEGAL', status: 'ACCEPTED', providerId: 'PV-0003' },
    { grantees: ['ICE', 'cbp-tucson'], purposes: ['RELEASE_COORDINATION'], revokedAt: new Date('2026-05-25T10:00:00Z') },
  );
  await insertReferral(
    { id: 'RF-000003', personId: 'P-000002', fromOrg: 'cbp-tucson', toOrg: 'ngo-frontera-legal', service: 'TRAFFICKING_SUPPORT', status: 'IN_PROGRESS', providerId: 'PV-0003' },
    { grantees: ['CBP'], purposes: ['RELEASE_COORDINATION'] },
  );
  await insertReferral(
    { id: 'RF-000004', personId: 'P-000003', fromOrg: 'ngo-desert-refuge', toOrg: 'ngo-camino-health', service: 'MEDICAL', status: 'CLOSED', providerId: 'PV-0004' },
    { grantees: ['cbp-tucson'], purposes: ['RELEASE_COORDINATION'], expiresAt: new Date('2026-05-30T00:00:00Z') },
  );
  await insertReferral({ id: 'RF-000005', personId: 'P-000003', fromOrg: 'partner-saguaro-so', toOrg: 'ngo-desert-refuge', service: 'TRANSPORT', status: 'OPEN' });
  for (let i = 6; i <= 15; i += 1) {
    await insertReferral({
      id: `RF-${String(i).padStart(6, '0')}`,
      personId: 'P-000003',
      fromOrg: 'partner-saguaro-so',
      toOrg: 'ngo-desert-refuge',
      service: i % 2 === 0 ? 'TRANSPORT' : 'SHELTER',
      status: 'ACCEPTED',
      providerId: 'PV-0001',
    });
  }
  // The Mesquite sheriff's booking of P-000003: the link that lets it refer that person (linkedOrgs).
  await store.query(sql`INSERT INTO partner.bookings (id, owner_org, owner_agency, sensitivity, person_id, county, booked_at, detainer_status)
    VALUES ('B-000001', 'partner-mesquite-so', 'PARTNER', 'LAW_ENFORCEMENT_SENSITIVE', 'P-000003', 'county:mesquite', ${GRANTED_AT}, 'NONE')`);
}

describe('the NGO subgraph, giving the policy its facts', () => {
  it('maps every Referral policy attribute to SQL', () => {
    expect(Object.keys(referralColumns())).toEqual(
      expect.arrayContaining([
        'ownerAgency',
        'ownerOrg',
        'jurisdictions',
        'disseminate',
        'personId',
        'fromOrg',
        'toOrg',
        'protected1367',
        'consentGrantees',
        'consentPurposes',
        'consentNotifyTransfers',
        'consentExpiresAt',
        'consentRevokedAt',
      ]),
    );
  });

  it('hands the engine the person\'s 1367 status and the consent row with each referral', async () => {
    const facts: PolicyRecord<'Referral'>[] = [];
    const { loaders } = harness.request(LEGAL, {
      policy: (engine) => ({
        ...engine,
        decide: (req, type, record, relation) => {
          facts.push(record as PolicyRecord<'Referral'>);
          return engine.decide(req, type, record, relation);
        },
      }),
    }).context;
    await Promise.all(['RF-000002', 'RF-000003'].map((id) => loaders.referral.load({ id, fields: ['id'] })));
    expect(facts).toMatchObject([
      { id: 'RF-000002', personId: 'P-000001', fromOrg: 'cbp-rgv', toOrg: 'ngo-frontera-legal', ownerAgency: 'NGO', protected1367: false,
        consent: { grantees: ['ICE', 'cbp-tucson'], purposes: ['RELEASE_COORDINATION'], notifyTransfers: false, expiresAt: null, revokedAt: new Date('2026-05-25T10:00:00Z') } },
      { id: 'RF-000003', personId: 'P-000002', protected1367: true, consent: { grantees: ['CBP'], revokedAt: null } },
    ]);
  });
});

describe('the NGO subgraph, reading one referral', () => {
  const full = `query($id: ID!) { referral(id: $id) {
    id ownerOrg ownerAgency sensitivity jurisdictions disseminate createdAt fromOrg toOrg service status notes circumstances
    person { id } provider { id name sector bedsAvailable }
    consent { grantees purposes notifyTransfers grantedAt expiresAt revokedAt active } } }`;

  it('returns a visible referral with its person as a bare reference, its provider and its consent, and audits both records', async () => {
    const { result, audit } = await run(REFUGE, full, { id: 'RF-000001' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.referral).toEqual({
      id: 'RF-000001',
      ownerOrg: 'ngo-desert-refuge',
      ownerAgency: 'NGO',
      sensitivity: 'SENSITIVE',
      jurisdictions: ['TUCSON'],
      disseminate: [],
      createdAt: '2026-05-20T09:00:00.000Z',
      fromOrg: 'cbp-tucson',
      toOrg: 'ngo-desert-refuge',
      service: 'SHELTER',
      status: 'OPEN',
      notes: 'Family of four',
      circumstances: 'Circumstances of the client',
      person: { id: 'P-000001' },
      provider: { id: 'PV-0001', name: 'Site PV-0001', sector: 'TUCSON', bedsAvailable: 14 },
      consent: {
        grantees: ['CBP'],
        purposes: ['RELEASE_COORDINATION'],
        notifyTransfers: true,
        grantedAt: '2026-05-20T09:00:00.000Z',
        expiresAt: '2026-09-01T00:00:00.000Z',
        revokedAt: null,
        active: true,
      },
    });
    expect(audit.entries.map((entry) => [entry.recordType, entry.recordId, entry.decision, entry.personId])).toEqual([
      ['Referral', 'RF-000001', 'ALLOW', 'P-000001'],
      ['Provider', 'PV-0001', 'ALLOW', null],
    ]);
  });

  it('shows the sender and a consented agency the referral, and reads the others as null with the denial audited', async () => {
    const query = `{ a: referral(id: "RF-000001") { id status } b: referral(id: "RF-000002") { id }
      c: referral(id: "RF-000003") { id } d: referral(id: "RF-000004") { id } }`;
    const { result, audit } = await run(CBP, query);
    // RF-000002: consent revoked; RF-000003: a protected person's, though CBP sent it; RF-000004: consent expired.
    expect(result).toEqual({ data: { a: { id: 'RF-000001', status: 'OPEN' }, b: null, c: null, d: null } });
    expect(audit.entries.map((entry) => [entry.recordId, entry.decision])).toEqual([
      ['RF-000001', 'ALLOW'],
      ['RF-000002', 'DENY'],
      ['RF-000003', 'DENY'],
      ['RF-000004', 'DENY'],
    ]);
    expect((await run(LEGAL, `{ referral(id: "RF-000003") { id } }`)).result.data).toEqual({ referral: { id: 'RF-000003' } });
  });

  it('reads unknown and malformed ids as null', async () => {
    for (const id of ['RF-999999', "RF-1' OR 1=1 --", 'x'.repeat(300)]) {
      const { result } = await run(REFUGE, `query($id: ID!) { referral(id: $id) { id } }`, { id });
      expect(result).toEqual({ data: { referral: null } });
    }
  });

  it('judges consent active at the request\'s time: revoked, expired, lapsed later, or absent', async () => {
    const consent = `query($id: ID!) { referral(id: $id) { consent { revokedAt expiresAt active } } }`;
    const read = async (who: Caller, id: string, now?: Date) =>
      (await run(who, consent, { id }, now ? { now } : {})).result.data?.referral as { consent: unknown };
    expect((await read(LEGAL, 'RF-000002')).consent).toEqual({ revokedAt: '2026-05-25T10:00:00.000Z', expiresAt: null, active: false });
    expect((await read(REFUGE, 'RF-000004')).consent).toEqual({ revokedAt: null, expiresAt: '2026-05-30T00:00:00.000Z', active: false });
    expect((await read(REFUGE, 'RF-000001')).consent).toMatchObject({ active: true });
    expect((await read(REFUGE, 'RF-000001', new Date('2026-09-01T00:00:01Z'))).consent).toMatchObject({ active: false });
    expect((await read(REFUGE, 'RF-000005')).consent).toBeNull();
  });

  it('withholds a field the decision denies: null, REDACTED with the rule, the other fields intact', async () => {
    const { result } = await run(REFUGE, `{ referral(id: "RF-000001") { id status notes } }`, {}, { withheld: ['Referral.notes'] });
    expect(result.data?.referral).toEqual({ id: 'RF-000001', status: 'OPEN', notes: null });
    expect(result.errors?.map((error) => ({ path: error.path, ...error.extensions }))).toEqual([
      { path: ['referral', 'notes'], code: 'REDACTED', rule: 'test.withheld' },
    ]);
  });
});

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `RF-${String(from + i).padStart(6, '0')}`);

describe('the NGO subgraph, listing referrals', () => {
  const referrals = `query($filter: ReferralFilter, $first: Int, $after: String) {
    referrals(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
  const page = async (variables: Record<string, unknown>, who: Caller = REFUGE): Promise<ConnectionPage> => {
    const { result, audit } = await run(who, referrals, variables);
    expect(result.errors).toBeUndefined();
    // The policy's SQL narrowed the list: nothing was read only to be denied.
    expect(audit.entries.filter((entry) => entry.decision !== 'ALLOW')).toEqual([]);
    return result.data?.referrals as ConnectionPage;
  };

  it('pages through visible referrals only, by cursor, with totalCount of visible records', async () => {
    const first = await page({ first: 5 });
    expect(first.totalCount).toBe(13);
    expect(nodeIds(first)).toEqual(['RF-000001', 'RF-000004', 'RF-000005', 'RF-000006', 'RF-000007']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page({ first: 10, after: first.pageInfo.endCursor });
    expect(nodeIds(second)).toEqual(range(8, 15));
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('lists for each caller exactly what it reads by id: consent, revocation, expiry and 1367 judged in SQL', async () => {
    expect(nodeIds(await page({}, CBP))).toEqual(['RF-000001']);
    expect((await page({}, CBP)).totalCount).toBe(1);
    expect(nodeIds(await page({}, ICE))).toEqual([]);
    expect(nodeIds(await page({}, LEGAL))).toEqual(['RF-000002', 'RF-000003']);
  });

  it('filters referrals by status, service, person, sending and receiving org', async () => {
    expect(nodeIds(await page({ filter: { status: 'OPEN' } }))).toEqual(['RF-000001', 'RF-000005']);
    expect(nodeIds(await page({ filter: { service: 'TRANSPORT' } }))).toEqual(['RF-000005', 'RF-000006', 'RF-000008', 'RF-000010', 'RF-000012', 'RF-000014']);
    expect(nodeIds(await page({ filter: { personId: 'P-000001' } }))).toEqual(['RF-000001']);
    expect((await page({ filter: { fromOrg: 'partner-saguaro-so', service: 'SHELTER', status: 'ACCEPTED' } })).totalCount).toBe(5);
    expect(nodeIds(await page({ filter: { toOrg: 'ngo-camino-health' } }))).toEqual(['RF-000004']);
    expect((await page({ filter: { status: 'DECLINED' } })).totalCount).toBe(0);
  });

  it('refuses a foreign cursor and a page larger than 500', async () => {
    expect(errorCodes((await run(REFUGE, referrals, { after: 'not-a-cursor' })).result)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes((await run(REFUGE, referrals, { first: 501 })).result)).toEqual(['OPERATION_LIMIT']);
  });
});

describe('the NGO subgraph, listing providers', () => {
  const providers = `query($filter: ProviderFilter, $first: Int, $after: String) {
    providers(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
  const page = async (variables: Record<string, unknown>, who: Caller = CBP): Promise<ConnectionPage> => {
    const { result } = await run(who, providers, variables);
    expect(result.errors).toBeUndefined();
    return result.data?.providers as ConnectionPage;
  };

  it('pages through visible providers; one disseminated to no one only its owner sees', async () => {
    const first = await page({ first: 2 });
    expect(nodeIds(first)).toEqual(['PV-0001', 'PV-0002']);
    expect([first.totalCount, first.pageInfo.hasNextPage]).toEqual([4, true]);
    expect(nodeIds(await page({ after: first.pageInfo.endCursor }))).toEqual(['PV-0003', 'PV-0004']);
    expect((await page({}, CAMINO)).totalCount).toBe(5);
  });

  it('filters providers by sector, service and beds available', async () => {
    expect(nodeIds(await page({ filter: { sector: 'TUCSON' } }))).toEqual(['PV-0001', 'PV-0003']);
    expect(nodeIds(await page({ filter: { sector: 'TUCSON' } }, CAMINO))).toEqual(['PV-0001', 'PV-0003', 'PV-0005']);
    expect(nodeIds(await page({ filter: { service: 'SHELTER' } }))).toEqual(['PV-0001', 'PV-0002']);
    expect(nodeIds(await page({ filter: { hasBeds: true } }))).toEqual(['PV-0001', 'PV-0004']);
    expect(nodeIds(await page({ filter: { hasBeds: false, sector: 'RGV' } }))).toEqual(['PV-0002']);
  });
});

describe('the NGO subgraph, contributing to other subgraphs\' entities', () => {
  const entities = `query($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on Person { id referrals { id service } }
    ... on Route { id providers { id } }
    ... on Referral { id status }
    ... on Provider { id name }
  } }`;

  it('gives persons their visible referrals, in one query and one audit append for the batch', async () => {
    const representations = ['P-000001', 'P-000002', 'P-000003'].map((id) => ({ __typename: 'Person', id }));
    const cbp = await run(CBP, entities, { representations });
    expect(cbp.result.errors).toBeUndefined();
    expect(cbp.result.data?._entities).toEqual([
      { id: 'P-000001', referrals: [{ id: 'RF-000001', service: 'SHELTER' }] },
      { id: 'P-000002', referrals: [] },
      { id: 'P-000003', referrals: [] },
    ]);
    expect([cbp.roundTrips, cbp.audit.appends.length]).toEqual([1, 1]);
    const legal = await run(LEGAL, entities, { representations });
    expect(legal.result.data?._entities).toEqual([
      { id: 'P-000001', referrals: [{ id: 'RF-000002', service: 'LEGAL' }] },
      { id: 'P-000002', referrals: [{ id: 'RF-000003', service: 'TRAFFICKING_SUPPORT' }] },
      { id: 'P-000003', referrals: [] },
    ]);
  });

  it('gives a route the visible providers of the sector it arrives with (@requires), none without one', async () => {
    const representations = [
      { __typename: 'Route', id: 'R-000001', sector: 'TUCSON' },
      { __typename: 'Route', id: 'R-000002', sector: 'TUCSON' },
      { __typename: 'Route', id: 'R-000003', sector: 'RGV' },
      { __typename: 'Route', id: 'R-000004', sector: null },
      { __typename: 'Route', id: 'R-000005', sector: 'SAN_DIEGO' },
    ];
    const { result, roundTrips, audit } = await run(CBP, entities, { representations });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      { id: 'R-000001', providers: [{ id: 'PV-0001' }, { id: 'PV-0003' }] },
      { id: 'R-000002', providers: [{ id: 'PV-0001' }, { id: 'PV-0003' }] },
      { id: 'R-000003', providers: [{ id: 'PV-0002' }] },
      { id: 'R-000004', providers: [] },
      { id: 'R-000005', providers: [] },
    ]);
    expect([roundTrips, audit.appends.length]).toEqual([1, 1]);
    const camino = await run(CAMINO, entities, { representations: representations.slice(0, 1) });
    expect(camino.result.data?._entities).toEqual([{ id: 'R-000001', providers: [{ id: 'PV-0001' }, { id: 'PV-0003' }, { id: 'PV-0005' }] }]);
  });

  it('resolves Referral and Provider references through the funnel: invisible ones read as null', async () => {
    const { result } = await run(CBP, entities, {
      representations: [
        { __typename: 'Referral', id: 'RF-000001' },
        { __typename: 'Referral', id: 'RF-000003' },
        { __typename: 'Provider', id: 'PV-0005' },
        { __typename: 'Provider', id: 'PV-0004' },
      ],
    });
    expect(result.data?._entities).toEqual([{ id: 'RF-000001', status: 'OPEN' }, null, null, { id: 'PV-0004', name: 'Site PV-0004' }]);
  });
});

describe('the NGO subgraph, batching', () => {
  const slim = `query($first: Int) { referrals(first: $first) { edges { node { id status person { id } consent { active } } } } }`;
  const rich = `query($first: Int) { referrals(first: $first) { totalCount edges { node { id notes provider { id bedsAvailable } } } } }`;

  it('serves a page of N referrals in one SQL round trip and one audit append, whatever N', async () => {
    const small = await run(REFUGE, slim, { first: 2 });
    const large = await run(REFUGE, slim, { first: 13 });
    expect(large.result.errors).toBeUndefined();
    expect((large.result.data?.referrals as { edges: unknown[] }).edges).toHaveLength(13);
    expect([small.roundTrips, small.audit.appends.length]).toEqual([1, 1]);
    expect([large.roundTrips, large.audit.appends.length]).toEqual([1, 1]);
  });

  it('adds one round trip and one append for the providers of the whole page, and one for the count', async () => {
    const small = await run(REFUGE, rich, { first: 2 });
    const large = await run(REFUGE, rich, { first: 13 });
    expect(large.result.errors).toBeUndefined();
    expect([small.roundTrips, small.audit.appends.length]).toEqual([3, 2]);
    expect([large.roundTrips, large.audit.appends.length]).toEqual([3, 2]);
  });
});

// ---- Writes (rule 9). Each test works on referrals of its own.

const referralFields = `id ownerOrg ownerAgency sensitivity jurisdictions disseminate createdAt updatedAt fromOrg toOrg service status notes
  person { id } provider { id } consent { grantees purposes notifyTransfers grantedAt expiresAt revokedAt active }`;

describe('the NGO subgraph, creating a referral', () => {
  const create = `mutation($input: CreateReferralInput!) { createReferral(input: $input) { ${referralFields} } }`;
  const valid = { personId: 'P-000001', toOrg: 'ngo-desert-refuge', service: 'SHELTER', notes: '  Mother and two children  ' };

  it('lets any agency refer to an NGO: held by the NGO, sent by the caller, OPEN, without consent, at a site in the caller\'s sector', async () => {
    const before = await count('ngo.referrals');
    const { result, audit } = await run(CBP, create, { input: valid });
    expect(result.errors).toBeUndefined();
    const referral = result.data?.createReferral as { id: string };
    expect(referral).toEqual({
      id: expect.stringMatching(/^RF-/),
      ownerOrg: 'ngo-desert-refuge',
      ownerAgency: 'NGO',
      sensitivity: 'SENSITIVE',
      jurisdictions: ['TUCSON'],
      disseminate: [],
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      fromOrg: 'cbp-tucson',
      toOrg: 'ngo-desert-refuge',
      service: 'SHELTER',
      status: 'OPEN',
      notes: 'Mother and two children',
      person: { id: 'P-000001' },
      provider: { id: 'PV-0001' },
      consent: null,
    });
    expect(await count('ngo.referrals')).toBe(before + 1);
    expect(await consentRow(referral.id)).toBeUndefined();
    expect(audit.entries.filter((entry) => entry.recordType === 'Referral').map((entry) => [entry.action, entry.decision, entry.personId])).toEqual([
      ['WRITE', 'ALLOW', 'P-000001'],
      ['READ', 'ALLOW', 'P-000001'],
    ]);
    const held = await run(REFUGE, `query($id: ID!) { referral(id: $id) { id fromOrg notes } }`, { id: referral.id });
    expect(held.result.data?.referral).toEqual({ id: referral.id, fromOrg: 'cbp-tucson', notes: 'Mother and two children' });
  });

  it('places the referral at the NGO\'s site in the sender\'s sector', async () => {
    const { result } = await run(MESQUITE, create, { input: { personId: 'P-000003', toOrg: 'ngo-desert-refuge', service: 'SHELTER' } });
    expect(result.errors).toBeUndefined();
    expect(result.data?.createReferral).toMatchObject({ jurisdictions: ['RGV'], provider: { id: 'PV-0002' }, notes: null, fromOrg: 'partner-mesquite-so' });
  });

  it.each([
    ['an unknown person', { personId: 'P-999999' }, 'personId'],
    ['a person the caller cannot read (no link of its org)', { personId: 'P-000003' }, 'personId'],
    ['an injection-shaped person id', { personId: "P-1' OR '1'='1" }, 'personId'],
    ['an org that is not an NGO', { toOrg: 'cbp-tucson' }, 'toOrg'],
    ['an NGO-looking org that runs no service sites', { toOrg: 'ngo-nowhere' }, 'toOrg'],
    ['a malformed org id', { toOrg: 'Desert Refuge!' }, 'toOrg'],
    ['a service the NGO does not offer', { service: 'LEGAL' }, 'service'],
    ['overlong notes', { notes: 'n'.repeat(4001) }, 'notes'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_, change, argument) => {
    const before = await count('ngo.referrals');
    const { result, audit } = await run(CBP, create, { input: { ...valid, ...change } });
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument }]);
    expect(await count('ngo.referrals')).toBe(before);
    expect(audit.entries).toEqual([]);
  });

  it('answers a person the caller cannot read exactly as an unknown one (SPEC 5: writes are no oracle)', async () => {
    const hidden = await run(CBP, create, { input: { ...valid, personId: 'P-000003' } });
    const unknown = await run(CBP, create, { input: { ...valid, personId: 'P-999999' } });
    expect(hidden.result.errors?.[0]?.message).toBe('Person P-000003 was not found');
    expect(unknown.result.errors?.[0]?.message).toBe('Person P-999999 was not found');
    expect(hidden.result.errors?.[0]?.extensions).toEqual(unknown.result.errors?.[0]?.extensions);
  });

  it('refuses an NGO referring to itself (it could then read transfers by its own consent) and writes nothing', async () => {
    const before = await count('ngo.referrals');
    const { result, audit } = await run(REFUGE, create, { input: { personId: 'P-000003', toOrg: 'ngo-desert-refuge', service: 'SHELTER' } });
    expect(result.errors?.map((error) => [error.message, error.extensions])).toEqual([
      ['toOrg is your own org: a referral goes to another NGO', { code: 'BAD_USER_INPUT', argument: 'toOrg' }],
    ]);
    expect(await count('ngo.referrals')).toBe(before);
    expect(audit.entries).toEqual([]);
  });

  it('refuses a referral that would lie outside the sender\'s jurisdictions as FORBIDDEN, audited, and writes nothing', async () => {
    const before = await count('ngo.referrals');
    // Frontera Legal serves LEGAL only in TUCSON; the Mesquite sheriff works in RGV.
    const { result, audit } = await run(MESQUITE, create, { input: { personId: 'P-000003', toOrg: 'ngo-frontera-legal', service: 'LEGAL' } });
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'FORBIDDEN', rule: 'writes.own-jurisdictions' }]);
    expect(await count('ngo.referrals')).toBe(before);
    expect(audit.entries).toMatchObject([{ action: 'WRITE', recordType: 'Referral', decision: 'DENY', rules: ['writes.own-jurisdictions'] }]);
  });

  it('says what the NGO offers when the service does not fit', async () => {
    const { result } = await run(CBP, create, { input: { ...valid, service: 'LEGAL' } });
    expect(result.errors?.[0]?.message).toBe('ngo-desert-refuge does not offer LEGAL; it offers CHILD_WELFARE, SHELTER, TRANSPORT');
  });

  it('asks the policy (rule 9) and writes nothing when it refuses', async () => {
    const before = await count('ngo.referrals');
    const { result, audit } = await run(CBP, create, { input: valid }, { readOnly: true });
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(await count('ngo.referrals')).toBe(before);
    expect(audit.entries).toMatchObject([{ action: 'WRITE', recordType: 'Referral', decision: 'DENY', personId: 'P-000001', ownerOrg: 'ngo-desert-refuge' }]);
  });

  it('saves a protected person\'s referral for the NGO but shows the sender nothing of it, not even the rule', async () => {
    const before = await count('ngo.referrals');
    const { result } = await run(CBP, create, { input: { ...valid, personId: 'P-000002' } });
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'REDACTED' }]);
    expect(await count('ngo.referrals')).toBe(before + 1);
    const held = await run(REFUGE, `{ referrals(filter: { personId: "P-000002" }) { edges { node { sensitivity fromOrg } } } }`);
    expect(held.result.data?.referrals).toEqual({ edges: [{ node: { sensitivity: 'RESTRICTED', fromOrg: 'cbp-tucson' } }] });
  });
});

describe('the NGO subgraph, updating a referral\'s status', () => {
  const update = `mutation($id: ID!, $status: ReferralStatus!) { updateReferralStatus(id: $id, status: $status) { id status updatedAt } }`;
  const LATER = new Date('2026-06-02T08:00:00.000Z');

  beforeAll(async () => {
    await insertReferral({ id: 'RF-000100', personId: 'P-000003', fromOrg: 'cbp-tucson', toOrg: 'ngo-desert-refuge', service: 'SHELTER', status: 'OPEN' });
    await insertReferral({ id: 'RF-000101', personId: 'P-000003', fromOrg: 'cbp-tucson', toOrg: 'ngo-desert-refuge', service: 'SHELTER', status: 'OPEN' });
  });

  it('lets the holding NGO move a referral OPEN → ACCEPTED → IN_PROGRESS → CLOSED', async () => {
    for (const status of ['ACCEPTED', 'IN_PROGRESS', 'CLOSED']) {
      const { result, audit } = await run(REFUGE, update, { id: 'RF-000100', status }, { now: LATER });
      expect(result.errors).toBeUndefined();
      expect(result.data?.updateReferralStatus).toEqual({ id: 'RF-000100', status, updatedAt: LATER.toISOString() });
      expect(audit.entries.map((entry) => [entry.action, entry.decision])).toEqual([
        ['WRITE', 'ALLOW'],
        ['READ', 'ALLOW'],
      ]);
    }
    expect(await referralRow('RF-000100')).toEqual({ status: 'CLOSED', updated_at: LATER });
  });

  it.each([
    ['a final status', 'RF-000100', 'OPEN', 'Referral RF-000100 is CLOSED, which is final; it cannot become OPEN'],
    ['a skipped step', 'RF-000101', 'CLOSED', 'Referral RF-000101 is OPEN; it can become ACCEPTED or DECLINED, not CLOSED'],
    ['the same status', 'RF-000101', 'OPEN', 'Referral RF-000101 is OPEN; it can become ACCEPTED or DECLINED, not OPEN'],
  ])('refuses %s with BAD_USER_INPUT naming the current status, and writes nothing', async (_, id, status, message) => {
    const before = await referralRow(id);
    const { result, audit } = await run(REFUGE, update, { id, status });
    expect(result.errors?.map((error) => [error.message, error.extensions.code])).toEqual([[message, 'BAD_USER_INPUT']]);
    expect(await referralRow(id)).toEqual(before);
    expect(audit.entries).toEqual([]);
  });

  it('refuses a referral the caller cannot see as not found, and one it sees but does not hold as FORBIDDEN', async () => {
    const before = await referralRow('RF-000101');
    const hidden = await run(ICE, update, { id: 'RF-000101', status: 'ACCEPTED' });
    expect(hidden.result.errors?.map((error) => [error.message, error.extensions])).toEqual([
      ['Referral RF-000101 was not found', { code: 'BAD_USER_INPUT', argument: 'id' }],
    ]);
    const sender = await run(CBP, update, { id: 'RF-000101', status: 'ACCEPTED' });
    expect(errorCodes(sender.result)).toEqual(['FORBIDDEN']);
    expect(sender.audit.entries).toMatchObject([{ action: 'WRITE', decision: 'DENY', rules: ['test.write'] }]);
    expect(await referralRow('RF-000101')).toEqual(before);
  });
});

describe('the NGO subgraph, granting and revoking consent', () => {
  const grant = `mutation($id: ID!, $input: ConsentInput!) { grantConsent(referralId: $id, input: $input) { id updatedAt
    consent { grantees purposes notifyTransfers grantedAt expiresAt revokedAt active } } }`;
  const revoke = `mutation($id: ID!) { revokeConsent(referralId: $id) { id consent { revokedAt active } } }`;
  const seen = `query($id: ID!) { referral(id: $id) { id } referrals { edges { node { id } } }
    _entities(representations: [{ __typename: "Person", id: "P-000003" }]) { ... on Person { referrals { id } } } }`;
  const valid = { grantees: ['CBP', 'cbp-tucson', 'CBP'], purposes: ['RELEASE_COORDINATION'], expiresAt: '2026-12-01T00:00:00Z', notifyTransfers: true };
  const LATER = new Date('2026-06-03T08:00:00.000Z');

  beforeAll(async () => {
    const referral = { personId: 'P-000003', fromOrg: 'partner-saguaro-so', toOrg: 'ngo-desert-refuge', service: 'SHELTER', status: 'ACCEPTED' };
    await insertReferral({ ...referral, id: 'RF-000200' });
    await insertReferral({ ...referral, id: 'RF-000201' }, { grantees: ['ICE'], purposes: ['CUSTODY_TRANSFER'], revokedAt: new Date('2026-05-21T00:00:00Z') });
    await insertReferral({ ...referral, id: 'RF-000202' }, { grantees: ['PARTNER'], purposes: ['HUMANITARIAN'] });
    await insertReferral({ ...referral, id: 'RF-000203' }, { grantees: ['CBP'], purposes: ['RELEASE_COORDINATION'] });
  });

  it('records a consent on a referral without one, and the grantee sees the referral on its next request', async () => {
    expect((await run(CBP, seen, { id: 'RF-000200' })).result.data?.referral).toBeNull();
    const { result, audit } = await run(REFUGE, grant, { id: 'RF-000200', input: valid });
    expect(result.errors).toBeUndefined();
    expect(result.data?.grantConsent).toEqual({
      id: 'RF-000200',
      updatedAt: NOW.toISOString(),
      consent: {
        grantees: ['CBP', 'cbp-tucson'],
        purposes: ['RELEASE_COORDINATION'],
        notifyTransfers: true,
        grantedAt: NOW.toISOString(),
        expiresAt: '2026-12-01T00:00:00.000Z',
        revokedAt: null,
        active: true,
      },
    });
    expect(audit.entries.map((entry) => [entry.action, entry.decision, entry.reason])).toEqual([
      ['WRITE', 'ALLOW', 'grantConsent: the holding NGO'],
      ['READ', 'ALLOW', 'visible under the test policy'],
    ]);
    expect(await consentRow('RF-000200')).toMatchObject({ grantees: ['CBP', 'cbp-tucson'], notify_transfers: true, granted_at: NOW });
    expect((await run(CBP, seen, { id: 'RF-000200' })).result.data?.referral).toEqual({ id: 'RF-000200' });
  });

  it('replaces an earlier consent whole: new grantees and purposes, granted now, the old revocation cleared', async () => {
    const { result } = await run(REFUGE, grant, { id: 'RF-000201', input: { grantees: ['ngo-camino-health'], purposes: ['HUMANITARIAN', 'HUMANITARIAN'] } }, { now: LATER });
    expect(result.errors).toBeUndefined();
    expect(result.data?.grantConsent).toMatchObject({
      updatedAt: LATER.toISOString(),
      consent: { grantees: ['ngo-camino-health'], purposes: ['HUMANITARIAN'], notifyTransfers: false, grantedAt: LATER.toISOString(), expiresAt: null, revokedAt: null, active: true },
    });
    expect(await consentRow('RF-000201')).toMatchObject({ grantees: ['ngo-camino-health'], granted_at: LATER, revoked_at: null, expires_at: null });
    expect(await referralRow('RF-000201')).toMatchObject({ updated_at: LATER });
  });

  it.each([
    ['no grantees', { grantees: [] }, 'grantees'],
    ['an agency class consent cannot name', { grantees: ['CBP', 'DHS'] }, 'grantees'],
    ['a grantee that is no org id', { grantees: ['Border Patrol Tucson'] }, 'grantees'],
    ['no purposes', { purposes: [] }, 'purposes'],
    ['an expiry in the past', { expiresAt: '2026-05-01T00:00:00Z' }, 'expiresAt'],
    ['an expiry right now', { expiresAt: NOW.toISOString() }, 'expiresAt'],
  ])('refuses %s with BAD_USER_INPUT and leaves the consent as it was', async (_, change, argument) => {
    const before = [await consentRow('RF-000202'), await referralRow('RF-000202')];
    const { result, audit } = await run(REFUGE, grant, { id: 'RF-000202', input: { ...valid, ...change } });
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument }]);
    expect([await consentRow('RF-000202'), await referralRow('RF-000202')]).toEqual(before);
    expect(audit.entries).toEqual([]);
  });

  it('refuses consent on a referral the caller cannot see (not found) or does not hold (FORBIDDEN)', async () => {
    const consents = await count('ngo.consents');
    const hidden = await run(REFUGE, grant, { id: 'RF-000003', input: valid });
    expect(hidden.result.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument: 'referralId' }]);
    const unknown = await run(REFUGE, grant, { id: 'RF-999999', input: valid });
    expect(unknown.result.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument: 'referralId' }]);
    const before = await consentRow('RF-000001');
    expect(errorCodes((await run(CBP, grant, { id: 'RF-000001', input: valid })).result)).toEqual(['FORBIDDEN']);
    expect(errorCodes((await run(CBP, revoke, { id: 'RF-000001' })).result)).toEqual(['FORBIDDEN']);
    expect(await consentRow('RF-000001')).toEqual(before);
    expect(await count('ngo.consents')).toBe(consents);
  });

  it('revokes a consent so that the grantee no longer sees the referral on its next request, by id, in lists or by person', async () => {
    const visible = await run(CBP, seen, { id: 'RF-000203' });
    expect(visible.result.data?.referral).toEqual({ id: 'RF-000203' });
    expect(JSON.stringify(visible.result.data)).toContain('RF-000203');

    const { result, audit } = await run(REFUGE, revoke, { id: 'RF-000203' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.revokeConsent).toEqual({ id: 'RF-000203', consent: { revokedAt: NOW.toISOString(), active: false } });
    expect(audit.entries.map((entry) => [entry.action, entry.decision])).toEqual([
      ['WRITE', 'ALLOW'],
      ['READ', 'ALLOW'],
    ]);

    const after = await run(CBP, seen, { id: 'RF-000203' });
    expect(after.result.errors).toBeUndefined();
    expect(after.result.data?.referral).toBeNull();
    expect(JSON.stringify(after.result.data)).not.toContain('RF-000203');
  });

  it('revokes idempotently: again keeps the first revocation\'s time; without a consent there is nothing to revoke', async () => {
    const again = await run(REFUGE, revoke, { id: 'RF-000203' }, { now: LATER });
    expect(again.result.errors).toBeUndefined();
    expect(again.result.data?.revokeConsent).toEqual({ id: 'RF-000203', consent: { revokedAt: NOW.toISOString(), active: false } });
    expect(await consentRow('RF-000203')).toMatchObject({ revoked_at: NOW });
    expect(await referralRow('RF-000203')).toMatchObject({ updated_at: NOW });

    const consents = await count('ngo.consents');
    const none = await run(REFUGE, revoke, { id: 'RF-000005' });
    expect(none.result).toEqual({ data: { revokeConsent: { id: 'RF-000005', consent: null } } });
    expect(await count('ngo.consents')).toBe(consents);
  });

  it('refuses to revoke on an unknown referral', async () => {
    const { result } = await run(REFUGE, revoke, { id: 'RF-999999' });
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument: 'referralId' }]);
  });
});
