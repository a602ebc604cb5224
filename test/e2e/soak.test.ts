import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChains } from '../../lib/audit/index.js';
import { readSettings } from '../../lib/config.js';
import type { Purpose, SubgraphName } from '../../lib/domain.js';
import { mintToken, PERSONAS, type PersonaName } from '../../lib/identity/index.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, countEntries, send, type Answer, type SendOptions } from '../support/http-client.js';

/**
 * Seconds of load. 15 in the suite; for a real soak run, e.g.:
 *   SOAK_SECONDS=60 npx vitest run test/e2e/soak.test.ts --project once
 */
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 15);
/** Requests in flight at any moment. */
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
/** One request in this many is hostile (the injected faults): each must get its exact refusal. */
const HOSTILE_EVERY = 10;

interface Legitimate {
  readonly persona: PersonaName;
  readonly purpose: Purpose;
  readonly query: string;
}

/** What each kind of user does all day, crossing every subgraph; none of it may fail. */
const WORKLOAD: readonly Legitimate[] = [
  { persona: 'cbp-analyst', purpose: 'INTERDICTION', query: '{ networks(first: 5) { totalCount edges { node { id name threatLevel routes { id name sector hazards { kind } } } } } }' },
  { persona: 'cbp-agent', purpose: 'INTERDICTION', query: '{ routes(first: 10) { edges { node { id name sector modality hazards { kind } } } } encounters(first: 10) { edges { node { id station disposition } } } }' },
  { persona: 'ice-officer', purpose: 'CUSTODY_TRANSFER', query: '{ transfers(first: 20) { totalCount edges { node { id status toFacility person { id name } } } } }' },
  { persona: 'ice-analyst', purpose: 'INVESTIGATION', query: '{ transfers(first: 10) { edges { node { id status person { id name encounters { id station } } } } } }' },
  { persona: 'partner-saguaro', purpose: 'CUSTODY_TRANSFER', query: '{ bookings(first: 10) { edges { node { id county detainerStatus } } } }' },
  { persona: 'ngo-legal', purpose: 'LEGAL_SERVICES', query: '{ referrals(first: 5) { edges { node { id service status notes } } } }' },
  { persona: 'ngo-shelter', purpose: 'HUMANITARIAN', query: '{ providers(first: 5) { edges { node { id name capacity bedsAvailable } } } routes(first: 5) { edges { node { id hazards { kind } } } } }' },
  { persona: 'auditor', purpose: 'OVERSIGHT_AUDIT', query: '{ accessLog(first: 10) { edges { node { id action decision recordType } } } }' },
  // Someone CBP cannot read yet is recorded by the identity the agent holds (SPEC 5, "Writes never widen reads").
  { persona: 'cbp-agent', purpose: 'INTERDICTION', query: 'mutation { recordEncounter(input: { subject: { name: "Soak Subject" }, sector: TUCSON, station: "Ajo", disposition: RELEASED }) { id station } }' },
];

/** The tokens hostile requests are sent with: an analyst's, an expired one, a ten-year one, a partner's. */
interface HostileTokens {
  readonly analyst: string;
  readonly expired: string;
  readonly tenYear: string;
  readonly partner: string;
}

interface Hostile {
  readonly name: string;
  /** Where it is sent: the gateway, unless it names a subgraph (reachable directly, SPEC 8). */
  readonly service?: SubgraphName;
  readonly request: (tokens: HostileTokens) => SendOptions;
  /** Values that must not appear anywhere in the answer (a hidden person's identity, say). */
  readonly neverIn?: readonly string[];
  readonly status: number;
  readonly code: string;
}

