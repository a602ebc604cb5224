import { describe, expect, it } from 'vitest';
import type { Agency } from '../../lib/domain.js';
import { sql, type Store } from '../../lib/store/index.js';
import { iceSubgraph } from '../../subgraphs/ice/index.js';
import { errorCodes, nodeIds, testCaller, useSubgraphHarness, type Caller, type ConnectionPage } from '../support/subgraph-harness.js';

// The subgraph under the harness's owner-only policy and in-memory audit log (test/support/subgraph-harness.ts).

const caller = (agency: Agency, org: string): Caller =>
  testCaller({ agency, org, roles: ['officer'], jurisdictions: ['TUCSON', 'county:saguaro'], cfr28: true, sworn: true }, 'CUSTODY_TRANSFER');
const ICE = caller('ICE', 'ice-ero-phoenix');
const CBP = caller('CBP', 'cbp-tucson');
const NOW = new Date('2026-06-01T12:00:00.000Z');

const harness = useSubgraphHarness(iceSubgraph, { now: NOW, seed });
const { run } = harness;

const transferStatus = async (id: string): Promise<string | undefined> => {
  const [row] = await harness.store.query(sql`SELECT status FROM ice.transfers WHERE id = ${id}`);
  return typeof row?.status === 'string' ? row.status : undefined;
};

// ---- Fixture: persons, networks with members, and transfers.

const meta = (id: string, agency: 'CBP' | 'ICE') => sql`${id}, ${agency === 'CBP' ? 'cbp-tucson' : 'ice-ero-phoenix'}, ${agency},
  'LAW_ENFORCEMENT_SENSITIVE', ARRAY['TUCSON']::text[], ARRAY['DHS']::text[], ${NOW}, ${NOW}`;

const NETWORK_KINDS = ['HUMAN_SMUGGLING', 'DRUG_TRAFFICKING'] as const;
const TRANSFER_STATUSES = ['REQUESTED', 'ACCEPTED', 'IN_TRANSIT', 'COMPLETED', 'CANCELLED', 'REQUESTED'] as const;

/**
 * P-000001..P-000003 are ICE's; P-000004 is CBP's (hidden from ICE under the owner-only policy,
 * and the one person CBP may name in a transfer request).
 *
 * N-000001..N-000006 are ICE's: kinds alternate smuggling/trafficking of drugs, sectors
 * TUCSON (odd) or RGV (even), status ACTIVE but N-000005 DORMANT, threat HIGH for 1..3 and LOW
 * after; N-000001 was last validated six years ago (review required). N-000001's members are
 * P-000001 (leader) and P-000002 (courier). N-000007 is CBP's.
 *
 * T-000001..T-000006 are ICE's, statuses in TRANSFER_STATUSES order, requested on 1..6 March,
 * from cbp-tucson (1..3) or partner-saguaro-so (4..6), to ice-ero-phoenix (odd) or
 * ice-hsi-tucson (even), of P-000001 (1, 2) or P-000002 (3..6). T-000007 is CBP's, of P-000004.
 */
