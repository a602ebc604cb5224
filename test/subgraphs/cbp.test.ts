import DataLoader from 'dataloader';
import { describe, expect, it } from 'vitest';
import type { RecordKey } from '../../lib/access/released-loaders.js';
import { sql, type Store } from '../../lib/store/index.js';
import { cbpSubgraph } from '../../subgraphs/cbp/index.js';
import { readRoute } from '../../subgraphs/cbp/records.js';
import { errorCodes, nodeIds, testCaller, useSubgraphHarness, type Caller, type ConnectionPage } from '../support/subgraph-harness.js';

// The subgraph under the harness's owner-only policy and in-memory audit log (test/support/subgraph-harness.ts).

const caller = (agency: 'CBP' | 'ICE', org: string): Caller =>
  testCaller({ agency, org, roles: ['agent'], jurisdictions: ['TUCSON', 'RGV'], cfr28: true, sworn: true }, 'INTERDICTION');
const CBP = caller('CBP', 'cbp-tucson');
const ICE = caller('ICE', 'ice-ero-phoenix');
const NOW = new Date('2026-06-01T12:00:00.000Z');

const harness = useSubgraphHarness(cbpSubgraph, { now: NOW, seed });
const { run } = harness;

const count = async (table: string): Promise<number> =>
  Number((await harness.store.query({ text: `SELECT count(*)::int AS n FROM ${table}`, values: [] }))[0]?.n);

// ---- Fixture: persons and networks (ICE's tables), routes, links and encounters.

const meta = (id: string, agency: 'CBP' | 'ICE', jurisdictions: readonly string[]) => sql`${id}, ${agency === 'CBP' ? 'cbp-tucson' : 'ice-ero-phoenix'},
  ${agency}, 'LAW_ENFORCEMENT_SENSITIVE', ${[...jurisdictions]}::text[], ARRAY['DHS']::text[], ${NOW}, ${NOW}`;

async function seed(store: Store): Promise<void> {
  for (const id of ['P-000001', 'P-000002', 'P-000003']) {
    await store.query(sql`INSERT INTO ice.persons (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at, name)
      VALUES (${meta(id, 'ICE', ['TUCSON'])}, ${`Person ${id}`})`);
  }
  // ICE's persons above are hidden from CBP by the owner-only policy, so an encounter may not
  // name them (SPEC 5, "Writes never widen reads"); P-000004 is CBP's only so that the policy
  // lets the agent read one person to record.
  await store.query(sql`INSERT INTO ice.persons (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at, name)
    VALUES (${meta('P-000004', 'CBP', ['TUCSON'])}, 'Person P-000004')`);
  for (const [id, agency] of [['N-000001', 'CBP'], ['N-000002', 'ICE'], ['N-000003', 'CBP']] as const) {
    await store.query(sql`INSERT INTO ice.networks (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at,
      name, kind, threat_level, status, last_validated_at)
      VALUES (${meta(id, agency, ['TUCSON'])}, ${`Network ${id}`}, 'HUMAN_SMUGGLING', 'HIGH', 'ACTIVE', ${NOW})`);
  }
  // R-000001..R-000010 are CBP's, alternating TUCSON/RGV; R-000011 is ICE's (invisible to CBP here).
  for (let i = 1; i <= 11; i += 1) {
    const id = `R-${String(i).padStart(6, '0')}`;
    const sector = i % 2 === 1 ? 'TUCSON' : 'RGV';
    await store.query(sql`INSERT INTO cbp.routes (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at,
      name, sector, modality, path, waypoints, first_seen_at, last_seen_at, activity_level, surveillance_assets, hazards)
      VALUES (${meta(id, i === 11 ? 'ICE' : 'CBP', [sector])}, ${`Route ${i}`}, ${sector}, ${i <= 4 ? 'FOOT' : 'VEHICLE'},
      ${JSON.stringify([{ lat: 31.4, lon: -111.1 }, { lat: 31.5, lon: -111.0 }])}::jsonb,
      ${JSON.stringify([{ lat: 31.41234, lon: -111.05678 }])}::jsonb,
      ${new Date(Date.UTC(2026, 0, i))}, ${new Date(Date.UTC(2026, 4, i))}, 'HIGH',
      ${JSON.stringify([{ kind: 'TOWER', label: 'Tower 7', lat: 31.45, lon: -111.02 }])}::jsonb,
      ${JSON.stringify([
        { kind: 'HEAT', description: 'No shade for 12 km', lat: 31.42, lon: -111.04, observedAt: '2026-05-20T18:00:00.000Z' },
        { kind: 'WATER_STATION' },
      ])}::jsonb)`);
  }
  for (const [route, network] of [['R-000001', 'N-000001'], ['R-000003', 'N-000001'], ['R-000001', 'N-000002'], ['R-000011', 'N-000001']]) {
    await store.query(sql`INSERT INTO cbp.route_networks (route_id, network_id, linked_at) VALUES (${route}, ${network}, ${NOW})`);
  }
  // E-000001..E-000006: CBP's, persons 1 and 2 alternating; E-000007: ICE's.
  for (let i = 1; i <= 7; i += 1) {
    const id = `E-${String(i).padStart(6, '0')}`;
    await store.query(sql`INSERT INTO cbp.encounters (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at,
      occurred_at, sector, station, route_id, person_id, disposition, medical_need, medical_summary)
      VALUES (${meta(id, i === 7 ? 'ICE' : 'CBP', ['TUCSON'])}, ${new Date(Date.UTC(2026, 3, i))}, 'TUCSON', ${i <= 3 ? 'Ajo' : 'Nogales'},
      ${i <= 4 ? 'R-000001' : null}, ${i % 2 === 1 ? 'P-000001' : 'P-000002'}, 'TRANSFERRED_TO_ICE', ${i === 2}, ${i === 2 ? 'Dehydration' : null})`);
  }
}

