import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuditSigningKey, loadJwks, readAuditPublicJwks, signCheckpoint, verifyChains, verifyCheckpoint } from '../../lib/audit/index.js';
import { readSettings } from '../../lib/config.js';
import { SUBGRAPHS } from '../../lib/domain.js';
import { DEFAULT_REMOTE_JWKS, KEY_PUBLICATION_LEAD_MS } from '../../lib/identity/index.js';
import { newKeySet } from '../../lib/identity/key-set.js';
import { writeKeySetFile } from '../../lib/identity/key-set-file.js';
import { rotateKeyFile } from '../../lib/identity/key-rotation.js';
import { repoPath } from '../../lib/paths.js';
import { startTestFederation, type TestFederation } from '../support/federation.js';
import { send, type Answer } from '../support/http-client.js';

/**
 * The split deployment's trust, end to end: the gateway runs in a process of its own with its key
 * set in a directory only it reads; the subgraphs (this process) have REQUIRE_GATEWAY_IDENTITY on
 * and nothing but GATEWAY_JWKS_URL. The URL goes through a relay this test can take down. The
 * development issuer's directory (user tokens, standing in for an identity provider) is the only
 * one both sides read; the gateway's key is never in it.
 */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const QUERY = '{ transfers(first: 5) { edges { node { id person { id encounters { id } bookings { id } } } } } }';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Relay {
  readonly url: string;
  upstream: string | undefined;
  down: boolean;
  /** When the relay last answered a JWKS with 200 (a subgraph's last successful fetch). */
  lastServedAt: number;
  close(): Promise<void>;
}

