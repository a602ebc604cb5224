import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter, type AuditWriter } from '../../lib/audit/index.js';
import { readSettings } from '../../lib/config.js';
import { mintToken, PERSONAS } from '../../lib/identity/index.js';
import { repoPath } from '../../lib/paths.js';
import { startFederation } from '../../scripts/federation.js';
import { acceptsConnections, codes, send } from '../support/http-client.js';
import { openTestStore, type TestStore } from '../support/store.js';

/** Long enough that the stop request certainly lands while the request waits. */
const SLOW_MS = 1_500;
const QUERY = '{ routes(first: 5) { totalCount edges { node { id } } } __schema { queryType { name } } }';
const ANSWER = { data: { routes: { totalCount: 0, edges: [] }, __schema: { queryType: { name: 'Query' } } } };

/**
 * Graceful shutdown: a federation told to stop lets every request already in flight finish
 * (through the gateway and the subgraphs it still needs) and accepts no new connection. The
 * store is empty: what matters is that the request crosses the gateway and a subgraph after the
 * stop began, and the gateway's own audit append is made slow so that it reliably does.
 */
describe('graceful shutdown', () => {
  let issuerDir: string;
  let token: string;

  beforeAll(async () => {
    issuerDir = process.env.DEV_ISSUER_DIR ?? (await mkdtemp(join(tmpdir(), 'tributary-issuer-')));
    process.env.DEV_ISSUER_DIR = issuerDir;
    token = await mintToken(PERSONAS['cbp-analyst'], { dir: issuerDir });
  });

  describe('federation.close()', () => {
    let testStore: TestStore;
    beforeAll(async () => {
      testStore = await openTestStore();
    });
    afterAll(async () => {
      await testStore?.close();
    });

    it('drains the in-flight request, which completes, and refuses new connections meanwhile', async () => {
      const store = testStore.store;
      const slow = (inner: AuditWriter): AuditWriter => ({ chain: inner.chain, append: async (entries) => (await sleep(SLOW_MS), inner.append(entries)) });
      const federation = await startFederation({
        settings: readSettings({ ...process.env, DATABASE_URL: undefined, AUDIT_DATABASE_URL: undefined, LOG_LEVEL: 'silent' }),
        store,
        ephemeralPorts: true,
        seed: false,
        auditWriterFor: (service) => (service === 'gateway' ? slow(createAuditWriter(store, { service })) : createAuditWriter(store, { service })),
      });
      const gatewayUrl = federation.urls.gateway ?? '';
      const cbpUrl = federation.urls.cbp ?? '';

      const inFlight = send(gatewayUrl, { token, purpose: 'INTERDICTION', json: { query: QUERY } });
      await sleep(300);
      const closing = federation.close();
      await sleep(50);
      expect(await acceptsConnections(gatewayUrl)).toBe(false);

      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(ANSWER);
      expect(answer.ms).toBeGreaterThanOrEqual(SLOW_MS);
      await closing;
      expect(await acceptsConnections(gatewayUrl)).toBe(false);
      expect(await acceptsConnections(cbpUrl)).toBe(false);
    });
  });

  // In its own process, with NODE_ENV other than `test`: Apollo Server installs signal handlers
  // of its own unless told not to, and vitest's NODE_ENV=test hides what they do.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`drains the in-flight request of a process stopped by ${signal}`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', repoPath('test', 'support', 'shutdown-child.ts')], {
        cwd: repoPath(),
        env: { ...process.env, NODE_ENV: 'development', DEV_ISSUER_DIR: issuerDir, SLOW_MS: String(SLOW_MS), DATABASE_URL: '', LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      try {
        const ready = await lines.next();
        const { gateway } = JSON.parse(String(ready.value)) as { gateway: string };

        const inFlight = send(gateway, { token, purpose: 'INTERDICTION', json: { query: QUERY } });
        await sleep(300);
        child.kill(signal);
        await sleep(100);
        expect(await acceptsConnections(gateway)).toBe(false);

        const answer = await inFlight;
        expect({ status: answer.status, codes: codes(answer.body) }).toEqual({ status: 200, codes: [] });
        expect(answer.body).toEqual(ANSWER);
        expect(JSON.parse(String((await lines.next()).value))).toEqual({ closed: expect.any(Number) });
        expect(await exited).toBe(0);
      } catch (error) {
        child.kill('SIGKILL');
        throw new Error(`${String(error)}\nchild stderr:\n${stderr}`, { cause: error });
      }
    });
  }
});
