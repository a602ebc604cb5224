import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter, verifyChains } from '../../lib/audit/index.js';
import type { RunningService } from '../../lib/server/http.js';
import { createRuntime, type Runtime } from '../../lib/server/runtime.js';
import { migrate, openStore, type Store } from '../../lib/store/index.js';
import { SUBGRAPH_STARTERS } from '../../subgraphs/index.js';
import { startExtraGateway, type ExtraGatewayOptions } from '../support/extra-gateway.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { FAULT_MESSAGE_MARKERS, faultyStore, type FaultyStore } from '../support/faulty-store.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, entriesOf, newRequestId, send, type Answer, type EntryRow } from '../support/http-client.js';
import { createTestDatabase, testDatabaseUrl } from '../support/store.js';

/** Crosses ICE (networks) and CBP (their routes): one subgraph can fail while the other answers. */
const NETWORKS_AND_ROUTES = '{ networks(first: 2) { edges { node { id name routes { id name } } } } }';
/** CBP alone. */
const ROUTES = '{ routes(first: 2) { edges { node { id name } } } }';
/** ICE alone. */
const NETWORKS = '{ networks(first: 2) { edges { node { id name } } } }';
/** Network names are what a released Network carries; none may appear when ICE released nothing. */
const NETWORK_NAME = /"name":"[^"]*(Organization|Network|Cartel|Ring|Syndicate)/;

interface Edge {
  readonly node: { readonly id: string; readonly name: string | null; readonly routes?: readonly { readonly id: string }[] | null };
}
const edgesOf = (answer: Answer, field: string): readonly Edge[] => ((answer.body.data?.[field] as { edges: Edge[] } | null | undefined)?.edges ?? []);
const summary = (entries: readonly EntryRow[]): string[] => [...new Set(entries.map((entry) => `${entry.service} ${entry.action} ${entry.decision}`))].sort();

/**
 * Faults through the real gateway over HTTP: a subgraph down, killed mid-response, hanging, or
 * behind a load balancer that answers for it; the audit store down or hanging; a subgraph's
 * records store down. Each time the client gets a clear, masked answer quickly, the audit log
 * holds what happened, nothing is released without its audit entry, and the federation answers
 * normally again as soon as the dependency is back, without a restart.
 *
 * One federation serves the file; each fault gets a gateway (or a subgraph) of its own over it,
 * wired to a fault proxy or to a store that a test can break and heal.
 */