async function startRelay(): Promise<Relay> {
  let server: Server | undefined;
  const relay: Relay = {
    url: '',
    upstream: undefined,
    down: false,
    lastServedAt: 0,
    close: () => new Promise((resolve) => {
      server?.closeAllConnections();
      server?.close(() => resolve());
    }),
  };
  server = createServer((_request, response) => {
    const upstream = relay.upstream;
    if (relay.down || upstream === undefined) {
      response.writeHead(503).end('gateway unreachable');
      return;
    }
    fetch(upstream).then(
      async (answer) => {
        const text = await answer.text();
        if (answer.status === 200) relay.lastServedAt = Date.now();
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
      },
      () => response.writeHead(502).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(relay, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json` });
}

describe('a split deployment trusting published keys only', () => {
  let keysDir: string;
  let gatewayKeyFile: string;
  let auditKeyFile: string;
  let issuerDir: string;
  let relay: Relay;
  let fed: TestFederation;
  let gateway: ChildProcessWithoutNullStreams | undefined;
  let gatewayUrl: string;

  const jwksOf = async (serviceUrl: string): Promise<{ readonly answer: Response; readonly jwks: JSONWebKeySet }> => {
    const answer = await fetch(new URL('/.well-known/jwks.json', serviceUrl));
    return { answer, jwks: (await answer.json()) as JSONWebKeySet };
  };
  const kidsOf = async (serviceUrl: string): Promise<string[]> => (await jwksOf(serviceUrl)).jwks.keys.map((key) => String(key.kid));
  const waitForKid = async (serviceUrl: string, kid: string): Promise<void> => {
    for (let attempt = 0; attempt < 100 && !(await kidsOf(serviceUrl)).includes(kid); attempt += 1) await sleep(100);
    expect(await kidsOf(serviceUrl)).toContain(kid);
  };
  const ask = async (): Promise<Answer> => send(gatewayUrl, { token: await fed.token('ice-officer'), purpose: 'CUSTODY_TRANSFER', json: { query: QUERY } });

  beforeAll(async () => {
    keysDir = await mkdtemp(join(tmpdir(), 'tributary-split-keys-'));
    issuerDir = await mkdtemp(join(tmpdir(), 'tributary-split-issuer-'));
    process.env.DEV_ISSUER_DIR = issuerDir;
    // Published long ago, so that a normal (unforced) rotation may promote the next key.
    gatewayKeyFile = join(keysDir, 'gateway-keys.json');
    await writeKeySetFile(gatewayKeyFile, await newKeySet(new Date(Date.now() - 10 * 60_000)));
    auditKeyFile = join(keysDir, 'audit-keys.json');
    await writeKeySetFile(auditKeyFile, await newKeySet(new Date()));
    relay = await startRelay();
    const base = readSettings({ ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'silent' });
    fed = await startTestFederation({
      services: [...SUBGRAPHS],
      settings: {
        ...base,
        requireGatewayIdentity: true,
        gatewayJwksUrl: relay.url,
        gatewayIdentityKeyFile: undefined,
        gatewayIdentityJwksFile: undefined,
        auditSigningKeyFile: auditKeyFile,
      },
    });
    const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, fed.federation.urls[name] ?? '']));
    gateway = spawn(process.execPath, ['--import', 'tsx', repoPath('test', 'support', 'gateway-child.ts')], {
      cwd: repoPath(),
      env: {
        ...process.env,
        ...subgraphUrls,
        DATABASE_URL: fed.testStore.url ?? '',
        AUDIT_DATABASE_URL: '',
        REQUIRE_GATEWAY_IDENTITY: 'on',
        GATEWAY_IDENTITY_KEY_FILE: gatewayKeyFile,
        GATEWAY_JWKS_URL: '',
        GATEWAY_IDENTITY_JWKS_FILE: '',
      },
    });
    let stderr = '';
    gateway.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const first = await createInterface({ input: gateway.stdout })[Symbol.asyncIterator]().next();
    if (first.done === true) throw new Error(`the gateway process ended early:\n${stderr}`);
    gatewayUrl = (JSON.parse(String(first.value)) as { gateway: string }).gateway;
    relay.upstream = new URL('/.well-known/jwks.json', gatewayUrl).href;
  }, 120_000);

  afterAll(async () => {
    gateway?.kill('SIGKILL');
    await fed?.close();
    await relay?.close();
    await rm(keysDir, { recursive: true, force: true });
  });

  it('serves its public keys at /.well-known/jwks.json: kid, alg, use, no private member, a short max-age', async () => {
    for (const serviceUrl of [gatewayUrl, fed.federation.urls.audit ?? '']) {
      const { answer, jwks } = await jwksOf(serviceUrl);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toMatch(/max-age=\d+/);
      expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
      for (const key of jwks.keys) {
        expect(key).toMatchObject({ kid: expect.any(String), alg: 'ES256', use: 'sig' });
        for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      }
      // Read-only, and public: no token asked.
      expect((await fetch(new URL('/.well-known/jwks.json', serviceUrl), { method: 'POST', body: '{}' })).status).toBe(405);
    }
  });

  it('answers through the gateway: the subgraphs verify its identity by the JWKS URL alone', async () => {
    const { body } = await ask();
    expect(body.errors ?? []).toEqual([]);
    expect((body.data?.['transfers'] as { edges: unknown[] }).edges.length).toBeGreaterThan(0);
    // No gateway key was ever made where the subgraphs look for one.
    await expect(access(join(issuerDir, 'gateway-key'))).rejects.toThrow();
  });

  it('keeps answering while the gateway key rotates under traffic', async () => {
    let stop = false;
    const answers: Answer[] = [];
    const worker = async (): Promise<void> => {
      while (!stop) answers.push(await ask());
    };
    const workers = [worker(), worker(), worker()];
    await sleep(500);
    const rotation = await rotateKeyFile(gatewayKeyFile, 'gateway keys', { minPublishedMs: KEY_PUBLICATION_LEAD_MS });
    if (rotation.outcome !== 'rotated') throw new Error(`expected a rotation, got ${rotation.outcome}`);
    // The gateway publishes the new next key in the same snapshot in which it starts signing with the old next.
    await waitForKid(gatewayUrl, rotation.next);
    await sleep(1_500);
    stop = true;
    await Promise.all(workers);
    expect(answers.length).toBeGreaterThan(6);
    expect(answers.flatMap((answer) => answer.body.errors ?? [])).toEqual([]);
  });

  it('refuses clearly (SERVICE_UNAVAILABLE, no crash) when the JWKS cannot be fetched for a new kid, and recovers', async () => {
    relay.down = true;
    // Forced twice: the gateway now signs with a key made after the subgraphs last fetched the set.
    await rotateKeyFile(gatewayKeyFile, 'gateway keys', { minPublishedMs: 0 });
    const second = await rotateKeyFile(gatewayKeyFile, 'gateway keys', { minPublishedMs: 0 });
    if (second.outcome !== 'rotated') throw new Error('expected a rotation');
    await waitForKid(gatewayUrl, second.next);
    // Past the refetch cooldown since the subgraphs' last successful fetch: they try, and fail.
    await sleep(Math.max(0, relay.lastServedAt + DEFAULT_REMOTE_JWKS.cooldownMs + 500 - Date.now()));
    const refused = await ask();
    const codes = (refused.body.errors ?? []).map((error) => error.extensions?.['code']);
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['SERVICE_UNAVAILABLE']));
    expect(refused.text).not.toMatch(/transfers.*"id":"/);
    expect((await fetch(new URL('/health', fed.federation.urls.ice ?? ''))).status).toBe(200);

    relay.down = false;
    const { body } = await ask();
    expect(body.errors ?? []).toEqual([]);
  });

  it('verifies checkpoints signed by a retired audit key against the published JWKS', async () => {
    const auditUrl = fed.federation.urls.audit ?? '';
    const source = { auditSigningKeyFile: auditKeyFile, auditJwksUrl: undefined };
    const claim = { chain: 'ice', seq: 1, headHash: 'e'.repeat(64), at: new Date(), kind: 'PERIODIC' } as const;
    const old = await signCheckpoint(await loadAuditSigningKey(source), claim);
    const rotation = await rotateKeyFile(auditKeyFile, 'audit keys', { minPublishedMs: 0 });
    if (rotation.outcome !== 'rotated') throw new Error('expected a rotation');
    await waitForKid(auditUrl, rotation.next);
    const fresh = await signCheckpoint(await loadAuditSigningKey(source), claim);
    expect(fresh.keyId).toBe(rotation.signing);
    expect(old.keyId).toBe(rotation.retired);

    // The operator command never drops an audit key.
    const before = await readFile(auditKeyFile, 'utf8');
    const pruned = spawn(process.execPath, ['--import', 'tsx', repoPath('scripts', 'keys.ts'), 'prune', '--service', 'audit'], {
      cwd: repoPath(),
      env: { ...process.env, AUDIT_SIGNING_KEY_FILE: auditKeyFile },
    });
    let out = '';
    pruned.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await new Promise((resolve) => pruned.on('close', resolve))).toBe(0);
    expect(out).toMatch(/never pruned/);
    expect(await readFile(auditKeyFile, 'utf8')).toBe(before);

    const auditJwksUrl = new URL('/.well-known/jwks.json', auditUrl).href;
    const jwks = await loadJwks(auditJwksUrl);
    await expect(verifyCheckpoint(old.signature, jwks)).resolves.toMatchObject({ chain: 'ice', seq: 1 });
    await expect(verifyCheckpoint(fresh.signature, jwks)).resolves.toMatchObject({ chain: 'ice', seq: 1 });
    // AUDIT_JWKS_URL: what `audit:verify` and the audit API trust, fetched, not read from a shared file.
    expect(await readAuditPublicJwks({ auditSigningKeyFile: undefined, auditJwksUrl })).toEqual(jwks);
    // The chains written so far, with the checkpoints the audit service signed before and after the rotation.
    const status = await verifyChains(fed.federation.runtime.auditStore, { jwks });
    expect(status.reason ?? null).toBeNull();
    expect(status.valid).toBe(true);
  });
});
