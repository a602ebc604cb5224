import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifest, manifestJson } from '../../gateway/persisted-operations/build-manifest.js';
import { operationHash, type PersistedOperation } from '../../gateway/persisted-operations/index.js';
import type { PersistedOperationsSettings } from '../../lib/config.js';
import type { RunningService } from '../../lib/server/http.js';
import { sql } from '../../lib/store/index.js';
import { startExtraGateway } from '../support/extra-gateway.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { codes, entriesOf, newRequestId, send, type Answer } from '../support/http-client.js';

/** The reviewed operations of an imaginary analyst application. */
const APPLICATION = `
query RouteCount { routes(first: 1) { totalCount } }
query NetworkNames($first: Int) { networks(first: $first) { edges { node { ...NetworkName } } } }
fragment NetworkName on Network { id name }
`;
const FREE_FORM = '{ routes(first: 2) { totalCount edges { node { id } } } }';

/**
 * Persisted operations through the real gateway over HTTP (SPEC 8): a client may send a
 * manifest operation's hash instead of its text, and with PERSISTED_OPERATIONS_ONLY on nothing
 * else runs, each refusal audited. Each mode runs on a gateway of its own over one federation.
 */
describe('persisted operations at the gateway', () => {
  let fed: TestFederation;
  let dir: string;
  let manifestFile: string;
  let operations: readonly PersistedOperation[];
  const gateways: RunningService[] = [];

  beforeAll(async () => {
    fed = await startTestFederation();
    dir = await mkdtemp(join(tmpdir(), 'tributary-manifest-'));
    manifestFile = join(dir, 'manifest.json');
    const manifest = buildManifest([{ file: 'app.graphql', text: APPLICATION }]);
    operations = manifest.operations;
    await writeFile(manifestFile, manifestJson(manifest));
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await fed?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const gateway = async (persistedOperations: PersistedOperationsSettings): Promise<string> => {
    const started = await startExtraGateway(fed.federation, { settings: { persistedOperations } });
    gateways.push(started);
    return started.url;
  };
  const listed = (name: string): PersistedOperation => {
    const found = operations.find((operation) => operation.name === name);
    if (!found) throw new Error(`no operation ${name}`);
    return found;
  };
  const byHash = (hash: string, variables: Record<string, unknown> = {}): Record<string, unknown> => ({
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
  });
  const ask = async (url: string, json: unknown, requestId = newRequestId()): Promise<Answer> =>
    send(url, { token: await fed.token('cbp-analyst'), purpose: 'INTERDICTION', json, headers: { 'x-request-id': requestId } });
  const outcome = (answer: Answer): string => (answer.status === 200 && codes(answer.body).length === 0 ? 'ok' : `${answer.status} ${codes(answer.body).join(',')}`);
  const requestEntries = async (requestId: string): Promise<{ operationName: string | null; operationHash: string | null; decision: string; reason: string | null }[]> => {
    const rows = await fed.testStore.store.query(sql`
      SELECT operation_name, operation_hash, decision, reason FROM audit.entries
      WHERE request_id = ${requestId} AND service = 'gateway' ORDER BY seq`);
    return rows.map((row) => ({
      operationName: typeof row['operation_name'] === 'string' ? row['operation_name'] : null,
      operationHash: typeof row['operation_hash'] === 'string' ? row['operation_hash'] : null,
      decision: String(row['decision']),
      reason: typeof row['reason'] === 'string' ? row['reason'] : null,
    }));
  };

  describe('with a manifest', () => {
    let url: string;
    beforeAll(async () => {
      url = await gateway({ mode: 'listed', file: manifestFile });
    });

    it("runs a manifest operation sent by its hash alone, audited under the operation's name and hash", async () => {
      const operation = listed('NetworkNames');
      const requestId = newRequestId();
      const answer = await ask(url, byHash(operation.id, { first: 2 }), requestId);
      expect(outcome(answer)).toBe('ok');
      expect((answer.body.data?.['networks'] as { edges: unknown[] }).edges).toHaveLength(2);
      expect(await requestEntries(requestId)).toEqual([{ operationName: 'NetworkNames', operationHash: operation.id, decision: 'ALLOW', reason: null }]);
    });

    it('refuses an unknown hash with HTTP 400 PERSISTED_QUERY_NOT_FOUND, as Apollo clients expect', async () => {
      const answer = await ask(url, byHash(operationHash('query Unknown { routes { totalCount } }')));
      expect(outcome(answer)).toBe('400 PERSISTED_QUERY_NOT_FOUND');
      expect(answer.body.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    });

    it('still runs free-form operations while the allowlist is off', async () => {
      expect(outcome(await ask(url, { query: FREE_FORM }))).toBe('ok');
    });

    it("registers nothing when a client sends a text with its hash (Apollo's automatic persisted queries)", async () => {
      const text = 'query Registered { routes(first: 3) { totalCount } }';
      expect(outcome(await ask(url, { query: text, extensions: { persistedQuery: { version: 1, sha256Hash: operationHash(text) } } }))).toBe('ok');
      expect(outcome(await ask(url, byHash(operationHash(text))))).toBe('400 PERSISTED_QUERY_NOT_FOUND');
    });

    it('refuses a text sent with a hash that is not its own', async () => {
      const answer = await ask(url, { query: FREE_FORM, extensions: { persistedQuery: { version: 1, sha256Hash: listed('RouteCount').id } } });
      expect(outcome(answer)).toBe('400 BAD_USER_INPUT');
    });
  });

  describe('with PERSISTED_OPERATIONS_ONLY on', () => {
    let url: string;
    beforeAll(async () => {
      url = await gateway({ mode: 'only', file: manifestFile });
    });

    it('runs a manifest operation sent by its hash', async () => {
      expect(outcome(await ask(url, byHash(listed('RouteCount').id)))).toBe('ok');
    });

    it('runs a manifest operation sent as its full text', async () => {
      expect(outcome(await ask(url, { query: listed('NetworkNames').body, variables: { first: 1 } }))).toBe('ok');
    });

    it('refuses a free-form operation with 403 OPERATION_NOT_ALLOWED and an audited REQUEST DENY naming its hash', async () => {
      const requestId = newRequestId();
      const answer = await ask(url, { query: FREE_FORM }, requestId);
      expect(outcome(answer)).toBe('403 OPERATION_NOT_ALLOWED');
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors?.[0]?.extensions?.['operationHashes']).toEqual([operationHash(FREE_FORM)]);
      expect(await entriesOf(fed.testStore.store, requestId)).toEqual([
        expect.objectContaining({ service: 'gateway', action: 'REQUEST', decision: 'DENY', subjectSub: 'cbp-analyst@cbp-tucson' }),
      ]);
      expect(await requestEntries(requestId)).toEqual([
        { operationName: null, operationHash: operationHash(FREE_FORM), decision: 'DENY', reason: expect.stringContaining(operationHash(FREE_FORM)) },
      ]);
    });

    it('refuses a manifest text changed by so much as a space', async () => {
      expect(outcome(await ask(url, { query: `${listed('RouteCount').body} ` }))).toBe('403 OPERATION_NOT_ALLOWED');
    });

    it('refuses an unauthenticated caller as UNAUTHENTICATED, before the allowlist', async () => {
      const answer = await send(url, { token: 'not-a-token', purpose: 'INTERDICTION', json: { query: FREE_FORM } });
      expect(outcome(answer)).toBe('401 UNAUTHENTICATED');
    });

    it('checks each operation of a batch, and refuses the whole batch when one is not listed', async () => {
      const allowed = await ask(url, [byHash(listed('RouteCount').id), { query: listed('NetworkNames').body, variables: { first: 1 } }]);
      expect(allowed.status).toBe(200);
      const results = allowed.body as unknown as Answer['body'][];
      expect(results.map((result) => [Object.keys(result.data ?? {}), codes(result)])).toEqual([
        [['routes'], []],
        [['networks'], []],
      ]);

      const requestId = newRequestId();
      const mixed = await ask(url, [byHash(listed('RouteCount').id), { query: FREE_FORM }], requestId);
      expect(outcome(mixed)).toBe('403 OPERATION_NOT_ALLOWED');
      expect(await requestEntries(requestId)).toEqual([
        { operationName: null, operationHash: operationHash(FREE_FORM), decision: 'DENY', reason: expect.stringContaining('not in the persisted operations manifest') },
      ]);
    });

    it("is not bypassed by registering a text under its hash with Apollo's automatic persisted queries", async () => {
      const text = 'query Sneaky { routes(first: 5) { edges { node { id name } } } }';
      const register = await ask(url, { query: text, extensions: { persistedQuery: { version: 1, sha256Hash: operationHash(text) } } });
      expect(outcome(register)).toBe('403 OPERATION_NOT_ALLOWED');
      expect(outcome(await ask(url, byHash(operationHash(text))))).toBe('400 PERSISTED_QUERY_NOT_FOUND');
    });

    it('refuses a free-form operation sent by GET as well', async () => {
      const answer = await send(url, {
        method: 'GET',
        token: await fed.token('cbp-analyst'),
        purpose: 'INTERDICTION',
        search: { query: FREE_FORM },
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(outcome(answer)).toBe('403 OPERATION_NOT_ALLOWED');
    });
  });

  it('stops the gateway at start-up when its manifest is bad, naming the file and the entry', async () => {
    const bad = join(dir, 'bad.json');
    const entry = listed('RouteCount');
    await writeFile(bad, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ ...entry, body: `${entry.body} ` }] }));
    await expect(gateway({ mode: 'only', file: bad })).rejects.toThrow(`Persisted operations file ${bad}, operations[0] (RouteCount): "id" ${entry.id} is not the SHA-256 of its body`);
  });
});