async function seed(store: Store): Promise<void> {
  for (const [id, agency] of [['P-000001', 'ICE'], ['P-000002', 'ICE'], ['P-000003', 'ICE'], ['P-000004', 'CBP']] as const) {
    await store.query(sql`INSERT INTO ice.persons (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at,
      name, date_of_birth, nationality, a_number) VALUES (${meta(id, agency)}, ${`Person ${id}`}, ${`1990-04-0${id.slice(-1)}`}::date, 'MX', ${`A${id.slice(-6)}`})`);
  }
  for (let i = 1; i <= 7; i += 1) {
    const id = `N-00000${i}`;
    await store.query(sql`INSERT INTO ice.networks (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at,
      name, kind, threat_level, status, sectors, intelligence_basis, analytic_summary, last_validated_at)
      VALUES (${meta(id, i === 7 ? 'CBP' : 'ICE')}, ${`Network ${i}`}, ${NETWORK_KINDS[i % 2]}, ${i <= 3 ? 'HIGH' : 'LOW'},
      ${i === 5 ? 'DORMANT' : 'ACTIVE'}, ${[i % 2 === 1 ? 'TUCSON' : 'RGV']}::text[], 'Informant', ${`Summary ${i}`},
      ${i === 1 ? new Date('2020-01-01T00:00:00.000Z') : new Date('2026-01-01T00:00:00.000Z')})`);
  }
  await store.query(sql`INSERT INTO ice.network_members (network_id, person_id, role)
    VALUES ('N-000001', 'P-000001', 'leader'), ('N-000001', 'P-000002', 'courier')`);
  for (let i = 1; i <= 7; i += 1) {
    const id = `T-00000${i}`;
    const status = i === 7 ? 'REQUESTED' : TRANSFER_STATUSES[i - 1];
    await store.query(sql`INSERT INTO ice.transfers (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at,
      person_id, status, from_org, from_facility, to_org, to_facility, requested_at, reason)
      VALUES (${meta(id, i === 7 ? 'CBP' : 'ICE')}, ${i === 7 ? 'P-000004' : i <= 2 ? 'P-000001' : 'P-000002'}, ${status},
      ${i <= 3 || i === 7 ? 'cbp-tucson' : 'partner-saguaro-so'}, 'Tucson Station', ${i % 2 === 1 ? 'ice-ero-phoenix' : 'ice-hsi-tucson'},
      'Florence', ${new Date(Date.UTC(2026, 2, i))}, 'Intake')`);
  }
}

