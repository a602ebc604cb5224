import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gatewayPublicJwks, signGatewayIdentity, verifyGatewayIdentity, type RemoteJwksOptions } from '../../lib/identity/index.js';
import { newKeySet } from '../../lib/identity/key-set.js';
import { writeKeySetFile } from '../../lib/identity/key-set-file.js';
import { rotateKeyFile } from '../../lib/identity/key-rotation.js';

/**
 * A subgraph trusting the gateway by its JWKS URL alone (GATEWAY_JWKS_URL): no key file, no
 * shared directory. The "gateway" here is a key set file and a loopback server serving its public
 * half, as the gateway's /.well-known/jwks.json does; the e2e test runs the real gateway in a
 * process of its own.
 */
const FAST: RemoteJwksOptions = { cacheMaxAgeMs: 60_000, cooldownMs: 100, timeoutMs: 300, maxStaleMs: 60_000 };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

describe('gateway identity verified by GATEWAY_JWKS_URL', () => {
  let dir: string;
  let keyFile: string;
  let server: Server;
  let url: string;
  let fetches = 0;
  let mode: 'serve' | 'down' | 'hang' = 'serve';
  let signerEnv: NodeJS.ProcessEnv;
  let subgraphEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-jwks-url-'));
    server = createServer((_request, response) => {
      fetches += 1;
      if (mode === 'hang') return;
      if (mode === 'down') {
        response.writeHead(503).end('down');
        return;
      }
      gatewayPublicJwks({ env: signerEnv }).then(
        (jwks) => response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify(jwks)),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    // A fresh signer key set (and verifier cache, by a fresh URL query) per test.
    keyFile = join(dir, `keys-${Math.random().toString(36).slice(2)}.json`);
    await writeKeySetFile(keyFile, await newKeySet(new Date(Date.now() - 10 * 60_000)));
    signerEnv = { GATEWAY_IDENTITY_KEY_FILE: keyFile };
    subgraphEnv = { GATEWAY_JWKS_URL: `${url}?set=${Math.random().toString(36).slice(2)}`, DEV_ISSUER_DIR: join(dir, 'never-created') };
    mode = 'serve';
    fetches = 0;
  });

  it('publishes public keys only, with kid, alg and use', async () => {
    const jwks: JSONWebKeySet = await gatewayPublicJwks({ env: signerEnv });
    expect(jwks.keys).toHaveLength(2);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ alg: 'ES256', use: 'sig', kid: expect.any(String) });
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    }
  });

  it('verifies a signed identity by the URL alone, fetching the set once', async () => {
    for (const rid of ['r1', 'r2', 'r3']) {
      const header = await signGatewayIdentity(rid, { env: signerEnv });
      await expect(verifyGatewayIdentity(header, rid, { env: subgraphEnv, remote: FAST })).resolves.toBeUndefined();
    }
    expect(fetches).toBe(1);
    // The subgraph side never created or read a local gateway key.
    await expect(access(join(dir, 'never-created'))).rejects.toThrow();
  });

  it('keeps verifying across a rotation, before and after, and never signs with a key it has not published', async () => {
    const published = (await gatewayPublicJwks({ env: signerEnv })).keys.map((key) => key.kid);
    const before = await signGatewayIdentity('before', { env: signerEnv });
    await expect(verifyGatewayIdentity(before, 'before', { env: subgraphEnv, remote: FAST })).resolves.toBeUndefined();
    const rotation = await rotateKeyFile(keyFile, 'keys', { minPublishedMs: 60_000 });
    if (rotation.outcome !== 'rotated') throw new Error('expected a rotation');
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the signer's poll
    const after = await signGatewayIdentity('after', { env: signerEnv });
    const kid = decodeProtectedHeader(after).kid;
    expect(kid).toBe(rotation.signing);
    expect(published).toContain(kid);
    // Both the token signed before the rotation (retired key) and the one after verify.
    await expect(verifyGatewayIdentity(after, 'after', { env: subgraphEnv, remote: FAST })).resolves.toBeUndefined();
    await expect(verifyGatewayIdentity(before, 'before', { env: subgraphEnv, remote: FAST })).resolves.toBeUndefined();
    // The new current key was already in the cached set: no refetch was needed.
    expect(fetches).toBe(1);
  });

  it('refetches the set when a token names a kid it does not know (a forced rotation)', async () => {
    await expect(verifyGatewayIdentity(await signGatewayIdentity('a', { env: signerEnv }), 'a', { env: subgraphEnv, remote: FAST })).resolves.toBeUndefined();
    // Forced twice: the key that signs now was created after the verifier fetched the set.
    await rotateKeyFile(keyFile, 'keys', { minPublishedMs: 0 });
    await rotateKeyFile(keyFile, 'keys', { minPublishedMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const header = await signGatewayIdentity('b', { env: signerEnv });
    await expect(verifyGatewayIdentity(header, 'b', { env: subgraphEnv, remote: FAST })).resolves.toBeUndefined();
    expect(fetches).toBe(2);
  });

  it('refuses with SERVICE_UNAVAILABLE (keys_unavailable) while the endpoint is down or hangs, and recovers by itself', async () => {
    const header = await signGatewayIdentity('down', { env: signerEnv });
    for (const failure of ['down', 'hang'] as const) {
      mode = failure;
      const env = { ...subgraphEnv, GATEWAY_JWKS_URL: `${url}?${failure}=${Math.random()}` };
      await expect(verifyGatewayIdentity(header, 'down', { env, remote: FAST })).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        extensions: { reason: 'keys_unavailable', http: { status: 503 } },
      });
    }
    mode = 'serve';
    await expect(verifyGatewayIdentity(header, 'down', { env: subgraphEnv, remote: FAST })).resolves.toBeUndefined();
  });

  it('keeps the last fetched set while the endpoint is down, but not for a kid it never saw', async () => {
    await expect(verifyGatewayIdentity(await signGatewayIdentity('a', { env: signerEnv }), 'a', { env: subgraphEnv, remote: { ...FAST, cacheMaxAgeMs: 1 } })).resolves.toBeUndefined();
    mode = 'down';
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Cache expired, endpoint down: the last set still verifies the key it holds.
    await expect(verifyGatewayIdentity(await signGatewayIdentity('b', { env: signerEnv }), 'b', { env: subgraphEnv, remote: { ...FAST, cacheMaxAgeMs: 1 } })).resolves.toBeUndefined();
    await rotateKeyFile(keyFile, 'keys', { minPublishedMs: 0 });
    await rotateKeyFile(keyFile, 'keys', { minPublishedMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(
      verifyGatewayIdentity(await signGatewayIdentity('c', { env: signerEnv }), 'c', { env: subgraphEnv, remote: { ...FAST, cacheMaxAgeMs: 1 } }),
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('fails, naming the file, when the signer cannot read its key set (the endpoint then answers 503)', async () => {
    await expect(gatewayPublicJwks({ env: { GATEWAY_IDENTITY_KEY_FILE: join(dir, 'missing.json') } })).rejects.toThrow(/GATEWAY_IDENTITY_KEY_FILE .*missing.json cannot be read/);
  });

  it('still refuses a token signed by a key the gateway never published', async () => {
    const otherFile = join(dir, 'other.json');
    await writeKeySetFile(otherFile, await newKeySet(new Date()));
    const forged = await signGatewayIdentity('f', { env: { GATEWAY_IDENTITY_KEY_FILE: otherFile } });
    await expect(verifyGatewayIdentity(forged, 'f', { env: subgraphEnv, remote: FAST })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      extensions: { reason: 'signature_invalid' },
    });
  });
});
