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
import { acceptsConnections, send, type Answer } from '../support/http-client.js';
import { openTestStore, type TestStore } from '../support/store.js';

/** Long enough that the stop certainly begins while both requests wait. */
const SLOW_MS = 1_500;
const QUERY = '{ routes(first: 5) { totalCount edges { node { id } } } __schema { queryType { name } } }';
const QUERY_ANSWER = { data: { routes: { totalCount: 0, edges: [] }, __schema: { queryType: { name: 'Query' } } } };
/**
 * A write runs only after the gateway's request entry is committed (whichever way the gateway
 * orders the two), so it reaches CBP after the stop began. On the empty store CBP answers it
 * with its own refusal: proof that CBP still served it, where a stopped server fails it.
 */
const WRITE = 'mutation { recordEncounter(input: { personId: "P-000001", sector: TUCSON, station: "Ajo", disposition: RELEASED }) { id } }';
const WRITE_ANSWER = {
  data: null,
  errors: [{ message: 'Person P-000001 was not found', path: ['recordEncounter'], extensions: { code: 'BAD_USER_INPUT', argument: 'personId', serviceName: 'cbp' } }],
};

/**
 * Graceful shutdown: a federation told to stop answers every request already in flight, through
 * the gateway and the subgraphs it still needs, and accepts no new connection. The store is
 * empty (nothing here needs records); the gateway's request-level audit append is made slow, so
 * that the requests are reliably in flight when the stop begins.
 */
describe('graceful shutdown', () => {
  let issuerDir: string;
  let agent: string;
  let testStore: TestStore;

  beforeAll(async () => {
    issuerDir = process.env.DEV_ISSUER_DIR ?? (await mkdtemp(join(tmpdir(), 'tributary-issuer-')));
    process.env.DEV_ISSUER_DIR = issuerDir;
    agent = await mintToken(PERSONAS['cbp-agent'], { dir: issuerDir });
    testStore = await openTestStore();
  });
  afterAll(async () => {
    await testStore?.close();
  });

  const inFlight = (gateway: string): [Promise<Answer>, Promise<Answer>] => [
    send(gateway, { token: agent, purpose: 'INTERDICTION', json: { query: QUERY } }),
    send(gateway, { token: agent, purpose: 'INTERDICTION', json: { query: WRITE } }),
  ];
  const expectAnswered = async ([query, write]: [Promise<Answer>, Promise<Answer>]): Promise<void> => {
    const answers = await Promise.all([query, write]);
    expect(answers.map((answer) => ({ status: answer.status, body: answer.body }))).toEqual([
      { status: 200, body: QUERY_ANSWER },
      { status: 200, body: WRITE_ANSWER },
    ]);
    for (const answer of answers) expect(answer.ms).toBeGreaterThanOrEqual(SLOW_MS - 100);
  };

  it('federation.close() answers the requests in flight and refuses new connections meanwhile', async () => {
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

    const requests = inFlight(gatewayUrl);
    await sleep(300);
    const closing = federation.close();
    await sleep(50);
    expect(await acceptsConnections(gatewayUrl)).toBe(false);
    await expectAnswered(requests);
    await closing;
    expect(await acceptsConnections(gatewayUrl)).toBe(false);
    expect(await acceptsConnections(cbpUrl)).toBe(false);
  });

  // Apollo Server installs SIGINT/SIGTERM handlers of its own unless told not to, and they stop
  // it at once, failing requests in flight; vitest's NODE_ENV=test hides them. The next two
  // tests run the services as `npm start` does, with NODE_ENV=development.
  it('leaves SIGINT and SIGTERM to the process that owns the services', async () => {
    const before = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
    const environment = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    const federation = await startFederation({
      settings: readSettings({ ...process.env, DATABASE_URL: undefined, AUDIT_DATABASE_URL: undefined, LOG_LEVEL: 'silent' }),
      store: testStore.store,
      ephemeralPorts: true,
      seed: false,
    }).finally(() => {
      process.env.NODE_ENV = environment;
    });
    try {
      expect({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }).toEqual(before);
    } finally {
      await federation.close();
    }
  });

  it('answers the requests in flight of a process stopped by SIGTERM, then exits 0', async () => {
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
      const { gateway } = JSON.parse(String((await lines.next()).value)) as { gateway: string };
      const requests = inFlight(gateway);
      await sleep(300);
      child.kill('SIGTERM');
      await sleep(100);
      expect(await acceptsConnections(gateway)).toBe(false);
      await expectAnswered(requests);
      expect(JSON.parse(String((await lines.next()).value))).toEqual({ closed: expect.any(Number) });
      expect(await exited).toBe(0);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${String(error)}\nchild stderr:\n${stderr}`, { cause: error });
    }
  });
});
