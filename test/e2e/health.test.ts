import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../../lib/domain.js';
import type { RunningService } from '../../lib/server/http.js';
import { createRuntime, type Runtime } from '../../lib/server/runtime.js';
import { SUBGRAPH_STARTERS } from '../../subgraphs/index.js';
import { startExtraGateway } from '../support/extra-gateway.js';
import { faultyStore, type FaultyStore } from '../support/faulty-store.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';

interface Report {
  readonly status: number;
  readonly body: unknown;
}

const get = async (url: string, path: '/health' | '/ready'): Promise<Report> => {
  const response = await fetch(new URL(path, url));
  return { status: response.status, body: (await response.json()) as unknown };
};

/**
 * Health for orchestrators (issue #17): `/health` is liveness (the process answers, whatever its
 * dependencies do), `/ready` is readiness (its store and its audit log can be used), on every
 * service.
 */
describe('liveness and readiness', () => {
  let fed: TestFederation;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    fed = await startTestFederation();
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await fed?.close();
  });

  /** A runtime over the federation's store seen through a store that a test can take down. */
  const faultyRuntime = async (): Promise<{ runtime: Runtime; store: FaultyStore }> => {
    const store = faultyStore(fed.testStore.store);
    const runtime = await createRuntime(fed.federation.runtime.settings, { policy: fed.federation.runtime.policy, store: store.store, auditStore: store.store });
    closers.push(() => runtime.close());
    return { runtime, store };
  };
  const started = (service: RunningService): RunningService => {
    closers.push(() => service.close());
    return service;
  };

  it('answers /health and /ready on every service when all is well', async () => {
    for (const [name, url] of Object.entries(fed.federation.urls)) {
      expect(await get(url, '/health'), name).toEqual({ status: 200, body: { service: name, ok: true, checks: { process: 'ok' } } });
      const ready = await get(url, '/ready');
      expect(ready.status, name).toBe(200);
      // The gateway keeps no records: it needs only its audit log.
      const store = name === 'gateway' ? {} : { store: 'ok' };
      expect(ready.body, name).toEqual({ service: name, ok: true, checks: { ...store, audit: 'ok', factCopies: 'none' } });
    }
    expect(Object.keys(fed.federation.urls).sort()).toEqual(['gateway', ...SUBGRAPHS].sort());
  });

  it("is not ready while a subgraph's store is down, names the failing check, and is ready again once it is back", async () => {
    const { runtime, store } = await faultyRuntime();
    const start = SUBGRAPH_STARTERS.cbp;
    if (!start) throw new Error('no starter for cbp');
    const cbp = started(await start(runtime, { port: 0, host: '127.0.0.1' }));
    expect((await get(cbp.url, '/ready')).status).toBe(200);

    store.set('reject');
    expect(await get(cbp.url, '/ready')).toEqual({
      status: 503,
      body: { service: 'cbp', ok: false, checks: { store: 'unreachable', audit: 'unreachable', factCopies: 'none' } },
    });
    // Alive all the same: restarting it would not bring the database back.
    expect((await get(cbp.url, '/health')).status).toBe(200);

    store.set('hang');
    expect(await get(cbp.url, '/ready')).toMatchObject({ status: 503, body: { checks: { store: 'timed out', audit: 'timed out' } } });

    store.set('healthy');
    expect((await get(cbp.url, '/ready')).status).toBe(200);
  });

  it("is not ready while the gateway's audit log is unreachable", async () => {
    const { runtime, store } = await faultyRuntime();
    const gateway = started(await startExtraGateway(fed.federation, { runtime }));
    store.set('reject');
    expect(await get(gateway.url, '/ready')).toEqual({ status: 503, body: { service: 'gateway', ok: false, checks: { audit: 'unreachable', factCopies: 'none' } } });
    expect((await get(gateway.url, '/health')).status).toBe(200);
    store.set('healthy');
    expect((await get(gateway.url, '/ready')).status).toBe(200);
  });
});
