import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_ISSUER,
  PERSONAS,
  createTokenVerifier,
  getDevIssuerJwks,
  loadTrustedIssuers,
  mintToken,
} from '../../lib/identity/index.js';

const IDP = 'https://idp.agency.example';
const T = new Date('2030-01-01T00:00:00Z');

let dir: string;
let devIssuerDir: string;
let idpKey: CryptoKey;
let idpPublicJwk: JWK;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-issuers-'));
  devIssuerDir = join(dir, 'dev-issuer');
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  idpKey = privateKey;
  const jwk = await exportJWK(publicKey);
  idpPublicJwk = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' };
});

async function writeConfig(name: string, config: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

const idpToken = (): Promise<string> =>
  new SignJWT({ agency: 'ICE', org: 'ice-hsi-tucson', roles: ['analyst'], purposes: ['INVESTIGATION'], pii: true })
    .setProtectedHeader({ alg: 'ES256', kid: idpPublicJwk.kid ?? '' })
    .setIssuer(IDP)
    .setSubject('jdoe@ice-hsi-tucson')
    .setAudience('tributary')
    .setIssuedAt(T)
    .setExpirationTime(new Date(T.getTime() + 600_000))
    .sign(idpKey);

const devToken = (): Promise<string> => mintToken(PERSONAS['cbp-agent'], { dir: devIssuerDir, now: T, audience: 'tributary' });

describe('loadTrustedIssuers', () => {
  it('trusts only the development issuer when no file is set', async () => {
    const issuers = await loadTrustedIssuers({ file: undefined, production: false, devIssuerDir });
    expect([...issuers.keys()]).toEqual([DEV_ISSUER]);
  });

  it('trusts an issuer listed with inline jwks, beside the development issuer', async () => {
    const file = await writeConfig('inline.json', { issuers: [{ iss: IDP, jwks: { keys: [idpPublicJwk] } }] });
    const issuers = await loadTrustedIssuers({ file, production: false, devIssuerDir });
    expect([...issuers.keys()].sort()).toEqual([IDP, DEV_ISSUER].sort());

    const verify = createTokenVerifier({ audience: 'tributary', issuers, currentDate: () => T });
    await expect(verify(`Bearer ${await idpToken()}`)).resolves.toMatchObject({
      iss: IDP,
      sub: 'jdoe@ice-hsi-tucson',
      agency: 'ICE',
      roles: ['analyst'],
      jurisdictions: [],
      cfr28: false,
    });
    await expect(verify(`Bearer ${await devToken()}`)).resolves.toMatchObject({ iss: DEV_ISSUER });
  });

  it('reads TRUSTED_ISSUERS_FILE, NODE_ENV and DEV_ISSUER_DIR from the environment', async () => {
    const file = await writeConfig('env.json', { issuers: [{ iss: IDP, jwks: { keys: [idpPublicJwk] } }] });
    const issuers = await loadTrustedIssuers({ env: { TRUSTED_ISSUERS_FILE: file, NODE_ENV: 'production', DEV_ISSUER_DIR: devIssuerDir } });
    expect([...issuers.keys()]).toEqual([IDP]);
  });

  describe('in production', () => {
    it('drops the development issuer', async () => {
      const file = await writeConfig('prod.json', { issuers: [{ iss: IDP, jwks: { keys: [idpPublicJwk] } }] });
      const issuers = await loadTrustedIssuers({ file, production: true, devIssuerDir });
      expect(issuers.has(DEV_ISSUER)).toBe(false);

      const verify = createTokenVerifier({ audience: 'tributary', issuers, currentDate: () => T });
      await expect(verify(`Bearer ${await idpToken()}`)).resolves.toMatchObject({ iss: IDP });
      await expect(verify(`Bearer ${await devToken()}`)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
        message: `untrusted issuer "${DEV_ISSUER}"`,
      });
    });

    it('trusts no one without a file', async () => {
      const issuers = await loadTrustedIssuers({ file: undefined, production: true, devIssuerDir });
      expect(issuers.size).toBe(0);
    });

    it('keeps the development issuer when the file lists it', async () => {
      const file = await writeConfig('prod-dev.json', { issuers: [{ iss: DEV_ISSUER, jwks: await getDevIssuerJwks({ dir: devIssuerDir }) }] });
      const issuers = await loadTrustedIssuers({ file, production: true, devIssuerDir });
      const verify = createTokenVerifier({ audience: 'tributary', issuers, currentDate: () => T });
      await expect(verify(`Bearer ${await devToken()}`)).resolves.toMatchObject({ iss: DEV_ISSUER, sub: 'cbp-agent@cbp-tucson' });
    });
  });

  it('accepts an https jwksUri without fetching it at load time', async () => {
    const file = await writeConfig('remote.json', { issuers: [{ iss: IDP, jwksUri: 'https://idp.agency.example/.well-known/jwks.json' }] });
    const issuers = await loadTrustedIssuers({ file, production: true, devIssuerDir });
    expect(issuers.get(IDP)).toMatchObject({ source: 'jwksUri', iss: IDP });
  });

  describe('refuses a malformed file, naming the file and the problem', () => {
    it.each([
      ['invalid JSON', '{"issuers": [', /is not valid JSON/],
      ['no issuers list', { trusted: [] }, /expected \{"issuers": \[\.\.\.\]\}/],
      ['an entry without iss', { issuers: [{ jwksUri: 'https://a.example/jwks' }] }, /issuers\[0\]\.iss must be a non-empty string/],
      ['an entry with neither keys source', { issuers: [{ iss: IDP }] }, /needs exactly one of "jwks" or "jwksUri"/],
      ['an entry with both keys sources', { issuers: [{ iss: IDP, jwks: { keys: [] }, jwksUri: 'https://a.example/jwks' }] }, /exactly one/],
      ['a misspelt member', { issuers: [{ iss: IDP, jwks_uri: 'https://a.example/jwks' }] }, /unknown member\(s\) "jwks_uri"/],
      ['jwks without keys', { issuers: [{ iss: IDP, jwks: {} }] }, /"jwks" must be an object with a "keys" array/],
      ['an empty key set', { issuers: [{ iss: IDP, jwks: { keys: [] } }] }, /no key usable with ES256, EdDSA, RS256/],
      ['a symmetric key', { issuers: [{ iss: IDP, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }] }, /symmetric key/],
      ['a private key', { issuers: [{ iss: IDP, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }] } }] }, /private key material \(member "d"\)/],
      ['a plain-http jwksUri', { issuers: [{ iss: IDP, jwksUri: 'http://idp.agency.example/jwks' }] }, /must use https/],
      ['a jwksUri that is no URL', { issuers: [{ iss: IDP, jwksUri: 'not a url' }] }, /is not a valid URL/],
      ['an issuer listed twice', { issuers: [{ iss: IDP, jwksUri: 'https://a.example/jwks' }, { iss: IDP, jwksUri: 'https://b.example/jwks' }] }, /listed twice/],
    ])('%s', async (name, config, problem) => {
      const file = await writeConfig(`bad-${name.replace(/\W+/g, '-')}.json`, config);
      const failure = loadTrustedIssuers({ file, production: true, devIssuerDir });
      await expect(failure).rejects.toThrow(file);
      await expect(failure).rejects.toThrow(problem);
    });

    it('a file that does not exist', async () => {
      const file = join(dir, 'missing.json');
      await expect(loadTrustedIssuers({ file, production: true, devIssuerDir })).rejects.toThrow(`Trusted issuers file ${file} cannot be read`);
    });
  });
});
