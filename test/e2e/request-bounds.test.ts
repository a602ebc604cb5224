import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, send, type Answer, type SendOptions } from '../support/http-client.js';

/**
 * Generous on purpose: a loaded two-core machine running other suites, the embedded store, and
 * every service in this one process. What matters is that the figures are bounded at all: before
 * these limits one nested query could exhaust the process's memory and hold a subgraph long
 * past the gateway's wait.
 */
const MAX_SECONDS = 30;
const MAX_HEAP_GROWTH_MB = 400;

interface Measured {
  readonly answer: Answer;
  readonly heapGrowthMb: number;
}

/** One request, with the process's heap sampled while it runs (every service runs in this process). */
async function measured(url: string, options: SendOptions): Promise<Measured> {
  const heapMb = (): number => process.memoryUsage().heapUsed / 1_048_576;
  const before = heapMb();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, heapMb());
  }, 5);
  try {
    const answer = await send(url, options);
    peak = Math.max(peak, heapMb());
    return { answer, heapGrowthMb: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

const expectBounded = ({ answer, heapGrowthMb }: Measured): void => {
  expect(answer.ms).toBeLessThan(MAX_SECONDS * 1_000);
  expect(heapGrowthMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
};

/** `count` aliased pages of 500 transfers, each with its fields and its person's. */
const aliasedPages = (count: number): string =>
  `{ ${Array.from(
    { length: count },
    (_, i) => `a${i}: transfers(first: 500) { edges { node { id status fromOrg toOrg toFacility requestedAt completedAt reason person { id name aNumber nationality } } } }`,
  ).join(' ')} }`;

/**
 * The worst shapes a request can take within the operation limits (most pages, most aliases, most
 * representations, the most expensive documents to validate), each answered or refused with a
 * bounded amount of time and memory, through the gateway and straight to a subgraph.
 */
describe('the worst requests within the limits', () => {
  let fed: TestFederation;
  const officer = async (query: string, variables?: Record<string, unknown>): Promise<SendOptions> => ({
    token: await fed.token('ice-officer'),
    purpose: 'CUSTODY_TRANSFER',
    json: { query, ...(variables ? { variables } : {}) },
  });
  const ice = (): string => fed.federation.urls.ice ?? '';

  beforeAll(async () => {
    // Three times the small world: 600 transfers, so that every page of 500 is full.
    fed = await startTestFederation({ seed: 3 });
  });
  afterAll(async () => {
    await fed?.close();
  });

  it('answers nine aliased pages of 500 transfers with their persons in full (about 9,000 records)', async () => {
    const run = await measured(fed.gatewayUrl, await officer(aliasedPages(9)));
    expect(run.answer.status).toBe(200);
    expect(codes(run.answer.body)).toEqual([]);
    expect((run.answer.body.data?.a8 as { edges: unknown[] }).edges).toHaveLength(500);
    expectBounded(run);
  });

  it('cuts thirty aliased pages of 500 (30,000 records, admitted by the cost estimate) at 10,000 records with OPERATION_LIMIT', async () => {
    const run = await measured(fed.gatewayUrl, await officer(aliasedPages(30)));
    expect(run.answer.status).toBe(200);
    // Refused by ICE as it counts (or, on a machine slow enough, at its deadline, which falls
    // before the gateway's wait ends), not timed out by the gateway: the subgraph stopped in time.
    const refusal = run.answer.body.errors?.find((error) => error.extensions?.code === 'OPERATION_LIMIT');
    expect(refusal?.extensions).toMatchObject({ limit: expect.stringMatching(/^(records|time)$/), serviceName: 'ice' });
    expect(codes(run.answer.body)).not.toContain('SERVICE_UNAVAILABLE');
    expectBounded(run);
  });

  it('answers an entity fetch of as many representations as the 1 MB body holds (25,000)', async () => {
    const representations = Array.from({ length: 25_000 }, (_, i) => ({ __typename: 'Person', id: `P-${String(i + 1).padStart(6, '0')}` }));
    const run = await measured(ice(), await officer('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id name } } }', { r: representations }));
    expect(run.answer.status).toBe(200);
    expect(codes(run.answer.body)).toEqual([]);
    expect(run.answer.body.data?._entities).toHaveLength(25_000);
    expectBounded(run);
  });

  it('refuses the same entity fetch once each person also pulls its transfers\' persons, by its cost', async () => {
    const representations = Array.from({ length: 25_000 }, (_, i) => ({ __typename: 'Person', id: `P-${String(i + 1).padStart(6, '0')}` }));
    const run = await measured(
      ice(),
      await officer('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id transfers { person { id } } } } }', { r: representations }),
    );
    expect({ status: run.answer.status, codes: codes(run.answer.body) }).toEqual({ status: 400, codes: ['OPERATION_LIMIT'] });
    expectBounded(run);
  });

  it('validates the costliest documents within the token limits in bounded time: overlapping selections', async () => {
    // Every `person { id }` must be checked against every other one for a conflict.
    for (const [url, repeats] of [
      [fed.gatewayUrl, 1_200],
      [ice(), 2_400],
    ] as const) {
      const run = await measured(url, await officer(`{ transfers(first: 1) { edges { node { ${'person { id } '.repeat(repeats)} } } } }`));
      expect(run.answer.status).toBeLessThan(500);
      expectBounded(run);
    }
  });

  it('refuses fragments spread twice into each other forty levels down by their cost, without walking 2^40 paths', async () => {
    const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Transfer { id ...F${i + 1} ...F${i + 1} }`).join(' ');
    for (const url of [fed.gatewayUrl, ice()]) {
      const run = await measured(url, await officer(`{ transfers(first: 500) { edges { node { ...F0 } } } } ${fragments} fragment F40 on Transfer { status }`));
      // The estimate counts each spread (2^40 of them) from memoized fragment costs; execution
      // would merge the repeats, but no client needs to spread a fragment twice in one place.
      expect({ status: run.answer.status, codes: codes(run.answer.body) }).toEqual({ status: 400, codes: ['OPERATION_LIMIT'] });
      expect(run.answer.body.errors?.[0]?.extensions).toMatchObject({ limit: 'cost' });
      expectBounded(run);
    }
  });
});