describe('faults', () => {
  let fed: TestFederation;
  let analyst: string;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    fed = await startTestFederation();
    analyst = await fed.token('cbp-analyst');
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await fed?.close();
  });

  const gateway = async (options: ExtraGatewayOptions): Promise<RunningService> => {
    const started = await startExtraGateway(fed.federation, options);
    closers.push(() => started.close());
    return started;
  };
  const proxy = async (target: string): Promise<FaultProxy> => {
    const started = await startFaultProxy(target);
    closers.push(() => started.close());
    return started;
  };
  /** A runtime over the federation's records and audit stores, with some of them replaced. */
  const runtime = async (stores: { store?: Store; auditStore?: Store; auditTimeoutMs?: number }): Promise<Runtime> => {
    const audit = stores.auditStore ?? fed.testStore.store;
    const created = await createRuntime(fed.federation.runtime.settings, {
      policy: fed.federation.runtime.policy,
      store: stores.store ?? fed.testStore.store,
      auditStore: audit,
      // A short append timeout keeps the hanging-store cases quick; the default is 5 s.
      auditWriterFor: (service) => createAuditWriter(audit, { service, ...(stores.auditTimeoutMs === undefined ? {} : { timeoutMs: stores.auditTimeoutMs }) }),
    });
    closers.push(() => created.close());
    return created;
  };
  const subgraph = async (name: 'cbp' | 'ice', over: Runtime): Promise<RunningService> => {
    const start = SUBGRAPH_STARTERS[name];
    if (!start) throw new Error(`no starter for ${name}`);
    const started = await start(over, { port: 0, host: '127.0.0.1' });
    closers.push(() => started.close());
    return started;
  };
  const ask = (url: string, query: string, requestId = newRequestId()): Promise<Answer> =>
    send(url, { token: analyst, purpose: 'INTERDICTION', json: { query }, headers: { 'x-request-id': requestId } });

  /** Partial data: the networks (ICE) without their routes (CBP), and one error naming CBP. */
  const expectCbpUnavailable = (answer: Answer, message: RegExp): void => {
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toEqual([{ message: expect.stringMatching(message), extensions: { code: 'SERVICE_UNAVAILABLE', service: 'cbp' } }]);
    const edges = edgesOf(answer, 'networks');
    expect(edges).toHaveLength(2);
    expect(edges.every((edge) => edge.node.name !== null && edge.node.routes === null)).toBe(true);
  };
  const expectNormal = (answer: Answer): void => {
    expect(answer.status).toBe(200);
    expect(answer.body.errors ?? []).toEqual([]);
    expect(edgesOf(answer, 'networks').every((edge) => (edge.node.routes?.length ?? 0) > 0)).toBe(true);
  };

  describe('a subgraph that is down', () => {
    let cbpPort: number;

    it('answers partial data and SERVICE_UNAVAILABLE naming the service, quickly, and stays up', async () => {
      const cbp = fed.federation.services.cbp;
      if (!cbp) throw new Error('cbp is not running');
      cbpPort = cbp.port;
      await cbp.close();

      const requestId = newRequestId();
      const answer = await ask(fed.gatewayUrl, NETWORKS_AND_ROUTES, requestId);
      expectCbpUnavailable(answer, /^The cbp service is unreachable/);
      expect(answer.ms).toBeLessThan(2_000);
      // ICE released its networks (and recorded them); CBP was never reached.
      expect(summary(await entriesOf(fed.testStore.store, requestId))).toEqual(['gateway REQUEST ALLOW', 'ice READ ALLOW']);

      // A query on CBP alone has nothing to show, and says why.
      const alone = await ask(fed.gatewayUrl, ROUTES);
      expect(alone.body).toEqual({ data: null, errors: [expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE', service: 'cbp' } })] });
      // The gateway itself is fine.
      expect((await fetch(new URL('/health', fed.gatewayUrl))).status).toBe(200);
      expect(codes((await ask(fed.gatewayUrl, NETWORKS)).body)).toEqual([]);
    });

    it('answers normally again once the subgraph is back on the same port, without a gateway restart', async () => {
      const start = SUBGRAPH_STARTERS.cbp;
      if (!start) throw new Error('no cbp starter');
      const restarted = await start(fed.federation.runtime, { port: cbpPort, host: '127.0.0.1' });
      closers.push(() => restarted.close());
      expectNormal(await ask(fed.gatewayUrl, NETWORKS_AND_ROUTES));
    });
  });

  describe('a subgraph that fails mid-request', () => {
    it('names the service when its process dies while answering (connection reset mid-body)', async () => {
      const reset = await proxy(fed.federation.urls.cbp ?? '');
      const { url } = await gateway({ subgraphUrls: { cbp: reset.url } });
      expectNormal(await ask(url, NETWORKS_AND_ROUTES));
      reset.set({ kind: 'reset' });
      const answer = await ask(url, NETWORKS_AND_ROUTES);
      expectCbpUnavailable(answer, /^The cbp service is unreachable/);
      expect(answer.ms).toBeLessThan(2_000);
      reset.set({ kind: 'pass' });
      expectNormal(await ask(url, NETWORKS_AND_ROUTES));
    });

    it('names the service when its address accepts no connection (dead port)', async () => {
      const { url } = await gateway({ subgraphUrls: { cbp: 'http://127.0.0.1:1/graphql' } });
      const answer = await ask(url, NETWORKS_AND_ROUTES);
      expectCbpUnavailable(answer, /^The cbp service is unreachable/);
      expect(answer.ms).toBeLessThan(2_000);
    });

    it('names the service when a load balancer answers for it (502 with an HTML page), and shows nothing of the page', async () => {
      const balancer = await proxy(fed.federation.urls.cbp ?? '');
      const { url } = await gateway({ subgraphUrls: { cbp: balancer.url } });
      balancer.set({ kind: 'status', status: 502 });
      const answer = await ask(url, NETWORKS_AND_ROUTES);
      expect(answer.status).toBe(200);
      expect(edgesOf(answer, 'networks').every((edge) => edge.node.name !== null && edge.node.routes === null)).toBe(true);
      // Like a refused connection: SERVICE_UNAVAILABLE naming cbp; nothing of the upstream's
      // page, status text or URL reaches the client.
      expect(codes(answer.body)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({ service: 'cbp' });
      expect(answer.text).not.toMatch(/html|upstream|Bad Gateway|127\.0\.0\.1/i);
    });
  });

  describe('a subgraph that hangs', () => {
    it("is cut off at the gateway's subgraph timeout with SERVICE_UNAVAILABLE naming it, then answers again", async () => {
      const hang = await proxy(fed.federation.urls.cbp ?? '');
      const { url } = await gateway({ subgraphUrls: { cbp: hang.url }, settings: { subgraphTimeoutMs: 500 } });
      hang.set({ kind: 'hang' });
      const answer = await ask(url, NETWORKS_AND_ROUTES);
      expectCbpUnavailable(answer, /^The cbp service did not answer within 500 ms/);
      expect(answer.ms).toBeGreaterThanOrEqual(500);
      expect(answer.ms).toBeLessThan(2_500);
      hang.set({ kind: 'pass' });
      expectNormal(await ask(url, NETWORKS_AND_ROUTES));
    });

    it('answers a slow subgraph that stays within the timeout', async () => {
      const slow = await proxy(fed.federation.urls.cbp ?? '');
      const { url } = await gateway({ subgraphUrls: { cbp: slow.url }, settings: { subgraphTimeoutMs: 1_000 } });
      slow.set({ kind: 'delay', ms: 300 });
      expectNormal(await ask(url, NETWORKS_AND_ROUTES));
    });
  });

  describe('the audit store down', () => {
    let audit: FaultyStore;
    let iceGateway: RunningService;
    let wholeGateway: RunningService;
    let iceUrl: string;

    beforeAll(async () => {
      audit = faultyStore(fed.testStore.store);
      const auditDown = await runtime({ auditStore: audit.store, auditTimeoutMs: 1_000 });
      // ICE writes its entries to the breakable store; this gateway's own entries go to the good one.
      iceUrl = (await subgraph('ice', auditDown)).url;
      iceGateway = await gateway({ subgraphUrls: { ice: iceUrl } });
      // A gateway (over the healthy subgraphs) whose own request-level entries cannot be written.
      wholeGateway = await gateway({ runtime: auditDown });
    });

    it('releases no record a subgraph could not record: AUDIT_UNAVAILABLE and no record fields', async () => {
      audit.set('reject');
      const requestId = newRequestId();
      const answer = await ask(iceGateway.url, NETWORKS_AND_ROUTES, requestId);
      // The subgraph answers 503 (issue #14, class 5); the gateway passes the code on, with 503
      // and retry-after, rather than calling the service unavailable.
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(answer.body).toEqual({
        data: null,
        // A failed fetch has no path (as with SERVICE_UNAVAILABLE); `service` names the subgraph.
        errors: [{ message: 'The audit log could not be written; nothing was released', extensions: { code: 'AUDIT_UNAVAILABLE', service: 'ice' } }],
      });
      expect(answer.text).not.toMatch(/N-\d{4}/);
      // The request is recorded (at the gateway); no READ of any network is, because none was released.
      expect(summary(await entriesOf(fed.testStore.store, requestId))).toEqual(['gateway REQUEST ALLOW']);
    });

    it('answers a caller who reaches the subgraph directly with 503, retry-after and AUDIT_UNAVAILABLE, and no records', async () => {
      audit.set('reject');
      const answer = await ask(iceUrl, NETWORKS);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(codes(answer.body)).toEqual(['AUDIT_UNAVAILABLE']);
      expect(answer.text).not.toMatch(/N-\d{4}/);
    });

    it('withholds the nested records of the failing subgraph and keeps those of the healthy one', async () => {
      audit.set('reject');
      const answer = await ask(iceGateway.url, '{ route(id: "R-0001") { id name networks { id name } } }');
      const route = answer.body.data?.['route'] as { id: string; name: string; networks: { id: string; name: string | null }[] } | undefined;
      // The route is CBP's, released and recorded by CBP; the ids of its networks are part of it
      // (the link). What ICE holds about each network is withheld.
      expect(route).toMatchObject({ id: 'R-0001', name: expect.any(String) });
      expect(route?.networks.length).toBeGreaterThan(0);
      expect(route?.networks.every((network) => network.name === null)).toBe(true);
      expect(new Set(codes(answer.body))).toEqual(new Set(['AUDIT_UNAVAILABLE']));
      expect(answer.text).not.toMatch(NETWORK_NAME);
    });

    it('answers nothing but AUDIT_UNAVAILABLE when the gateway cannot record the request', async () => {
      audit.set('reject');
      const requestId = newRequestId();
      const answer = await ask(wholeGateway.url, NETWORKS_AND_ROUTES, requestId);
      // 503 with retry-after: "try again later" (was 500 before issue #14).
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(answer.body).toEqual({ errors: [{ message: 'The audit log could not be written; nothing was released', extensions: { code: 'AUDIT_UNAVAILABLE' } }] });
      expect(answer.text).not.toMatch(/N-\d{4}|R-\d{4}/);
      // No request entry. The subgraphs may have recorded READs of records the gateway fetched
      // while its own entry was being written: released to the gateway, never to the client,
      // which errs on the safe side.
      expect((await entriesOf(fed.testStore.store, requestId)).filter((entry) => entry.service === 'gateway')).toEqual([]);
    });

    it('fails closed within the append timeout when the audit store hangs instead of refusing', async () => {
      audit.set('hang');
      const [nested, whole] = await Promise.all([ask(iceGateway.url, NETWORKS), ask(wholeGateway.url, NETWORKS)]);
      for (const answer of [nested, whole]) {
        expect(codes(answer.body)).toEqual(['AUDIT_UNAVAILABLE']);
        expect(answer.text).not.toMatch(/N-\d{4}/);
        expect(answer.ms).toBeLessThan(3_000);
      }
    });

    it('answers normally again as soon as the audit store is back, and every chain still verifies', async () => {
      audit.set('healthy');
      for (const url of [iceGateway.url, wholeGateway.url]) {
        const requestId = newRequestId();
        expectNormal(await ask(url, NETWORKS_AND_ROUTES, requestId));
        expect(summary(await entriesOf(fed.testStore.store, requestId))).toEqual(['cbp READ ALLOW', 'gateway REQUEST ALLOW', 'ice READ ALLOW']);
      }
      const status = await verifyChains(fed.testStore.store);
      expect({ valid: status.valid, problem: status.problem }).toEqual({ valid: true, problem: null });
    });
  });

  // The real thing on PostgreSQL: the audit database stops accepting connections and every
  // open one is terminated, then it is given back.
  describe.runIf(testDatabaseUrl() !== undefined)('the audit database down (PostgreSQL)', () => {
    let database: { url: string; drop: () => Promise<void> };
    let auditStore: Store;
    let url: string;
    const admin = async (statement: string): Promise<void> => {
      const client = new pg.Client({ connectionString: testDatabaseUrl() });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    };
    const name = (): string => new URL(database.url).pathname.slice(1);

    beforeAll(async () => {
      database = await createTestDatabase(testDatabaseUrl() ?? '');
      auditStore = await openStore({ databaseUrl: database.url });
      await migrate(auditStore);
      const separate = await runtime({ auditStore });
      url = (await gateway({ subgraphUrls: { ice: (await subgraph('ice', separate)).url } })).url;
    });
    afterAll(async () => {
      await admin(`ALTER DATABASE ${name()} WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
      await auditStore?.close();
      await database?.drop();
    });

    it('answers AUDIT_UNAVAILABLE without records while the database is gone, and recovers when it returns', async () => {
      const answered = await ask(url, NETWORKS);
      expect(codes(answered.body)).toEqual([]);

      await admin(`ALTER DATABASE ${name()} WITH ALLOW_CONNECTIONS false`);
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name()}' AND pid <> pg_backend_pid()`);
      const refused = await ask(url, NETWORKS);
      // The subgraph answers 503; the gateway keeps the code and names the service (issue #14).
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({ data: null, errors: [expect.objectContaining({ extensions: { code: 'AUDIT_UNAVAILABLE', service: 'ice' } })] });
      expect(refused.text).not.toMatch(/N-\d{4}/);
      expect(refused.ms).toBeLessThan(6_000);

      await admin(`ALTER DATABASE ${name()} WITH ALLOW_CONNECTIONS true`);
      const recovered = await ask(url, NETWORKS);
      expect(codes(recovered.body)).toEqual([]);
      expect(edgesOf(recovered, 'networks')).toHaveLength(2);
      expect((await verifyChains(auditStore)).valid).toBe(true);
    });
  });

  describe("a subgraph's records store down", () => {
    let records: FaultyStore;
    let cbpUrl: string;
    let url: string;

    beforeAll(async () => {
      records = faultyStore(fed.testStore.store);
      const recordsDown = await runtime({ store: records.store });
      cbpUrl = (await subgraph('cbp', recordsDown)).url;
      url = (await gateway({ subgraphUrls: { cbp: cbpUrl }, settings: { subgraphTimeoutMs: 1_000 } })).url;
    });

    it('answers a masked internal error with the request id: no SQL, no connection string, no stack', async () => {
      records.set('reject');
      const requestId = newRequestId();
      const answer = await ask(url, ROUTES, requestId);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        data: null,
        errors: [
          {
            message: 'Internal error: the request could not be completed (see the service logs for its request id)',
            path: ['routes'],
            // The body names the request id as the header does (issue #14, class 5).
            extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'cbp', requestId },
          },
        ],
      });
      expect(answer.headers.get('x-request-id')).toBe(requestId);
      for (const marker of FAULT_MESSAGE_MARKERS) expect(answer.text).not.toContain(marker);
      expect(answer.text).not.toMatch(/\bat .+\.(ts|js):\d+|stacktrace|57P01/);
      expect(summary(await entriesOf(fed.testStore.store, requestId))).toEqual(['gateway REQUEST ALLOW']);
    });

    it('names the request id in the masked error of a subgraph reached directly, as its header does', async () => {
      records.set('reject');
      // No x-request-id sent: the one the service made up is in the header and in the body alike.
      const answer = await send(cbpUrl, { token: analyst, purpose: 'INTERDICTION', json: { query: ROUTES } });
      expect(codes(answer.body)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.body.errors?.[0]?.extensions?.['requestId']).toBe(answer.headers.get('x-request-id'));
      for (const marker of FAULT_MESSAGE_MARKERS) expect(answer.text).not.toContain(marker);
    });

    it("keeps the other subgraphs' data and the gateway up", async () => {
      records.set('reject');
      const answer = await ask(url, NETWORKS_AND_ROUTES);
      expect(edgesOf(answer, 'networks').every((edge) => edge.node.name !== null && edge.node.routes === null)).toBe(true);
      expect(new Set(codes(answer.body))).toEqual(new Set(['INTERNAL_SERVER_ERROR']));
      expect((await fetch(new URL('/health', url))).status).toBe(200);
    });

    it('is cut off at the subgraph timeout when the store hangs, then answers once it is back', async () => {
      records.set('hang');
      const hung = await ask(url, NETWORKS_AND_ROUTES);
      expectCbpUnavailable(hung, /^The cbp service did not answer within 1000 ms/);
      records.set('healthy');
      expectNormal(await ask(url, NETWORKS_AND_ROUTES));
    });
  });
});
