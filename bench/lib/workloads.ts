import type { PersonaName } from '../../lib/identity/index.js';
import type { Purpose } from '../../lib/domain.js';
import type { LoadRequest } from './load-spec.js';

/**
 * What the benchmark asks. Each workload is a list of requests that every connection sends in
 * turn. The same requests go to every scenario: only the router and the subgraph set differ.
 */

/** Values looked up once per run, after seeding (see fixtures.ts). */
export interface Fixtures {
  /** A transfer ice-analyst may see, with a visible person who has encounters. */
  readonly transferId: string;
  /** A person to request a transfer for. */
  readonly personId: string;
  /** A Transfer cursor halfway through the id space: the second page of the N = 1,000 query starts there. */
  readonly midCursor: string;
}

export interface WorkloadContext {
  readonly fixtures: Fixtures;
  token(persona: PersonaName): string;
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  /** Records the list workloads aim to release at the top level (N); null for the others. */
  readonly n: number | null;
  /** Connections, when not the run's (the heaviest workload uses fewer, so each answer still comes back within the window). */
  readonly connections?: number;
  /** Measured time as a multiple of the run's. */
  readonly timeFactor?: number;
  requests(context: WorkloadContext): LoadRequest[];
}

const CASE = 'CASE-2026-0042';

function request(context: WorkloadContext, persona: PersonaName, purpose: Purpose, query: string, variables: Record<string, unknown> = {}): LoadRequest {
  return {
    headers: {
      authorization: `Bearer ${context.token(persona)}`,
      'x-purpose-of-use': purpose,
      ...(purpose === 'INVESTIGATION' ? { 'x-justification': CASE } : {}),
    },
    body: JSON.stringify({ query, variables }),
  };
}

/** Each transfer (ICE) with its person (ICE) and the person's encounters (CBP): two subgraphs, about 3 records per transfer. */
const TRANSFER_NODE = 'id status toFacility person { id name encounters { id station } }';

const listOf = (n: number): Workload => ({
  id: `list-${n}`,
  title: `list, N = ${n.toLocaleString('en-US')}${n > 500 ? ' (2 connections, 2× time)' : ''}`,
  n,
  ...(n > 500 ? { connections: 2, timeFactor: 2 } : {}),
  requests: (context) =>
    n <= 500
      ? [
          request(
            context,
            'ice-analyst',
            'CUSTODY_TRANSFER',
            `query TransfersPage($first: Int!) { transfers(first: $first) { edges { node { ${TRANSFER_NODE} } } } }`,
            { first: n },
          ),
        ]
      : // Above the page limit (500): two aliased pages of 500, the second from the middle of
        // the id space, so the pages never overlap (each is 500 visible records).
        [
          request(
            context,
            'ice-analyst',
            'CUSTODY_TRANSFER',
            `query TransfersTwoPages($after: String!) {
              a: transfers(first: 500) { edges { node { ${TRANSFER_NODE} } } }
              b: transfers(first: 500, after: $after) { edges { node { ${TRANSFER_NODE} } } } }`,
            { after: context.fixtures.midCursor },
          ),
        ],
});

const byId: Workload = {
  id: 'by-id',
  title: 'entity by id',
  n: null,
  requests: (context) => [
    request(context, 'ice-analyst', 'CUSTODY_TRANSFER', `query TransferById($id: ID!) { transfer(id: $id) { ${TRANSFER_NODE} } }`, {
      id: context.fixtures.transferId,
    }),
  ],
};

const mutation: Workload = {
  id: 'mutation',
  title: 'mutation (requestTransfer)',
  n: null,
  requests: (context) => [
    request(
      context,
      'cbp-agent',
      'CUSTODY_TRANSFER',
      'mutation RequestTransfer($input: RequestTransferInput!) { requestTransfer(input: $input) { id status toOrg toFacility } }',
      { input: { personId: context.fixtures.personId, toOrg: 'ice-ero-phoenix', toFacility: 'Florence SPC', reason: 'benchmark' } },
    ),
  ],
};

/** Five personas, five kinds of question (the README's examples), sent in turn. */
const mixed: Workload = {
  id: 'mixed',
  title: 'persona mix (5 personas)',
  n: null,
  requests: (context) => [
    request(
      context,
      'cbp-analyst',
      'INTERDICTION',
      '{ networks(first: 5) { edges { node { id name threatLevel routes { id name sector hazards { kind } } } } } }',
    ),
    request(
      context,
      'ice-officer',
      'CUSTODY_TRANSFER',
      '{ transfers(first: 10, filter: { status: REQUESTED }) { totalCount edges { node { id status toFacility person { id name encounters { id station } bookings { id county } } } } } }',
    ),
    request(context, 'partner-saguaro', 'CUSTODY_TRANSFER', '{ bookings(first: 10) { edges { node { id county detainerStatus transfer { id status } } } } }'),
    request(context, 'ngo-legal', 'LEGAL_SERVICES', '{ referrals(first: 10) { edges { node { id service status notes consent { grantees purposes active } } } } }'),
    request(context, 'cbp-agent', 'INTERDICTION', '{ routes(first: 10) { totalCount edges { node { id name sector hazards { kind } } } } }'),
  ],
};

export const LIST_SIZES = [1, 10, 100, 1000] as const;

/** In the order they run: the mutation last, so its new transfers cannot shift the lists. */
export const WORKLOADS: readonly Workload[] = [...LIST_SIZES.map(listOf), byId, mixed, mutation];

/** Personas whose tokens the workloads use. */
export const PERSONAS_USED: readonly PersonaName[] = ['ice-analyst', 'cbp-agent', 'cbp-analyst', 'ice-officer', 'partner-saguaro', 'ngo-legal'];

/** Records in a response: every object under `data` that carries an `id`. */
export function countRecords(body: unknown): number {
  const data = typeof body === 'object' && body !== null ? (body as { readonly data?: unknown }).data : undefined;
  let count = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (typeof value === 'object' && value !== null) {
      if ('id' in value) count += 1;
      for (const item of Object.values(value)) walk(item);
    }
  };
  walk(data);
  return count;
}
