import { describe, expect, it } from 'vitest';
import type { Agency } from '../../lib/domain.js';
import { sql, type Store } from '../../lib/store/index.js';
import { partnerSubgraph } from '../../subgraphs/partner/index.js';
import { errorCodes, nodeIds, testCaller, useSubgraphHarness, type Caller, type ConnectionPage } from '../support/subgraph-harness.js';

// The subgraph under the harness's owner-only policy and in-memory audit log (test/support/subgraph-harness.ts).

const caller = (agency: Agency, org: string, jurisdictions: readonly string[]): Caller =>
  testCaller({ agency, org, roles: ['officer'], jurisdictions, cfr28: false, sworn: true }, 'CUSTODY_TRANSFER');
const SAGUARO = caller('PARTNER', 'partner-saguaro-so', ['county:saguaro', 'TUCSON']);
const ICE = caller('ICE', 'ice-ero-phoenix', ['TUCSON']);
const NOW = new Date('2026-06-01T12:00:00.000Z');

const harness = useSubgraphHarness(partnerSubgraph, { now: NOW, seed });
const { run } = harness;

const bookingCount = async (): Promise<number> => Number((await harness.store.query(sql`SELECT count(*)::int AS n FROM partner.bookings`))[0]?.n);

// ---- Fixture: persons (ICE's table) and bookings.

/**
 * P-000001..P-000003 are ICE's, which the owner-only policy hides from a partner: a booking may
 * not name them (SPEC 5, "Writes never widen reads"). P-000004 is owned by the sheriff's office
 * itself only so that the owner-only policy lets it read one person to book.
 *
 * B-000001..B-000008 are the Saguaro sheriff's (counties alternating saguaro/mesquite, persons
 * 1 and 2 alternating); B-000002 led to transfer T-000001, B-000004 and B-000005 both name
 * T-000002; B-000009 is ICE's (invisible to a partner here) and names T-000003.
 */
async function seed(store: Store): Promise<void> {
  for (const id of ['P-000001', 'P-000002', 'P-000003']) {
    await store.query(sql`INSERT INTO ice.persons (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, name)
      VALUES (${id}, 'ice-ero-phoenix', 'ICE', 'SENSITIVE', ARRAY['TUCSON']::text[], ARRAY['DHS']::text[], ${`Person ${id}`})`);
  }
  await store.query(sql`INSERT INTO ice.persons (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, name)
    VALUES ('P-000004', 'partner-saguaro-so', 'PARTNER', 'SENSITIVE', ARRAY['county:saguaro']::text[], '{}'::text[], 'Person P-000004')`);
  const transfers: Record<number, string> = { 2: 'T-000001', 4: 'T-000002', 5: 'T-000002', 9: 'T-000003' };
  for (let i = 1; i <= 9; i += 1) {
    const id = `B-${String(i).padStart(6, '0')}`;
    const ice = i === 9;
    await store.query(sql`INSERT INTO partner.bookings (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at,
      updated_at, person_id, county, booked_at, charges, detainer_status, release_date, transfer_id)
      VALUES (${id}, ${ice ? 'ice-ero-phoenix' : 'partner-saguaro-so'}, ${ice ? 'ICE' : 'PARTNER'}, 'LAW_ENFORCEMENT_SENSITIVE',
      ARRAY['county:saguaro', 'TUCSON']::text[], ARRAY['DHS']::text[], ${NOW}, ${NOW}, ${i % 2 === 1 ? 'P-000001' : 'P-000002'},
      ${i % 2 === 1 ? 'county:saguaro' : 'county:mesquite'}, ${new Date(Date.UTC(2026, 2, i))}, ARRAY['Trespass', 'Failure to appear']::text[],
      ${i <= 3 ? 'LODGED' : 'NONE'}, ${i === 1 ? '2026-07-01' : null}::date, ${transfers[i] ?? null})`);
  }
}

