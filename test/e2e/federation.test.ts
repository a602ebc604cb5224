import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { send } from '../support/http-client.js';

/** The federation as a user meets it: the real gateway over HTTP, the real subgraphs behind it. */
describe('the federation, end to end', () => {
  let fed: TestFederation;
  beforeAll(async () => {
    fed = await startTestFederation();
  });
  afterAll(async () => {
    await fed?.close();
  });

  it('answers a query that crosses ICE and CBP: networks, their routes, the routes\' hazards', async () => {
    const { body } = await fed.query(
      'cbp-analyst',
      'INTERDICTION',
      `{ networks(first: 5) { totalCount edges { node { id name routes { id name sector hazards { kind } } } } } }`,
    );
    expect(body.errors ?? []).toEqual([]);
    const networks = (body.data?.networks as { totalCount: number; edges: { node: { routes: { hazards: unknown[] }[] } }[] });
    expect(networks.totalCount).toBeGreaterThan(0);
    const routes = networks.edges.flatMap((edge) => edge.node.routes);
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.some((route) => route.hazards.length > 0)).toBe(true);
  });

  it('answers transfers → person → encounters and bookings across ICE, CBP and the partner subgraph', async () => {
    const { body } = await fed.query(
      'ice-officer',
      'CUSTODY_TRANSFER',
      `{ transfers(first: 50) { edges { node { id status person { id name encounters { id } bookings { id } } } } } }`,
    );
    expect(body.errors ?? []).toEqual([]);
    const edges = (body.data?.transfers as { edges: { node: { person: { encounters: unknown[] | null; bookings: unknown[] | null } | null } }[] }).edges;
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.some((edge) => (edge.node.person?.encounters?.length ?? 0) > 0)).toBe(true);
  });

  it('refuses a request without a token, with UNAUTHENTICATED', async () => {
    const { status, body } = await send(fed.gatewayUrl, { purpose: 'INTERDICTION', json: { query: '{ networks { totalCount } }' } });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.data).toBeUndefined();
  });

  it('refuses a request without a purpose, or with one the token does not hold, before reading data', async () => {
    const missing = await fed.query('cbp-analyst', null, '{ networks { totalCount } }');
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('PURPOSE_REQUIRED');
    const foreign = await fed.query('cbp-analyst', 'LEGAL_SERVICES', '{ networks { totalCount } }');
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('PURPOSE_REQUIRED');
    expect(foreign.body.data).toBeUndefined();
  });

  it('lets a subgraph reached directly answer nothing but an authentication error without a token', async () => {
    const ice = fed.federation.urls.ice ?? '';
    for (const query of ['{ _service { sdl } }', '{ _entities(representations: [{ __typename: "Person", id: "P-000001" }]) { ... on Person { name } } }']) {
      const { body } = await send(ice, { json: { query } });
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
    }
  });

  it('pages through a connection with opaque cursors and a stable totalCount', async () => {
    const page = async (after: string | null) =>
      (
        await fed.query('ice-analyst', 'INTERDICTION', `query($after: String) { transfers(first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`, { after })
      ).body.data?.transfers as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string } }[] };
    const first = await page(null);
    const second = await page(first.pageInfo.endCursor);
    expect(first.edges).toHaveLength(7);
    expect(second.totalCount).toBe(first.totalCount);
    const ids = [...first.edges, ...second.edges].map((edge) => edge.node.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('refuses a page larger than 500 and rejects a forged cursor as bad input', async () => {
    const huge = await fed.query('ice-analyst', 'INTERDICTION', '{ transfers(first: 501) { totalCount } }');
    expect(huge.body.errors?.[0]?.extensions?.code).toBe('OPERATION_LIMIT');
    const forged = await fed.query('ice-analyst', 'INTERDICTION', '{ transfers(after: "bm90LWEtY3Vyc29y") { totalCount } }');
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reads an injection-shaped id as not found', async () => {
    const { body } = await fed.query('ice-analyst', 'INTERDICTION', `{ network(id: "N-0001' OR '1'='1") { id } transfer(id: "1; DROP TABLE ice.transfers") { id } }`);
    expect(body.errors ?? []).toEqual([]);
    expect(body.data).toEqual({ network: null, transfer: null });
  });
});
