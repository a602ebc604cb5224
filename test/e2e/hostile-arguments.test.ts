import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Purpose, ServiceName } from '../../lib/domain.js';
import type { PersonaName } from '../../lib/identity/index.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, entriesOf, newRequestId, send, type Answer } from '../support/http-client.js';

/** One malformed argument, as an attacker would send it to one service. */
interface MalformedCase {
  readonly name: string;
  readonly persona: PersonaName;
  readonly purpose: Purpose;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  /** The argument the message must name, as the client wrote it (`filter.seenAfter`). */
  readonly argument: string;
}

const CBP_ANALYST = { persona: 'cbp-analyst', purpose: 'INTERDICTION' } as const;
const PARTNER = { persona: 'partner-saguaro', purpose: 'CUSTODY_TRANSFER' } as const;
const NGO = { persona: 'ngo-legal', purpose: 'LEGAL_SERVICES' } as const;
const AUDITOR = { persona: 'auditor', purpose: 'OVERSIGHT_AUDIT' } as const;
const LONE_SURROGATE = String.fromCharCode(0xd800);

/** The same hostile shapes, for the records of each service; the gateway is asked all of them. */
const CASES: Readonly<Record<Exclude<ServiceName, 'gateway'>, readonly MalformedCase[]>> = {
  cbp: [
    { name: 'a negative first, written', ...CBP_ANALYST, query: '{ routes(first: -1) { totalCount } }', argument: 'first' },
    { name: 'a negative first, in a variable', ...CBP_ANALYST, query: 'query($n: Int) { routes(first: $n) { totalCount } }', variables: { n: -5 }, argument: 'first' },
    { name: 'an Int past 32 bits, written', ...CBP_ANALYST, query: '{ routes(first: 99999999999) { totalCount } }', argument: 'first' },
    { name: 'an Int past 32 bits, in a variable', ...CBP_ANALYST, query: 'query($n: Int) { routes(first: $n) { totalCount } }', variables: { n: 1e12 }, argument: 'first' },
    { name: 'an invalid DateTime in a filter, written', ...CBP_ANALYST, query: '{ routes(filter: { seenAfter: "yesterday" }) { totalCount } }', argument: 'filter.seenAfter' },
    {
      name: 'an invalid DateTime inside an input object variable',
      ...CBP_ANALYST,
      query: 'query($f: RouteFilter) { routes(filter: $f) { totalCount } }',
      variables: { f: { seenAfter: '2026-13-45T99:00:00Z' } },
      argument: 'filter.seenAfter',
    },
    { name: 'a NUL byte in an ID, written as an escape', ...CBP_ANALYST, query: '{ route(id: "R-0001\\u0000") { id } }', argument: 'id' },
    { name: 'a NUL byte in an ID variable', ...CBP_ANALYST, query: 'query($id: ID!) { route(id: $id) { id } }', variables: { id: 'R-0001\u0000' }, argument: 'id' },
    { name: 'a lone surrogate (not UTF-8) in an ID variable', ...CBP_ANALYST, query: 'query($id: ID!) { route(id: $id) { id } }', variables: { id: `R-${LONE_SURROGATE}` }, argument: 'id' },
    { name: 'an id 10,000 characters long', ...CBP_ANALYST, query: 'query($id: ID!) { route(id: $id) { id } }', variables: { id: 'R'.repeat(10_000) }, argument: 'id' },
    { name: 'a garbage after cursor', ...CBP_ANALYST, query: '{ routes(first: 1, after: "garbage!!") { totalCount } }', argument: 'after' },
    { name: 'a cursor that is base64url but not ours', ...CBP_ANALYST, query: 'query($c: String) { routes(after: $c) { totalCount } }', variables: { c: Buffer.from('x').toString('base64url') }, argument: 'after' },
  ],
  ice: [
    { name: 'a negative first', ...CBP_ANALYST, query: '{ networks(first: -1) { totalCount } }', argument: 'first' },
    { name: 'an invalid DateTime in a filter variable', ...CBP_ANALYST, query: 'query($t: DateTime) { transfers(filter: { requestedAfter: $t }) { totalCount } }', variables: { t: 'not-a-date' }, argument: 'filter.requestedAfter' },
    { name: 'a NUL byte in an ID', ...CBP_ANALYST, query: 'query($id: ID!) { person(id: $id) { id } }', variables: { id: 'P-0001\u0000' }, argument: 'id' },
  ],
  partner: [
    { name: 'a negative first', ...PARTNER, query: '{ bookings(first: -1) { totalCount } }', argument: 'first' },
    { name: 'an invalid DateTime in a filter', ...PARTNER, query: '{ bookings(filter: { bookedAfter: "2026-01-01" }) { totalCount } }', argument: 'filter.bookedAfter' },
    {
      name: 'an invalid Date in a write (nothing is written)',
      ...PARTNER,
      query: 'mutation($in: RecordBookingInput!) { recordBooking(input: $in) { id } }',
      variables: { in: { personId: 'P-0001', county: 'saguaro', charges: ['trespass'], releaseDate: '31/12/2026' } },
      argument: 'input.releaseDate',
    },
    {
      name: 'a NUL byte inside a list in a write',
      ...PARTNER,
      query: 'mutation { recordBooking(input: { personId: "P-0001", county: "saguaro", charges: ["trespass", "x\\u0000"] }) { id } }',
      argument: 'input.charges[1]',
    },
  ],
  ngo: [
    { name: 'a negative first', ...NGO, query: '{ referrals(first: -1) { totalCount } }', argument: 'first' },
    { name: 'a NUL byte in a filter string', ...NGO, query: 'query($o: String) { referrals(filter: { toOrg: $o }) { totalCount } }', variables: { o: 'ngo\u0000' }, argument: 'filter.toOrg' },
    {
      name: 'an invalid DateTime in a write',
      ...NGO,
      query: 'mutation { grantConsent(referralId: "F-0001", input: { grantees: ["ICE"], purposes: [LEGAL_SERVICES], expiresAt: "soon" }) { id } }',
      argument: 'input.expiresAt',
    },
  ],
  audit: [
    { name: 'a negative first', ...AUDITOR, query: '{ accessLog(first: -1) { totalCount } }', argument: 'first' },
    { name: 'an invalid DateTime in a filter', ...AUDITOR, query: '{ accessLog(filter: { from: "2026-11-01 12:00" }) { totalCount } }', argument: 'filter.from' },
    { name: 'an invalid DateTime argument in a variable', ...AUDITOR, query: 'query($from: DateTime) { denialsByRule(from: $from) { rule } }', variables: { from: 12 }, argument: 'from' },
    { name: 'a garbage cursor', ...AUDITOR, query: '{ accessLog(after: "%%%") { totalCount } }', argument: 'after' },
  ],
};