describe('the partner subgraph, reading one booking', () => {
  it('returns a visible booking with its person and transfer as bare references, and audits it', async () => {
    const { result, audit } = await run(
      SAGUARO,
      `{ a: booking(id: "B-000001") { id county bookedAt charges detainerStatus releaseDate person { id } transfer { id } }
         b: booking(id: "B-000002") { id releaseDate transfer { id } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      a: {
        id: 'B-000001',
        county: 'county:saguaro',
        bookedAt: '2026-03-01T00:00:00.000Z',
        charges: ['Trespass', 'Failure to appear'],
        detainerStatus: 'LODGED',
        releaseDate: '2026-07-01',
        person: { id: 'P-000001' },
        transfer: null,
      },
      b: { id: 'B-000002', releaseDate: null, transfer: { id: 'T-000001' } },
    });
    expect(audit.appends).toHaveLength(1);
    expect(audit.entries.map((entry) => [entry.recordId, entry.decision, entry.personId])).toEqual([
      ['B-000001', 'ALLOW', 'P-000001'],
      ['B-000002', 'ALLOW', 'P-000002'],
    ]);
  });

  it('reads a booking the policy hides as null, with no error, and audits the denial', async () => {
    const { result, audit } = await run(SAGUARO, `{ booking(id: "B-000009") { id county } }`);
    expect(result).toEqual({ data: { booking: null } });
    expect(audit.entries).toMatchObject([{ recordId: 'B-000009', decision: 'DENY', fieldsReleased: [], fieldsRedacted: ['county', 'id'] }]);
  });

  it('reads unknown and malformed ids as null', async () => {
    for (const id of ['B-999999', "B-1' OR 1=1 --"]) {
      const { result } = await run(SAGUARO, `query($id: ID!) { booking(id: $id) { id } }`, { id });
      expect(result).toEqual({ data: { booking: null } });
    }
  });
});

describe('the partner subgraph, listing bookings', () => {
  const bookings = `query($filter: BookingFilter, $first: Int, $after: String) {
    bookings(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
  const page = async (variables: Record<string, unknown>, who: Caller = SAGUARO): Promise<ConnectionPage> => {
    const { result } = await run(who, bookings, variables);
    expect(result.errors).toBeUndefined();
    return result.data?.bookings as ConnectionPage;
  };

  it('pages through visible bookings only, by cursor, with totalCount of visible records', async () => {
    const first = await page({ first: 5 });
    expect(first.totalCount).toBe(8);
    expect(nodeIds(first)).toEqual(['B-000001', 'B-000002', 'B-000003', 'B-000004', 'B-000005']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page({ first: 5, after: first.pageInfo.endCursor });
    expect(nodeIds(second)).toEqual(['B-000006', 'B-000007', 'B-000008']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(nodeIds(await page({}, ICE))).toEqual(['B-000009']);
  });

  it('filters bookings by county, detainer status, person and booking time', async () => {
    expect(nodeIds(await page({ filter: { county: 'county:mesquite' } }))).toEqual(['B-000002', 'B-000004', 'B-000006', 'B-000008']);
    expect(nodeIds(await page({ filter: { detainerStatus: 'LODGED', personId: 'P-000001' } }))).toEqual(['B-000001', 'B-000003']);
    expect(nodeIds(await page({ filter: { bookedAfter: '2026-03-07T00:00:00Z', bookedBefore: '2026-03-08T00:00:00Z' } }))).toEqual(['B-000007']);
    expect((await page({ filter: { detainerStatus: 'HONORED' } })).totalCount).toBe(0);
  });

  it('refuses a page larger than 500 with OPERATION_LIMIT', async () => {
    const { result } = await run(SAGUARO, bookings, { first: 501 });
    expect(errorCodes(result)).toEqual(['OPERATION_LIMIT']);
  });
});

describe('the partner subgraph, contributing to other subgraphs\' entities', () => {
  const entities = `query($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on Person { id bookings { id county } }
    ... on Transfer { id booking { id person { id } } }
  } }`;

  it('gives persons their visible bookings, in one query and one audit append for the batch', async () => {
    const { result, audit, roundTrips } = await run(SAGUARO, entities, {
      representations: [
        { __typename: 'Person', id: 'P-000001' },
        { __typename: 'Person', id: 'P-000003' },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      {
        id: 'P-000001',
        bookings: ['B-000001', 'B-000003', 'B-000005', 'B-000007'].map((id) => ({ id, county: 'county:saguaro' })),
      },
      { id: 'P-000003', bookings: [] },
    ]);
    expect(roundTrips).toBe(1);
    expect(audit.appends).toHaveLength(1);
    // B-000009 (ICE's, person 1) is filtered out by the policy's SQL, not read and then denied.
    expect(audit.entries.map((entry) => [entry.recordId, entry.decision])).toEqual(
      ['B-000001', 'B-000003', 'B-000005', 'B-000007'].map((id) => [id, 'ALLOW']),
    );
  });

  it('gives a transfer the booking it came from: one booking, visible, and only that one is released', async () => {
    const { result, audit, roundTrips } = await run(SAGUARO, entities, {
      representations: ['T-000001', 'T-000002', 'T-000003', 'T-999999'].map((id) => ({ __typename: 'Transfer', id })),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      { id: 'T-000001', booking: { id: 'B-000002', person: { id: 'P-000002' } } },
      { id: 'T-000002', booking: { id: 'B-000004', person: { id: 'P-000002' } } },
      { id: 'T-000003', booking: null },
      { id: 'T-999999', booking: null },
    ]);
    expect(roundTrips).toBe(1);
    expect(audit.entries.map((entry) => entry.recordId)).toEqual(['B-000002', 'B-000004']);
  });
});

describe('the partner subgraph, guarding fields', () => {
  it('withholds a field the decision denies: null, REDACTED with the rule, the other fields intact', async () => {
    const { result } = await run(SAGUARO, `{ booking(id: "B-000003") { id county charges } }`, {}, { withheld: ['Booking.charges'] });
    expect(result.data?.booking).toEqual({ id: 'B-000003', county: 'county:saguaro', charges: null });
    expect(result.errors?.map((error) => ({ path: error.path, ...error.extensions }))).toEqual([
      { path: ['booking', 'charges'], code: 'REDACTED', rule: 'test.withheld' },
    ]);
  });
});

describe('the partner subgraph, recording a booking', () => {
  const record = `mutation($input: RecordBookingInput!) { recordBooking(input: $input) {
    id ownerOrg ownerAgency jurisdictions disseminate county charges detainerStatus bookedAt releaseDate person { id } transfer { id } } }`;
  const valid = { personId: 'P-000004', county: 'county:saguaro', charges: ['  Trespass  '], bookedAt: '2026-05-30T08:00:00Z', releaseDate: '2026-06-15' };

  it('records a booking owned by the caller, in the county and the caller\'s sectors, and releases it', async () => {
    const before = await bookingCount();
    const { result, audit } = await run(SAGUARO, record, { input: valid });
    expect(result.errors).toBeUndefined();
    const booking = result.data?.recordBooking as { id: string };
    expect(booking).toMatchObject({
      ownerOrg: 'partner-saguaro-so',
      ownerAgency: 'PARTNER',
      jurisdictions: ['county:saguaro', 'TUCSON'],
      disseminate: ['DHS'],
      county: 'county:saguaro',
      charges: ['Trespass'],
      detainerStatus: 'NONE',
      bookedAt: '2026-05-30T08:00:00.000Z',
      releaseDate: '2026-06-15',
      person: { id: 'P-000004' },
      transfer: null,
    });
    expect(booking.id).toMatch(/^B-/);
    expect(await bookingCount()).toBe(before + 1);
    expect(audit.entries.map((entry) => [entry.action, entry.decision])).toEqual([
      ['WRITE', 'ALLOW'],
      ['READ', 'ALLOW'],
    ]);
    const read = await run(SAGUARO, `query($id: ID!) { booking(id: $id) { id releaseDate charges } }`, { id: booking.id });
    expect(read.result.data?.booking).toEqual({ id: booking.id, releaseDate: '2026-06-15', charges: ['Trespass'] });
  });

  it.each([
    ['a county without the county: prefix', { county: 'saguaro' }, 'county'],
    ['a county that is not a jurisdiction id', { county: 'county:Saguaro County' }, 'county'],
    ['an empty county name', { county: 'county:' }, 'county'],
    ['no charges', { charges: [] }, 'charges'],
    ['a blank charge', { charges: ['Trespass', ' '] }, 'charges'],
    ['an overlong charge', { charges: ['C'.repeat(201)] }, 'charges'],
    ['too many charges', { charges: Array.from({ length: 51 }, (_, i) => `Charge ${i}`) }, 'charges'],
    ['an unknown person', { personId: 'P-999999' }, 'personId'],
    ['a booking time in the future', { bookedAt: '2026-06-02T00:00:00Z' }, 'bookedAt'],
    ['a release before the booking', { releaseDate: '2026-05-29' }, 'releaseDate'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_, change, argument) => {
    const before = await bookingCount();
    const { result, audit } = await run(SAGUARO, record, { input: { ...valid, ...change } });
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument }]);
    expect(await bookingCount()).toBe(before);
    expect(audit.entries).toEqual([]);
  });

  it('asks the policy (rule 9) and writes nothing when it refuses', async () => {
    const before = await bookingCount();
    const { result, audit } = await run(SAGUARO, record, { input: valid }, { readOnly: true });
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(await bookingCount()).toBe(before);
    expect(audit.entries).toMatchObject([{ action: 'WRITE', recordType: 'Booking', decision: 'DENY', personId: 'P-000004' }]);
  });
});

describe('the partner subgraph, booking without widening what the office reads (SPEC 5)', () => {
  const record = `mutation($input: RecordBookingInput!) { recordBooking(input: $input) {
    id county person { id } subject { name dateOfBirth nationality } } }`;
  const valid = { county: 'county:saguaro', charges: ['Trespass'], bookedAt: '2026-05-30T08:00:00Z' };
  const refusal = async (input: Record<string, unknown>) => {
    const before = await bookingCount();
    const { result, audit } = await run(SAGUARO, record, { input: { ...valid, ...input } });
    expect(result.data).toBeNull();
    expect(await bookingCount()).toBe(before);
    return { error: result.errors?.[0], audit };
  };

  it('refuses a person the office cannot read exactly like one that does not exist, and writes nothing', async () => {
    const hidden = await refusal({ personId: 'P-000003' });
    const unknown = await refusal({ personId: 'P-999999' });
    const malformed = await refusal({ personId: "P-1' OR 1=1 --" });
    for (const [answer, id] of [
      [hidden, 'P-000003'],
      [unknown, 'P-999999'],
      [malformed, "P-1' OR 1=1 --"],
    ] as const) {
      expect(answer.error?.message).toBe(`Person ${id} was not found`);
      expect(answer.error?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'personId' });
      expect(answer.audit.entries).toEqual([]);
    }
  });

  it('books someone by the identity the office holds: stored on the booking, no person link, nothing of ICE\'s read', async () => {
    const subject = { name: '  Ana Example  ', dateOfBirth: '1990-04-02', nationality: 'MX' };
    const { result, audit } = await run(SAGUARO, record, { input: { ...valid, subject } });
    expect(result.errors).toBeUndefined();
    const booking = result.data?.recordBooking as { id: string };
    expect(booking).toMatchObject({ county: 'county:saguaro', person: null, subject: { name: 'Ana Example', dateOfBirth: '1990-04-02', nationality: 'MX' } });
    expect(audit.entries.map((entry) => [entry.action, entry.recordType, entry.personId])).toEqual([
      ['WRITE', 'Booking', null],
      ['READ', 'Booking', null],
    ]);
    const [row] = await harness.store.query(sql`SELECT person_id, subject_name FROM partner.bookings WHERE id = ${booking.id}`);
    expect(row).toEqual({ person_id: null, subject_name: 'Ana Example' });
  });

  it('withholds the supplied identity as PII of the booking where the policy withholds it', async () => {
    const { result } = await run(SAGUARO, record, { input: { ...valid, subject: { name: 'Ana Example' } } }, { withheld: ['Booking.subject'] });
    expect(result.data?.recordBooking).toMatchObject({ person: null, subject: null });
    expect(errorCodes(result)).toEqual(['REDACTED']);
  });

  it.each([
    ['both a person and an identity', { personId: 'P-000004', subject: { name: 'Ana Example' } }, 'subject'],
    ['neither a person nor an identity', {}, 'personId'],
    ['a blank name', { subject: { name: '  ' } }, 'subject.name'],
    ['a birth date in the future', { subject: { name: 'Ana Example', dateOfBirth: '2026-06-02' } }, 'subject.dateOfBirth'],
  ])('refuses %s with BAD_USER_INPUT before reading any person', async (_, input, argument) => {
    const { error, audit } = await refusal(input);
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
    expect(audit.entries).toEqual([]);
  });

  it('refuses a county outside the office\'s jurisdictions as FORBIDDEN, audited under writes.own-jurisdictions', async () => {
    const { error, audit } = await refusal({ personId: 'P-000004', county: 'county:mesquite' });
    expect(error?.extensions).toEqual({ code: 'FORBIDDEN', rule: 'writes.own-jurisdictions' });
    expect(error?.message).toMatch(/county:mesquite lies outside your jurisdictions \(county:saguaro, TUCSON\)/);
    expect(audit.entries).toMatchObject([{ action: 'WRITE', recordType: 'Booking', decision: 'DENY', rules: ['writes.own-jurisdictions'] }]);
  });
});

describe('the partner subgraph, batching', () => {
  const bookings = `query($first: Int) { bookings(first: $first) { totalCount edges { node { id charges person { id } transfer { id } } } } }`;

  it('serves a page of bookings in constant round trips and one audit append', async () => {
    const small = await run(SAGUARO, bookings, { first: 2 });
    const large = await run(SAGUARO, bookings, { first: 10 });
    expect(large.result.errors).toBeUndefined();
    expect((large.result.data?.bookings as { edges: unknown[] }).edges).toHaveLength(10);
    expect(small.roundTrips).toBe(2); // page, count
    expect(large.roundTrips).toBe(small.roundTrips);
    expect(large.audit.appends).toHaveLength(1);
    expect(large.audit.entries).toHaveLength(10);
  });
});