describe('the CBP subgraph, reading one record', () => {
  it('returns a visible route with its coarse path, waypoints, assets and hazards, and audits the fields released', async () => {
    const { result, audit } = await run(
      CBP,
      `{ route(id: "R-000001") { id name sector modality path { lat lon } waypoints { lat lon }
           surveillanceAssets { kind label position { lat lon } }
           hazards { kind description position { lat lon } observedAt } networks { id } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.route).toEqual({
      id: 'R-000001',
      name: 'Route 1',
      sector: 'TUCSON',
      modality: 'FOOT',
      path: [{ lat: 31.4, lon: -111.1 }, { lat: 31.5, lon: -111.0 }],
      waypoints: [{ lat: 31.41234, lon: -111.05678 }],
      surveillanceAssets: [{ kind: 'TOWER', label: 'Tower 7', position: { lat: 31.45, lon: -111.02 } }],
      hazards: [
        { kind: 'HEAT', description: 'No shade for 12 km', position: { lat: 31.42, lon: -111.04 }, observedAt: '2026-05-20T18:00:00.000Z' },
        { kind: 'WATER_STATION', description: null, position: null, observedAt: null },
      ],
      // N-000002 (ICE's) is linked too, but hidden from this caller: not even its id is named.
      networks: [{ id: 'N-000001' }],
    });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ action: 'READ', recordType: 'Route', recordId: 'R-000001', decision: 'ALLOW', service: 'cbp' });
    expect(audit.entries[0]?.fieldsReleased).toEqual(['hazards', 'id', 'modality', 'name', 'networks', 'path', 'sector', 'surveillanceAssets', 'waypoints']);
  });

  it('reads a route the policy hides as null, with no error, and audits the denial', async () => {
    const { result, audit } = await run(CBP, `{ route(id: "R-000011") { id name } }`);
    expect(result).toEqual({ data: { route: null } });
    expect(audit.entries).toMatchObject([{ recordId: 'R-000011', decision: 'DENY' }]);
  });

  it('reads unknown and malformed ids as null without touching the audit log', async () => {
    for (const id of ['R-999999', "R-1' OR '1'='1", 'x'.repeat(500)]) {
      const { result, audit } = await run(CBP, `query($id: ID!) { route(id: $id) { id } encounter(id: $id) { id } }`, { id });
      expect(result).toEqual({ data: { route: null, encounter: null } });
      expect(audit.entries).toEqual([]);
    }
  });

  it('returns an encounter with its route through the route loader and its person as a bare reference', async () => {
    const { result } = await run(
      CBP,
      `{ encounter(id: "E-000002") { id station disposition medicalNeed medicalSummary occurredAt route { id name } person { id } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.encounter).toEqual({
      id: 'E-000002',
      station: 'Ajo',
      disposition: 'TRANSFERRED_TO_ICE',
      medicalNeed: true,
      medicalSummary: 'Dehydration',
      occurredAt: '2026-04-02T00:00:00.000Z',
      route: { id: 'R-000001', name: 'Route 1' },
      person: { id: 'P-000002' },
    });
  });

  it('hides an encounter of another agency from a CBP caller and shows it to its owner', async () => {
    expect((await run(CBP, `{ encounter(id: "E-000007") { id } }`)).result.data?.encounter).toBeNull();
    expect((await run(ICE, `{ encounter(id: "E-000007") { id } }`)).result.data?.encounter).toEqual({ id: 'E-000007' });
  });
});

describe('the CBP subgraph, listing', () => {
  const routesPage = `query($filter: RouteFilter, $first: Int, $after: String) {
    routes(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`;
  const page = async (variables: Record<string, unknown>): Promise<ConnectionPage> => {
    const { result } = await run(CBP, routesPage, variables);
    expect(result.errors).toBeUndefined();
    return result.data?.routes as ConnectionPage;
  };

  it('pages through visible routes only, by cursor, with totalCount of visible records', async () => {
    const first = await page({ first: 4 });
    expect(first.totalCount).toBe(10);
    expect(nodeIds(first)).toEqual(['R-000001', 'R-000002', 'R-000003', 'R-000004']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const third = await page({ first: 4, after: (await page({ first: 4, after: first.pageInfo.endCursor })).pageInfo.endCursor });
    expect(nodeIds(third)).toEqual(['R-000009', 'R-000010']);
    expect(third.pageInfo.hasNextPage).toBe(false);
  });

  it('filters routes by sector, modality, activity level and last sighting', async () => {
    expect(nodeIds(await page({ filter: { sector: 'TUCSON' } }))).toEqual([
      'R-000001',
      'R-000003',
      'R-000005',
      'R-000007',
      'R-000009',
    ]);
    expect((await page({ filter: { sector: 'RGV', modality: 'FOOT' } })).totalCount).toBe(2);
    expect((await page({ filter: { activityLevel: 'LOW' } })).totalCount).toBe(0);
    expect(nodeIds(await page({ filter: { seenAfter: '2026-05-09T00:00:00Z' } }))).toEqual(['R-000009', 'R-000010']);
  });

  it('refuses a cursor of another type with BAD_USER_INPUT', async () => {
    const { result } = await run(CBP, routesPage, { after: Buffer.from('Encounter:E-000001').toString('base64url') });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('filters encounters by person, route, station and time', async () => {
    const ids = async (filter: Record<string, unknown>): Promise<string[]> => {
      const { result } = await run(CBP, `query($filter: EncounterFilter) { encounters(filter: $filter) { totalCount edges { node { id } } } }`, { filter });
      expect(result.errors).toBeUndefined();
      return (result.data?.encounters as { edges: { node: { id: string } }[] }).edges.map((edge) => edge.node.id);
    };
    expect(await ids({ personId: 'P-000001' })).toEqual(['E-000001', 'E-000003', 'E-000005']);
    expect(await ids({ routeId: 'R-000001', station: 'Nogales' })).toEqual(['E-000004']);
    expect(await ids({ occurredAfter: '2026-04-05T00:00:00Z', occurredBefore: '2026-04-07T00:00:00Z' })).toEqual(['E-000005', 'E-000006']);
    expect(await ids({ disposition: 'REMOVED' })).toEqual([]);
  });
});

describe('the CBP subgraph, contributing to other subgraphs\' entities', () => {
  const entities = `query($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on Network { id routes { id name } }
    ... on Person { id encounters { id station } }
    ... on Route { id name }
  } }`;

  it('gives a network the caller may see its visible linked routes, narrowed in SQL so hidden ones are never even read', async () => {
    const { result, audit } = await run(CBP, entities, {
      representations: [
        { __typename: 'Network', id: 'N-000001' },
        { __typename: 'Network', id: 'N-000002' },
        { __typename: 'Network', id: 'N-000009' },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      { id: 'N-000001', routes: [{ id: 'R-000001', name: 'Route 1' }, { id: 'R-000003', name: 'Route 3' }] },
      // ICE's network is hidden from this caller: which routes it runs is not named either.
      { id: 'N-000002', routes: [] },
      { id: 'N-000009', routes: [] },
    ]);
    expect(audit.entries.map((entry) => [entry.recordId, entry.decision])).toEqual([
      ['R-000001', 'ALLOW'],
      ['R-000003', 'ALLOW'],
    ]);
  });

  it('gives persons their visible encounters, in one query and one audit append for the batch', async () => {
    const { result, audit, roundTrips } = await run(CBP, entities, {
      representations: [
        { __typename: 'Person', id: 'P-000001' },
        { __typename: 'Person', id: 'P-000002' },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      { id: 'P-000001', encounters: [{ id: 'E-000001', station: 'Ajo' }, { id: 'E-000003', station: 'Ajo' }, { id: 'E-000005', station: 'Nogales' }] },
      { id: 'P-000002', encounters: [{ id: 'E-000002', station: 'Ajo' }, { id: 'E-000004', station: 'Nogales' }, { id: 'E-000006', station: 'Nogales' }] },
    ]);
    expect(roundTrips).toBe(1);
    expect(audit.appends).toHaveLength(1);
    // E-000007 (ICE's) is filtered out by the policy's SQL, not read and then denied.
    expect(audit.entries.every((entry) => entry.decision === 'ALLOW')).toBe(true);
    expect(audit.entries).toHaveLength(6);
  });

  it('resolves a Route reference through the funnel: an invisible one reads as null', async () => {
    const { result } = await run(CBP, entities, {
      representations: [
        { __typename: 'Route', id: 'R-000002' },
        { __typename: 'Route', id: 'R-000011' },
      ],
    });
    expect(result.data?._entities).toEqual([{ id: 'R-000002', name: 'Route 2' }, null]);
  });
});

describe('the CBP subgraph, guarding fields', () => {
  it('withholds a field the decision denies: null, REDACTED with the rule, the other fields intact', async () => {
    const { result, audit } = await run(CBP, `{ route(id: "R-000001") { id name waypoints { lat } } }`, {}, { withheld: ['Route.waypoints'] });
    expect(result.data?.route).toEqual({ id: 'R-000001', name: 'Route 1', waypoints: null });
    expect(result.errors?.map((error) => ({ path: error.path, ...error.extensions }))).toEqual([
      { path: ['route', 'waypoints'], code: 'REDACTED', rule: 'test.withheld' },
    ]);
    expect(audit.entries[0]).toMatchObject({ decision: 'PARTIAL', fieldsRedacted: ['waypoints'] });
  });

  it('resolves no field of a record that did not pass the funnel', async () => {
    const [row] = await harness.store.query(sql`SELECT * FROM cbp.routes WHERE id = 'R-000001'`);
    const unreleased = readRoute(row ?? {});
    const { result } = await run(CBP, `{ route(id: "R-000001") { id name hazards { kind } } }`, {}, {
      loaders: (loaders) => ({ ...loaders, route: new DataLoader<RecordKey, never, string>(async (keys) => keys.map(() => unreleased as never)) }),
    });
    expect(result.data?.route).toEqual({ id: 'R-000001', name: null, hazards: null });
    expect(errorCodes(result)).toEqual(['INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR']);
  });
});

describe('the CBP subgraph, writing', () => {
  const record = `mutation($input: RecordEncounterInput!) { recordEncounter(input: $input) {
    id ownerOrg ownerAgency jurisdictions disseminate sector station disposition familyUnit route { id } person { id } } }`;
  const valid = { personId: 'P-000004', sector: 'TUCSON', station: 'Casa Grande', disposition: 'RELEASED', routeId: 'R-000003', familyUnit: true };

  it('records an encounter owned by the caller, writes it, and releases it through the funnel', async () => {
    const before = await count('cbp.encounters');
    const { result, audit } = await run(CBP, record, { input: valid });
    expect(result.errors).toBeUndefined();
    const encounter = result.data?.recordEncounter as { id: string };
    expect(encounter).toMatchObject({
      ownerOrg: 'cbp-tucson',
      ownerAgency: 'CBP',
      jurisdictions: ['TUCSON'],
      disseminate: ['DHS'],
      station: 'Casa Grande',
      familyUnit: true,
      route: { id: 'R-000003' },
      person: { id: 'P-000004' },
    });
    expect(encounter.id).toMatch(/^E-/);
    expect(await count('cbp.encounters')).toBe(before + 1);
    expect(audit.entries.map((entry) => [entry.action, entry.recordType, entry.decision])).toEqual([
      ['WRITE', 'Encounter', 'ALLOW'],
      ['READ', 'Encounter', 'ALLOW'],
      ['READ', 'Route', 'ALLOW'],
    ]);
    const read = await run(CBP, `query($id: ID!) { encounter(id: $id) { id station } }`, { id: encounter.id });
    expect(read.result.data?.encounter).toEqual({ id: encounter.id, station: 'Casa Grande' });
  });

  it.each([
    ['an unknown person', { personId: 'P-999999' }, 'personId'],
    ['a person the caller cannot read', { personId: 'P-000003' }, 'personId'],
    ['a malformed person id', { personId: "P-1'; DROP TABLE cbp.encounters; --" }, 'personId'],
    ['both a person and an identity', { subject: { name: 'Ana Example' } }, 'subject'],
    ['neither a person nor an identity', { personId: null }, 'personId'],
    ['an unknown route', { routeId: 'R-999999' }, 'routeId'],
    ['a route the caller cannot see', { routeId: 'R-000011' }, 'routeId'],
    ['an empty station', { station: '   ' }, 'station'],
    ['an overlong station', { station: 'S'.repeat(121) }, 'station'],
    ['an overlong medical summary', { medicalSummary: 'M'.repeat(2001) }, 'medicalSummary'],
    ['a time in the future', { occurredAt: '2026-06-02T00:00:00Z' }, 'occurredAt'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_, change, argument) => {
    const before = await count('cbp.encounters');
    const { result, audit } = await run(CBP, record, { input: { ...valid, ...change } });
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument }]);
    expect(await count('cbp.encounters')).toBe(before);
    expect(audit.entries).toEqual([]);
  });

  it('refuses a sector outside the SDL enum before the resolver runs', async () => {
    const { result } = await run(CBP, record, { input: { ...valid, sector: 'YUMA' } });
    expect(result.errors?.[0]?.message).toMatch(/Sector/);
    expect(result.data).toBeUndefined();
  });

  it('asks the policy (rule 9) and writes nothing when it refuses', async () => {
    const before = await count('cbp.encounters');
    const { result, audit } = await run(CBP, record, { input: valid }, { readOnly: true });
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(await count('cbp.encounters')).toBe(before);
    expect(audit.entries).toMatchObject([{ action: 'WRITE', recordType: 'Encounter', decision: 'DENY', rules: ['test.read-only'] }]);
  });

  it('answers a person it cannot read exactly as an unknown one: same code, message and argument', async () => {
    const hidden = await run(CBP, record, { input: { ...valid, personId: 'P-000003' } });
    const unknown = await run(CBP, record, { input: { ...valid, personId: 'P-999999' } });
    expect(hidden.result.errors?.map((error) => error.message.replace('P-000003', '<id>'))).toEqual(
      unknown.result.errors?.map((error) => error.message.replace('P-999999', '<id>')),
    );
  });

  it('records an encounter by the identity the agent holds: no person link, the identity shown as supplied', async () => {
    const input = { ...valid, personId: null, subject: { name: 'Ana Example', dateOfBirth: '1990-04-02', nationality: 'MX' } };
    const { result } = await run(CBP, `mutation($input: RecordEncounterInput!) { recordEncounter(input: $input) {
      id person { id } subject { name dateOfBirth nationality } } }`, { input });
    expect(result.errors).toBeUndefined();
    const encounter = result.data?.recordEncounter as { id: string };
    expect(encounter).toMatchObject({ person: null, subject: { name: 'Ana Example', dateOfBirth: '1990-04-02', nationality: 'MX' } });
    const [row] = await harness.store.query(sql`SELECT person_id FROM cbp.encounters WHERE id = ${encounter.id}`);
    expect(row).toEqual({ person_id: null });
  });

  it('refuses a sector outside the agent\'s jurisdictions as FORBIDDEN, audited under writes.own-jurisdictions', async () => {
    const before = await count('cbp.encounters');
    const { result, audit } = await run(CBP, record, { input: { ...valid, sector: 'EL_PASO', routeId: null } });
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'FORBIDDEN', rule: 'writes.own-jurisdictions' }]);
    expect(result.errors?.[0]?.message).toMatch(/EL_PASO lies outside your jurisdictions \(TUCSON, RGV\)/);
    expect(await count('cbp.encounters')).toBe(before);
    expect(audit.entries).toMatchObject([{ action: 'WRITE', recordType: 'Encounter', decision: 'DENY', rules: ['writes.own-jurisdictions'] }]);
  });

  const link = `mutation($routeId: ID!, $networkId: ID!) { linkRouteToNetwork(routeId: $routeId, networkId: $networkId) { id networks { id } } }`;

  it('links a route to a network once, however often it is asked', async () => {
    for (let i = 0; i < 2; i += 1) {
      const { result, audit } = await run(CBP, link, { routeId: 'R-000005', networkId: 'N-000003' });
      expect(result.errors).toBeUndefined();
      expect(result.data?.linkRouteToNetwork).toEqual({ id: 'R-000005', networks: [{ id: 'N-000003' }] });
      expect(audit.entries.map((entry) => [entry.action, entry.recordId, entry.decision])).toEqual([
        ['WRITE', 'R-000005', 'ALLOW'],
        ['READ', 'R-000005', 'ALLOW'],
      ]);
    }
    expect(await count(`cbp.route_networks WHERE route_id = 'R-000005'`)).toBe(1);
  });

  it.each([
    ['a route the caller cannot see', { routeId: 'R-000011', networkId: 'N-000003' }, 'routeId'],
    ['an unknown route', { routeId: 'R-999999', networkId: 'N-000003' }, 'routeId'],
    ['an unknown network', { routeId: 'R-000005', networkId: 'N-999999' }, 'networkId'],
    ['a network the caller cannot see', { routeId: 'R-000005', networkId: 'N-000002' }, 'networkId'],
  ])('refuses to link %s with BAD_USER_INPUT and links nothing', async (_, variables, argument) => {
    const before = await count('cbp.route_networks');
    const { result } = await run(CBP, link, variables);
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument }]);
    expect(await count('cbp.route_networks')).toBe(before);
  });

  it('asks the policy before linking and links nothing when it refuses', async () => {
    const before = await count('cbp.route_networks');
    const { result } = await run(CBP, link, { routeId: 'R-000007', networkId: 'N-000003' }, { readOnly: true });
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(await count('cbp.route_networks')).toBe(before);
  });
});

describe('the CBP subgraph, batching', () => {
  const routes = `query($first: Int) { routes(first: $first) { totalCount edges { node { id name hazards { kind } networks { id } } } } }`;
  const encounters = `query($first: Int) { encounters(first: $first) { edges { node { id route { id name } person { id } } } } }`;

  it('serves a page of routes with their networks in constant round trips and one audit append', async () => {
    const small = await run(CBP, routes, { first: 2 });
    const large = await run(CBP, routes, { first: 10 });
    expect((large.result.data?.routes as { edges: unknown[] }).edges).toHaveLength(10);
    expect(small.roundTrips).toBe(3); // page, count, links
    expect(large.roundTrips).toBe(small.roundTrips);
    expect(large.audit.appends).toHaveLength(1);
    expect(large.audit.entries).toHaveLength(10);
  });

  it('serves a page of encounters with their routes in constant round trips: one append per level', async () => {
    const small = await run(CBP, encounters, { first: 2 });
    const large = await run(CBP, encounters, { first: 7 });
    expect(large.result.errors).toBeUndefined();
    expect(small.roundTrips).toBe(2); // page, routes
    expect(large.roundTrips).toBe(small.roundTrips);
    expect(large.audit.appends).toHaveLength(2);
  });
});