/**
 * Malformed arguments (issue #14, class 5): each is refused before execution with HTTP 400,
 * BAD_USER_INPUT and a message naming the argument, through the gateway and straight to the
 * subgraph that owns the field, written literally and passed in variables; nothing is read or
 * written, and nothing becomes an internal error.
 */
describe('malformed arguments', () => {
  let fed: TestFederation;

  beforeAll(async () => {
    fed = await startTestFederation();
  });
  afterAll(async () => {
    await fed?.close();
  });

  const ask = async (url: string, malformed: MalformedCase, requestId: string): Promise<Answer> =>
    send(url, {
      token: await fed.token(malformed.persona),
      purpose: malformed.purpose,
      json: { query: malformed.query, variables: malformed.variables ?? {} },
      headers: { 'x-request-id': requestId },
    });

  const expectRefusedNamingArgument = async (answer: Answer, malformed: MalformedCase, requestId: string): Promise<void> => {
    expect({ status: answer.status, code: codes(answer.body)[0] }).toEqual({ status: 400, code: 'BAD_USER_INPUT' });
    // A literal graphql-js also refuses (an Int past 32 bits; a custom scalar on a subgraph,
    // whose parse function throws during validation) carries graphql-js's error after ours.
    expect(codes(answer.body).every((code) => code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED')).toBe(true);
    expect(answer.body.data ?? undefined).toBeUndefined();
    expect(answer.body.errors?.[0]?.message).toContain(`"${malformed.argument}"`);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ argument: malformed.argument });
    // And where it is written, for the client to find it.
    expect(answer.body.errors?.[0]).toHaveProperty('locations');
    // Refused before execution: no record was read or written for it.
    const entries = await entriesOf(fed.testStore.store, requestId);
    expect(entries.filter((entry) => entry.action === 'READ' || entry.action === 'WRITE')).toEqual([]);
  };

  for (const [service, cases] of Object.entries(CASES)) {
    for (const malformed of cases) {
      it(`refuses ${malformed.name} (${service}) through the gateway with 400 BAD_USER_INPUT naming the argument`, async () => {
        const requestId = newRequestId();
        await expectRefusedNamingArgument(await ask(fed.gatewayUrl, malformed, requestId), malformed, requestId);
      });

      it(`refuses ${malformed.name} straight to the ${service} subgraph with 400 BAD_USER_INPUT naming the argument`, async () => {
        const requestId = newRequestId();
        const url = fed.federation.urls[service as ServiceName] ?? '';
        await expectRefusedNamingArgument(await ask(url, malformed, requestId), malformed, requestId);
      });
    }
  }

  it('refuses a string where an enum belongs, in a variable, with 400 BAD_USER_INPUT (gateway and subgraph)', async () => {
    const malformed: MalformedCase = { name: 'enum-looking string', ...CBP_ANALYST, query: 'query($f: RouteFilter) { routes(filter: $f) { totalCount } }', variables: { f: { sector: 'tucson' } }, argument: 'f' };
    for (const url of [fed.gatewayUrl, fed.federation.urls.cbp ?? '']) {
      const answer = await ask(url, malformed, newRequestId());
      expect({ status: answer.status, codes: codes(answer.body) }).toEqual({ status: 400, codes: ['BAD_USER_INPUT'] });
      expect(answer.body.errors?.[0]?.message).toContain('"$f"');
    }
  });

  it('still answers well-formed arguments of the same shapes', async () => {
    const answer = await send(fed.gatewayUrl, {
      token: await fed.token('cbp-analyst'),
      purpose: 'INTERDICTION',
      json: {
        query: 'query($f: RouteFilter, $n: Int) { routes(first: $n, filter: $f) { totalCount pageInfo { endCursor } } }',
        variables: { n: 2, f: { seenAfter: '2020-01-01T00:00:00Z' } },
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors ?? []).toEqual([]);
    const endCursor = (answer.body.data?.['routes'] as { pageInfo: { endCursor: string | null } }).pageInfo.endCursor;
    expect(endCursor).toEqual(expect.any(String));
    // A cursor this API gave out is a well-formed `after`.
    const next = await send(fed.gatewayUrl, {
      token: await fed.token('cbp-analyst'),
      purpose: 'INTERDICTION',
      json: { query: 'query($c: String) { routes(first: 2, after: $c) { totalCount } }', variables: { c: endCursor } },
    });
    expect({ status: next.status, errors: next.body.errors ?? [] }).toEqual({ status: 200, errors: [] });
  });
});