const HOSTILE: readonly Hostile[] = [
  { name: 'expired token', request: ({ expired }) => ({ token: expired, purpose: 'INTERDICTION', json: { query: '{ routes { totalCount } }' } }), status: 401, code: 'UNAUTHENTICATED' },
  {
    name: 'depth bomb',
    request: ({ analyst: token }) => ({ token, purpose: 'INTERDICTION', json: { query: `{ route(id: "R-0001") { ${'networks { routes { '.repeat(6)}id${' } }'.repeat(6)} } }` } }),
    status: 400,
    code: 'OPERATION_LIMIT',
  },
  {
    name: 'depth bomb straight to cbp',
    service: 'cbp',
    request: ({ analyst: token }) => ({ token, purpose: 'INTERDICTION', json: { query: `{ route(id: "R-0001") { ${'networks { routes { '.repeat(6)}id${' } }'.repeat(6)} } }` } }),
    status: 400,
    code: 'OPERATION_LIMIT',
  },
  {
    name: 'entity fetch multiplying past the cost, straight to ice',
    service: 'ice',
    request: ({ analyst: token }) => ({
      token,
      purpose: 'INTERDICTION',
      json: {
        query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { transfers { person { transfers { person { transfers { id } } } } } } } }',
        variables: { r: Array.from({ length: 300 }, (_, i) => ({ __typename: 'Person', id: `P-${String(i + 1).padStart(6, '0')}` })) },
      },
    }),
    status: 400,
    code: 'OPERATION_LIMIT',
  },
  { name: 'page of 501 straight to partner', service: 'partner', request: ({ analyst: token }) => ({ token, purpose: 'INTERDICTION', json: { query: '{ bookings(first: 501) { totalCount } }' } }), status: 400, code: 'OPERATION_LIMIT' },
  { name: 'batch of 11', request: ({ analyst: token }) => ({ token, purpose: 'INTERDICTION', json: Array.from({ length: 11 }, () => ({ query: '{ __typename }' })) }), status: 400, code: 'OPERATION_LIMIT' },
  { name: 'malformed JSON', request: ({ analyst: token }) => ({ token, purpose: 'INTERDICTION', raw: '{"query": ' }), status: 400, code: 'BAD_USER_INPUT' },
  // Malformed arguments (issue #14, class 5): refused before execution, never a 5xx.
  ...malformedArguments(),
  // A token that claims to live ten years (class 6).
  { name: 'ten-year token', request: ({ tenYear }) => ({ token: tenYear, purpose: 'INTERDICTION', json: { query: '{ routes { totalCount } }' } }), status: 401, code: 'UNAUTHENTICATED' },
  // Writes that would widen reads (class 1): a person nobody's records name is hidden from a
  // partner, so naming it is refused like an unknown id, and nothing of it comes back.
  {
    name: 'booking naming a hidden person',
    request: ({ partner }) => ({
      token: partner,
      purpose: 'CUSTODY_TRANSFER',
      json: { query: `mutation { recordBooking(input: { personId: "${HIDDEN_PERSON}", county: "county:saguaro", charges: ["soak"] }) { id person { id name aNumber } } }` },
    }),
    status: 200,
    code: 'BAD_USER_INPUT',
    neverIn: ['"name"', '"aNumber"'],
  },
  {
    name: 'transfer request naming a hidden person',
    request: ({ partner }) => ({
      token: partner,
      purpose: 'CUSTODY_TRANSFER',
      json: { query: `mutation { requestTransfer(input: { personId: "${HIDDEN_PERSON}", toOrg: "ice-ero-phoenix", toFacility: "Eloy", reason: "soak" }) { id person { name } } }` },
    }),
    status: 200,
    code: 'BAD_USER_INPUT',
    neverIn: ['"name"'],
  },
];

/** Linked to no org's records in the seed (the soak's own encounters name a subject, not a person). */
const HIDDEN_PERSON = 'P-000001';
const YEAR_SECONDS = 365 * 86_400;

