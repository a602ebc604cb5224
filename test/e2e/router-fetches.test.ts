import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPHS, type Purpose, type SubgraphName } from '../../lib/domain.js';
import type { PersonaName } from '../../lib/identity/index.js';
import type { RunningService } from '../../lib/server/http.js';
import { supergraphFor } from '../../bench/lib/supergraph.js';
import { startHive } from '../../bench/servers/hive.js';
import type { RunningServers } from '../../bench/servers/running.js';
import { startExtraGateway } from '../support/extra-gateway.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, send, type Answer } from '../support/http-client.js';

/** `{ a0: transfers(first: 16) { ... } ... a29: ... }`: the most aliases an operation may have, each a page. */
const thirtyAliasedPages = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: transfers(first: 16) { edges { node { id person { name encounters { id } } } } }`).join(' ')}
  networks(first: 5) { totalCount } }`;

interface BigQuery {
  readonly sentence: string;
  readonly persona: PersonaName;
  readonly purpose: Purpose;
  readonly query: string;
  /** Where the page of records sits in `data`, and how many it must hold. */
  readonly page?: { readonly field: string; readonly size: number };
}

/**
 * The biggest operations the gateway admits (SPEC 8: a 500-record page with its nested entities,
 * 30 aliases, 12 levels), each making the router send fetches bigger than any client could
 * write by hand: `_entities` with hundreds of representations, planner-added `__typename`, key
 * fields and `... on Type`, merged root fields.
 */
const bigQueries: readonly BigQuery[] = [
  {
    sentence: 'a page of 500 transfers with each person\'s encounters, bookings and transfers',
    persona: 'ice-officer',
    purpose: 'CUSTODY_TRANSFER',
    query: `{ transfers(first: 500) { edges { node { id status toFacility person { id name
      encounters { id station } bookings { id county } transfers { id status } } } } } }`,
    page: { field: 'transfers', size: 500 },
  },
  {
    sentence: 'a page of 500 encounters with each person\'s transfers and their persons\' bookings',
    persona: 'ice-officer',
    purpose: 'CUSTODY_TRANSFER',
    query: '{ encounters(first: 500) { edges { node { id station person { id transfers { id person { id bookings { id } } } } } } } }',
    page: { field: 'encounters', size: 500 },
  },
  {
    sentence: 'a page of 500 networks with their routes, hazards and members\' encounters',
    persona: 'cbp-analyst',
    purpose: 'INTERDICTION',
    query: `{ networks(first: 500) { edges { node { id name routes { id name hazards { kind } }
      members { role person { id name encounters { id } } } } } } }`,
  },
  {
    sentence: '30 aliased pages of transfers beside another root field',
    persona: 'ice-officer',
    purpose: 'CUSTODY_TRANSFER',
    query: thirtyAliasedPages,
  },
  {
    sentence: 'an operation 12 levels deep across four subgraphs',
    persona: 'ice-officer',
    purpose: 'CUSTODY_TRANSFER',
    query: `{ transfers(first: 5) { edges { node { person { encounters { route { networks { members {
      person { bookings { person { id } } } } } } } } } } } }`,
  },
];

/** The largest number of representations one `_entities` call carried, over every proxied call. */
function largestEntityFetch(proxies: readonly FaultProxy[]): number {
  let largest = 0;
  for (const proxy of proxies) {
    for (const body of proxy.bodies) {
      const parsed = JSON.parse(body) as unknown;
      for (const request of Array.isArray(parsed) ? parsed : [parsed]) {
        if (typeof request !== 'object' || request === null || !('variables' in request)) continue;
        const { variables } = request;
        if (typeof variables !== 'object' || variables === null) continue;
        for (const value of Object.values(variables)) if (Array.isArray(value)) largest = Math.max(largest, value.length);
      }
    }
  }
  return largest;
}

/**
 * Each subgraph applies the gateway's operation limits, yet must still answer every fetch a
 * Federation router plans for an operation the gateway admitted. Both routers that serve this
 * supergraph are tried, each through recording proxies in front of the subgraphs: our gateway
 * (Apollo's query planner) and Hive Gateway (the bench's other router), which merges concurrent
 * fetches into one request with an alias per root field and deduplicates representations.
 */
describe('the biggest admitted operations, planned by two routers, pass the subgraphs\' limits', () => {
  let fed: TestFederation;
  const proxies: Partial<Record<SubgraphName, FaultProxy>> = {};
  let gateway: RunningService | undefined;
  let hive: RunningServers | undefined;

  beforeAll(async () => {
    // Three times the small world: 600 transfers and 540 encounters, enough for full pages of 500.
    fed = await startTestFederation({ seed: 3 });
    for (const name of SUBGRAPHS) {
      const url = fed.federation.urls[name];
      if (url !== undefined) proxies[name] = await startFaultProxy(url, { keepBodies: true });
    }
    const proxied: Record<string, string> = Object.fromEntries(Object.entries(proxies).map(([name, proxy]) => [name, proxy.url]));
    gateway = await startExtraGateway(fed.federation, { subgraphUrls: proxied });
    hive = await startHive(await supergraphFor(proxied), false);
  });
  afterAll(async () => {
    await hive?.close();
    await gateway?.close();
    await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
    await fed?.close();
  });

  const routers = [
    { name: 'our gateway', url: () => gateway?.url ?? '' },
    { name: 'Hive Gateway', url: () => hive?.url ?? '' },
  ] as const;

  for (const router of routers) {
    describe(`through ${router.name}`, () => {
      for (const big of bigQueries) {
        it(`answers ${big.sentence} with no OPERATION_LIMIT from any subgraph`, async () => {
          const answer: Answer = await send(router.url(), { token: await fed.token(big.persona), purpose: big.purpose, json: { query: big.query } });
          expect(answer.status).toBe(200);
          // Withheld fields are expected (REDACTED); a limit refusal, or anything else, is not.
          expect(codes(answer.body).filter((code) => code !== 'REDACTED')).toEqual([]);
          if (big.page) {
            const connection = answer.body.data?.[big.page.field] as { edges: unknown[] } | undefined;
            expect(connection?.edges).toHaveLength(big.page.size);
          }
        });
      }

      it('sent an entity fetch of hundreds of representations, which the subgraph answered', () => {
        expect(largestEntityFetch(Object.values(proxies))).toBeGreaterThanOrEqual(200);
        for (const proxy of Object.values(proxies)) proxy.bodies.length = 0;
      });
    });
  }
});
