import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GATEWAY_IDENTITY_TTL_SECONDS,
  isGatewayIdentityRequired,
  signGatewayIdentity,
  verifyGatewayIdentity,
} from '../../lib/identity/index.js';

const T = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number): Date => new Date(T.getTime() + seconds * 1000);

let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = { DEV_ISSUER_DIR: await mkdtemp(join(tmpdir(), 'tributary-gateway-id-')) };
});

describe('the gateway service identity', () => {
  it('is off unless REQUIRE_GATEWAY_IDENTITY is set', () => {
    expect(isGatewayIdentityRequired({})).toBe(false);
    expect(isGatewayIdentityRequired({ REQUIRE_GATEWAY_IDENTITY: 'off' })).toBe(false);
    expect(isGatewayIdentityRequired({ REQUIRE_GATEWAY_IDENTITY: 'true' })).toBe(true);
    expect(isGatewayIdentityRequired({ REQUIRE_GATEWAY_IDENTITY: '1' })).toBe(true);
  });

  it('verifies for the request it was signed for', async () => {
    const header = await signGatewayIdentity('req-1', { env, currentDate: T });
    await expect(verifyGatewayIdentity(header, 'req-1', { env, currentDate: at(30) })).resolves.toBeUndefined();
  });

  it('is refused for another request id', async () => {
    const header = await signGatewayIdentity('req-1', { env, currentDate: T });
    await expect(verifyGatewayIdentity(header, 'req-2', { env, currentDate: T })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/^gateway identity required: .*another request/),
    });
  });

  it('is refused when missing', async () => {
    await expect(verifyGatewayIdentity(undefined, 'req-1', { env })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'gateway identity required: header x-gateway-identity is missing',
    });
  });

  it(`expires after ${GATEWAY_IDENTITY_TTL_SECONDS} seconds`, async () => {
    const header = await signGatewayIdentity('req-1', { env, currentDate: T });
    await expect(verifyGatewayIdentity(header, 'req-1', { env, currentDate: at(GATEWAY_IDENTITY_TTL_SECONDS + 10) })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'gateway identity required: the gateway identity expired',
    });
  });

  it('is refused when signed by another key', async () => {
    const otherEnv = { DEV_ISSUER_DIR: await mkdtemp(join(tmpdir(), 'tributary-other-gateway-')) };
    const header = await signGatewayIdentity('req-1', { env: otherEnv, currentDate: T });
    await expect(verifyGatewayIdentity(header, 'req-1', { env, currentDate: T })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'gateway identity required: signature invalid',
    });
  });

  it('is refused when it is a user token rather than a gateway identity', async () => {
    const { mintToken, PERSONAS } = await import('../../lib/identity/index.js');
    const userToken = await mintToken(PERSONAS.auditor, { dir: env['DEV_ISSUER_DIR'] ?? '', now: T });
    await expect(verifyGatewayIdentity(userToken, 'req-1', { env, currentDate: T })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('works across hosts with a private key file and a public JWKS file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-gateway-files-'));
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const keyFile = join(dir, 'gateway.private.jwk.json');
    const jwksFile = join(dir, 'gateway.jwks.json');
    await writeFile(keyFile, JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'gw-2030' }), { mode: 0o600 });
    await writeFile(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'gw-2030' }] }));

    const header = await signGatewayIdentity('req-9', { env: { GATEWAY_IDENTITY_KEY_FILE: keyFile }, currentDate: T });
    await expect(verifyGatewayIdentity(header, 'req-9', { env: { GATEWAY_IDENTITY_JWKS_FILE: jwksFile }, currentDate: T })).resolves.toBeUndefined();
    // A subgraph holding the locally generated key instead refuses it.
    await expect(verifyGatewayIdentity(header, 'req-9', { env, currentDate: T })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses to start signing with a key file that holds no private key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-gateway-bad-'));
    const keyFile = join(dir, 'public-only.json');
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    await writeFile(keyFile, JSON.stringify(await exportJWK(publicKey)));
    await expect(signGatewayIdentity('req-1', { env: { GATEWAY_IDENTITY_KEY_FILE: keyFile } })).rejects.toThrow(
      `GATEWAY_IDENTITY_KEY_FILE ${keyFile}: the JWK has no private part`,
    );
  });
});