function malformedArguments(): Hostile[] {
  const asAnalyst = (query: string, variables: Record<string, unknown> = {}) => ({ analyst: token }: HostileTokens): SendOptions => ({ token, purpose: 'INTERDICTION', json: { query, variables } });
  return [
    { name: 'negative first', request: asAnalyst('{ routes(first: -1) { totalCount } }'), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'invalid DateTime', request: asAnalyst('query($f: RouteFilter) { routes(filter: $f) { totalCount } }', { f: { seenAfter: 'yesterday' } }), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'NUL byte in an id', request: asAnalyst('query($id: ID!) { route(id: $id) { id } }', { id: 'R-0001\u0000' }), status: 400, code: 'BAD_USER_INPUT' },
    { name: 'garbage cursor', request: asAnalyst('{ networks(after: "garbage!!") { totalCount } }'), status: 400, code: 'BAD_USER_INPUT' },
  ];
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

/**
 * Mixed load over loopback from every kind of user, a few writes and a steady trickle of hostile
 * requests, for SOAK_SECONDS with CONCURRENCY requests in flight. It ends with no failure of any
 * legitimate request, every hostile one refused exactly as designed, more READ entries in the
 * audit log than before, and every hash chain intact.
 */
describe('soak', () => {
  let fed: TestFederation;
  beforeAll(async () => {
    fed = await startTestFederation({
      // Rate limits off: this measures the federation under sustained load well beyond one
      // subject's budget (rate limits have tests of their own).
      settings: { ...readSettings({ ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'silent' }), rateLimitPerSubject: 0, rateLimitPerOrg: 0 },
    });
  });
  afterAll(async () => {
    await fed?.close();
  });

  it(
    `stays correct under ${CONCURRENCY} concurrent requests for ${SOAK_SECONDS} s`,
    async () => {
      const tokens = new Map<PersonaName, string>();
      for (const { persona } of WORKLOAD) tokens.set(persona, await fed.token(persona));
      const analyst = tokens.get('cbp-analyst') ?? '';
      const dir = process.env.DEV_ISSUER_DIR ?? '';
      const hostileTokens: HostileTokens = {
        analyst,
        expired: await mintToken(PERSONAS['cbp-analyst'], { dir, now: new Date(Date.now() - 7_200_000), expiresIn: 600 }),
        tenYear: await mintToken(PERSONAS['cbp-analyst'], { dir, expiresIn: 10 * YEAR_SECONDS }),
        partner: await fed.token('partner-saguaro'),
      };

      // Every legitimate request is known good before the load starts: a failure later is the load's.
      for (const work of WORKLOAD) {
        const answer = await fed.query(work.persona, work.purpose, work.query);
        expect({ persona: work.persona, status: answer.status, errors: answer.body.errors ?? [] }).toEqual({ persona: work.persona, status: 200, errors: [] });
      }
      const readsBefore = await countEntries(fed.testStore.store, 'READ');
      const writesBefore = await countEntries(fed.testStore.store, 'WRITE');

      const failures: string[] = [];
      const latencies: number[] = [];
      let legitimate = 0;
      let hostile = 0;
      let sequence = 0;
      const deadline = Date.now() + SOAK_SECONDS * 1_000;

      const one = async (): Promise<void> => {
        const n = sequence++;
        if (n % HOSTILE_EVERY === HOSTILE_EVERY - 1) {
          const fault = HOSTILE[Math.floor(n / HOSTILE_EVERY) % HOSTILE.length] as Hostile;
          const answer = await send((fault.service ? fed.federation.urls[fault.service] : fed.gatewayUrl) ?? '', fault.request(hostileTokens));
          hostile += 1;
          const got = { status: answer.status, code: codes(answer.body)[0], data: answer.body.data ?? undefined };
          const leaked = (fault.neverIn ?? []).filter((value) => answer.text.includes(value));
          if (got.status !== fault.status || got.code !== fault.code || got.data !== undefined || leaked.length > 0) {
            failures.push(`${fault.name}: ${answer.status} ${answer.text.slice(0, 200)}`);
          }
          return;
        }
        const work = WORKLOAD[n % WORKLOAD.length] as Legitimate;
        let answer: Answer;
        try {
          answer = await send(fed.gatewayUrl, { token: tokens.get(work.persona) ?? '', purpose: work.purpose, json: { query: work.query } });
        } catch (error) {
          failures.push(`${work.persona}: ${String(error)}`);
          return;
        }
        legitimate += 1;
        latencies.push(answer.ms);
        if (answer.status !== 200 || (answer.body.errors ?? []).length > 0 || !answer.body.data) failures.push(`${work.persona}: ${answer.status} ${answer.text.slice(0, 300)}`);
      };
      const worker = async (): Promise<void> => {
        while (Date.now() < deadline) await one();
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));

      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(
        `soak: ${legitimate} legitimate + ${hostile} hostile requests in ${SOAK_SECONDS} s ` +
          `(${Math.round((legitimate + hostile) / SOAK_SECONDS)}/s); latency p50 ${percentile(sorted, 50)} ms, ` +
          `p95 ${percentile(sorted, 95)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1) ?? 0} ms; ${failures.length} failures`,
      );
      expect(failures.slice(0, 10)).toEqual([]);
      expect(legitimate).toBeGreaterThan(SOAK_SECONDS * 5);
      expect(hostile).toBeGreaterThan(0);

      // Every released record left its entry, and the log is intact after the load.
      expect(await countEntries(fed.testStore.store, 'READ')).toBeGreaterThan(readsBefore + legitimate);
      expect(await countEntries(fed.testStore.store, 'WRITE')).toBeGreaterThan(writesBefore);
      const status = await verifyChains(fed.testStore.store);
      expect({ valid: status.valid, firstBrokenEntry: status.firstBrokenEntry }).toEqual({ valid: true, firstBrokenEntry: null });
      expect(status.checkedEntries).toBeGreaterThan(readsBefore);
    },
    SOAK_SECONDS * 1_000 + 60_000,
  );
});