describe('the ICE subgraph, reading one record', () => {
  it('returns a visible person with its transfers, and audits every record released', async () => {
    const { result, audit } = await run(ICE, `{ person(id: "P-000001") { id name dateOfBirth nationality aNumber protected1367 transfers { id status } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      person: {
        id: 'P-000001',
        name: 'Person P-000001',
        dateOfBirth: '1990-04-01',
        nationality: 'MX',
        aNumber: 'A000001',
        protected1367: false,
        transfers: [
          { id: 'T-000001', status: 'REQUESTED' },
          { id: 'T-000002', status: 'ACCEPTED' },
        ],
      },
    });
    expect(audit.entries.map((entry) => [entry.recordType, entry.recordId, entry.decision])).toEqual(
      expect.arrayContaining([
        ['Person', 'P-000001', 'ALLOW'],
        ['Transfer', 'T-000001', 'ALLOW'],
        ['Transfer', 'T-000002', 'ALLOW'],
      ]),
    );
  });

  it('reads a person, network or transfer the policy hides as null, with no error, and audits the denial', async () => {
    const { result, audit } = await run(ICE, `{ person(id: "P-000004") { id name } network(id: "N-000007") { id } transfer(id: "T-000007") { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ person: null, network: null, transfer: null });
    expect(audit.entries.map((entry) => [entry.recordId, entry.decision])).toEqual(
      expect.arrayContaining([
        ['P-000004', 'DENY'],
        ['N-000007', 'DENY'],
        ['T-000007', 'DENY'],
      ]),
    );
  });

  it('reads unknown and malformed ids as null without touching the audit log', async () => {
    const { result, audit } = await run(ICE, `{ a: person(id: "P-999999") { id } b: network(id: "not an id") { id } c: transfer(id: "") { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: null, b: null, c: null });
    expect(audit.entries).toEqual([]);
  });

  it('returns a network with its members, each person released on its own', async () => {
    const { result } = await run(ICE, `{ network(id: "N-000001") { id name kind threatLevel status sectors reviewRequired members { role person { id name } } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.network).toEqual({
      id: 'N-000001',
      name: 'Network 1',
      kind: 'DRUG_TRAFFICKING',
      threatLevel: 'HIGH',
      status: 'ACTIVE',
      sectors: ['TUCSON'],
      reviewRequired: true,
      members: expect.arrayContaining([
        { role: 'leader', person: { id: 'P-000001', name: 'Person P-000001' } },
        { role: 'courier', person: { id: 'P-000002', name: 'Person P-000002' } },
      ]),
    });
  });

  it('returns a transfer with its person', async () => {
    const { result } = await run(ICE, `{ transfer(id: "T-000003") { id status fromOrg fromFacility toOrg toFacility requestedAt reason person { id } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.transfer).toEqual({
      id: 'T-000003',
      status: 'IN_TRANSIT',
      fromOrg: 'cbp-tucson',
      fromFacility: 'Tucson Station',
      toOrg: 'ice-ero-phoenix',
      toFacility: 'Florence',
      requestedAt: '2026-03-03T00:00:00.000Z',
      reason: 'Intake',
      person: { id: 'P-000002' },
    });
  });
});

describe('the ICE subgraph, listing', () => {
  const networks = `query($filter: NetworkFilter, $first: Int, $after: String) {
    networks(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
  const transfers = `query($filter: TransferFilter, $first: Int, $after: String) {
    transfers(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;

  const page = async (query: string, field: 'networks' | 'transfers', variables: Record<string, unknown>): Promise<ConnectionPage> => {
    const { result } = await run(ICE, query, variables);
    expect(result.errors).toBeUndefined();
    return result.data?.[field] as ConnectionPage;
  };
  const ids = async (query: string, field: 'networks' | 'transfers', filter: Record<string, unknown>): Promise<string[]> =>
    nodeIds(await page(query, field, { filter }));

  it('pages through visible networks only, by cursor, with totalCount of visible records', async () => {
    const first = await page(networks, 'networks', { first: 4 });
    expect(first.totalCount).toBe(6);
    expect(nodeIds(first)).toEqual(['N-000001', 'N-000002', 'N-000003', 'N-000004']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page(networks, 'networks', { first: 4, after: first.pageInfo.endCursor });
    expect(nodeIds(second)).toEqual(['N-000005', 'N-000006']);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('filters networks by sector, kind, status, threat level and review', async () => {
    expect(await ids(networks, 'networks', { sector: 'RGV' })).toEqual(['N-000002', 'N-000004', 'N-000006']);
    expect(await ids(networks, 'networks', { kind: 'DRUG_TRAFFICKING' })).toEqual(['N-000001', 'N-000003', 'N-000005']);
    expect(await ids(networks, 'networks', { status: 'DORMANT' })).toEqual(['N-000005']);
    expect(await ids(networks, 'networks', { threatLevel: 'HIGH', sector: 'TUCSON' })).toEqual(['N-000001', 'N-000003']);
    expect(await ids(networks, 'networks', { reviewRequired: true })).toEqual(['N-000001']);
    expect(await ids(networks, 'networks', { reviewRequired: false })).toEqual(['N-000002', 'N-000003', 'N-000004', 'N-000005', 'N-000006']);
  });

  it('pages through visible transfers only, by cursor', async () => {
    const first = await page(transfers, 'transfers', { first: 5 });
    expect(first.totalCount).toBe(6);
    expect(nodeIds(first)).toEqual(['T-000001', 'T-000002', 'T-000003', 'T-000004', 'T-000005']);
    const second = await page(transfers, 'transfers', { first: 5, after: first.pageInfo.endCursor });
    expect(nodeIds(second)).toEqual(['T-000006']);
    expect(second.pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
  });

  it('filters transfers by status, orgs, person and request time', async () => {
    expect(await ids(transfers, 'transfers', { status: 'REQUESTED' })).toEqual(['T-000001', 'T-000006']);
    expect(await ids(transfers, 'transfers', { fromOrg: 'partner-saguaro-so' })).toEqual(['T-000004', 'T-000005', 'T-000006']);
    expect(await ids(transfers, 'transfers', { toOrg: 'ice-hsi-tucson' })).toEqual(['T-000002', 'T-000004', 'T-000006']);
    expect(await ids(transfers, 'transfers', { personId: 'P-000001' })).toEqual(['T-000001', 'T-000002']);
    expect(await ids(transfers, 'transfers', { requestedAfter: '2026-03-02T00:00:00.000Z', requestedBefore: '2026-03-04T00:00:00.000Z' })).toEqual([
      'T-000002',
      'T-000003',
    ]);
    // A hidden transfer stays out however exactly a filter names it.
    expect(await ids(transfers, 'transfers', { personId: 'P-000004' })).toEqual([]);
  });

  it('refuses a cursor of another type with BAD_USER_INPUT', async () => {
    const networkCursor = (await page(networks, 'networks', { first: 1 })).pageInfo.endCursor;
    const { result } = await run(ICE, transfers, { first: 1, after: networkCursor });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the ICE subgraph, resolving its entities for the gateway', () => {
  const entities = `query($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on Network { id name } ... on Person { id name } ... on Transfer { id status } } }`;

  it('resolves Network, Person and Transfer references through the funnel: invisible ones read as null', async () => {
    const { result, audit } = await run(ICE, entities, {
      representations: [
        { __typename: 'Network', id: 'N-000002' },
        { __typename: 'Network', id: 'N-000007' },
        { __typename: 'Person', id: 'P-000003' },
        { __typename: 'Person', id: 'P-000004' },
        { __typename: 'Transfer', id: 'T-000004' },
        { __typename: 'Transfer', id: 'T-000007' },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      { id: 'N-000002', name: 'Network 2' },
      null,
      { id: 'P-000003', name: 'Person P-000003' },
      null,
      { id: 'T-000004', status: 'COMPLETED' },
      null,
    ]);
    expect(audit.entries.filter((entry) => entry.decision === 'DENY').map((entry) => entry.recordId)).toEqual(
      expect.arrayContaining(['N-000007', 'P-000004', 'T-000007']),
    );
  });
});

describe('the ICE subgraph, writing', () => {
  const requestTransfer = `mutation($input: RequestTransferInput!) { requestTransfer(input: $input) { id ownerOrg status fromOrg toOrg toFacility reason person { id } } }`;
  const valid = { personId: 'P-000004', toOrg: 'ice-ero-phoenix', toFacility: 'Florence', reason: 'Intake after encounter' };
  const stepMutation = (name: string): string => `mutation($id: ID!, $reason: String) { ${name}(id: $id${name === 'cancelTransfer' ? ', reason: $reason' : ''}) {
    id status acceptedAt departedAt completedAt reason } }`;

  it('requests a transfer of a person the caller reads, owned by the caller, and audits the write', async () => {
    const { result, audit } = await run(CBP, requestTransfer, { input: valid });
    expect(result.errors).toBeUndefined();
    const transfer = result.data?.requestTransfer;
    expect(transfer).toEqual({
      id: expect.stringMatching(/^T-/),
      ownerOrg: 'cbp-tucson',
      status: 'REQUESTED',
      fromOrg: 'cbp-tucson',
      toOrg: 'ice-ero-phoenix',
      toFacility: 'Florence',
      reason: 'Intake after encounter',
      person: { id: 'P-000004' },
    });
    expect(audit.entries.filter((entry) => entry.action === 'WRITE').map((entry) => [entry.recordType, entry.decision])).toEqual([['Transfer', 'ALLOW']]);
  });

  it('answers a person it cannot read exactly as an unknown one, and refuses a receiving org outside ICE', async () => {
    const hidden = await run(CBP, requestTransfer, { input: { ...valid, personId: 'P-000001' } });
    const unknown = await run(CBP, requestTransfer, { input: { ...valid, personId: 'P-999999' } });
    expect(errorCodes(hidden.result)).toEqual(['BAD_USER_INPUT']);
    expect(hidden.result.errors?.[0]?.message.replace('P-000001', 'P-?')).toBe(unknown.result.errors?.[0]?.message.replace('P-999999', 'P-?'));
    const notIce = await run(CBP, requestTransfer, { input: { ...valid, toOrg: 'partner-saguaro-so' } });
    expect(errorCodes(notIce.result)).toEqual(['BAD_USER_INPUT']);
  });

  it('takes a requested transfer through acceptance, departure and completion, stamping each step', async () => {
    const accepted = await run(ICE, stepMutation('acceptTransfer'), { id: 'T-000006' });
    expect(accepted.result.errors).toBeUndefined();
    expect(accepted.result.data?.acceptTransfer).toMatchObject({ id: 'T-000006', status: 'ACCEPTED', acceptedAt: NOW.toISOString(), departedAt: null });
    const started = await run(ICE, stepMutation('startTransfer'), { id: 'T-000006' });
    expect(started.result.data?.startTransfer).toMatchObject({ status: 'IN_TRANSIT', departedAt: NOW.toISOString(), completedAt: null });
    const completed = await run(ICE, stepMutation('completeTransfer'), { id: 'T-000006' });
    expect(completed.result.data?.completeTransfer).toMatchObject({ status: 'COMPLETED', completedAt: NOW.toISOString() });
    expect(completed.audit.entries.filter((entry) => entry.action === 'WRITE').map((entry) => [entry.recordId, entry.decision])).toEqual([['T-000006', 'ALLOW']]);
    expect(await transferStatus('T-000006')).toBe('COMPLETED');
  });

  it('cancels an accepted transfer with the reason given', async () => {
    const { result } = await run(ICE, stepMutation('cancelTransfer'), { id: 'T-000002', reason: 'Bed space unavailable' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.cancelTransfer).toMatchObject({ id: 'T-000002', status: 'CANCELLED', reason: 'Bed space unavailable' });
  });

  it('refuses a step the transfer\'s status does not allow, naming the status, and changes nothing', async () => {
    const cases = [
      ['cancelTransfer', 'T-000004', 'COMPLETED'],
      ['acceptTransfer', 'T-000005', 'CANCELLED'],
      ['startTransfer', 'T-000001', 'REQUESTED'],
      ['completeTransfer', 'T-000001', 'REQUESTED'],
    ] as const;
    for (const [name, id, status] of cases) {
      const { result, audit } = await run(ICE, stepMutation(name), { id, reason: 'Too late' });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0]?.message).toContain(`is ${status}`);
      expect(audit.entries.filter((entry) => entry.action === 'WRITE')).toEqual([]);
      expect(await transferStatus(id)).toBe(status);
    }
  });

  it('answers a step on a transfer the caller cannot see as one on an unknown id', async () => {
    const hidden = await run(ICE, stepMutation('acceptTransfer'), { id: 'T-000007' });
    const unknown = await run(ICE, stepMutation('acceptTransfer'), { id: 'T-999999' });
    expect(errorCodes(hidden.result)).toEqual(['BAD_USER_INPUT']);
    expect(hidden.result.errors?.[0]?.message).toBe('Transfer T-000007 was not found');
    expect(unknown.result.errors?.[0]?.message).toBe('Transfer T-999999 was not found');
    expect(await transferStatus('T-000007')).toBe('REQUESTED');
  });

  it('asks the policy (rule 9) before a step and writes nothing when it refuses', async () => {
    const { result, audit } = await run(ICE, stepMutation('acceptTransfer'), { id: 'T-000001' }, { readOnly: true });
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(audit.entries.filter((entry) => entry.action === 'WRITE').map((entry) => [entry.recordId, entry.decision, entry.rules])).toEqual([
      ['T-000001', 'DENY', ['test.read-only']],
    ]);
    expect(await transferStatus('T-000001')).toBe('REQUESTED');
  });
});
