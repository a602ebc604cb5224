import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../lib/errors.js';
import {
  DEV_ISSUER,
  PERSONAS,
  PERSONA_NAMES,
  createTokenVerifier,
  getDevIssuerKey,
  loadTrustedIssuers,
  mintToken,
  trustIssuer,
} from '../../lib/identity/index.js';
import type { TokenVerifier } from '../../lib/identity/index.js';

/** Frozen clock: every token below is minted and verified relative to this instant. */
const T = new Date('2030-01-01T00:00:00Z');
const at = (secondsAfterT: number): Date => new Date(T.getTime() + secondsAfterT * 1000);
const epoch = (date: Date): number => Math.floor(date.getTime() / 1000);

let dir: string;
let verify: TokenVerifier;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-verify-'));
  const issuers = await loadTrustedIssuers({ file: undefined, production: false, devIssuerDir: dir });
  verify = createTokenVerifier({ audience: 'tributary', issuers, currentDate: () => T });
});

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A complete, valid claims set for the dev issuer, for tests that sign by hand. */
const validPayload = (overrides: Record<string, unknown> = {}): JWTPayload => ({
  ...PERSONAS['cbp-analyst'],
  roles: [...PERSONAS['cbp-analyst'].roles],
  jurisdictions: [...PERSONAS['cbp-analyst'].jurisdictions],
  purposes: [...PERSONAS['cbp-analyst'].purposes],
  iss: DEV_ISSUER,
  aud: 'tributary',
  iat: epoch(T),
  exp: epoch(at(3600)),
  ...overrides,
});

/** Signs an arbitrary payload with the development issuer's real key. */
async function signWithDevKey(payload: JWTPayload): Promise<string> {
  const { privateKey, kid } = await getDevIssuerKey({ dir });
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
}

async function refusal(header: string | undefined): Promise<TributaryError> {
  const error: unknown = await verify(header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TributaryError);
  if (!(error instanceof TributaryError)) throw new Error('unreachable');
  expect(error.code).toBe('UNAUTHENTICATED');
  return error;
}

describe('createTokenVerifier', () => {
  describe('accepts a development persona token', () => {
    it.each(PERSONA_NAMES)('%s round-trips to its Principal', async (name) => {
      const token = await mintToken(PERSONAS[name], { dir, now: T, audience: 'tributary' });
      await expect(verify(`Bearer ${token}`)).resolves.toEqual({ iss: DEV_ISSUER, ...PERSONAS[name] });
    });

    it('accepts the scheme name in any case', async () => {
      const token = await mintToken(PERSONAS.auditor, { dir, now: T, audience: 'tributary' });
      await expect(verify(`bearer ${token}`)).resolves.toMatchObject({ sub: 'auditor@oversight-privacy' });
    });

    it('reads missing flags as false and missing lists as empty', async () => {
      const token = await signWithDevKey({ iss: DEV_ISSUER, aud: 'tributary', sub: 'x@ngo', agency: 'NGO', org: 'ngo-x', exp: epoch(at(60)) });
      await expect(verify(`Bearer ${token}`)).resolves.toEqual({
        iss: DEV_ISSUER,
        sub: 'x@ngo',
        agency: 'NGO',
        org: 'ngo-x',
        roles: [],
        jurisdictions: [],
        purposes: [],
        pii: false,
        cfr28: false,
        sworn: false,
      });
    });
  });

  describe('refuses', () => {
    it('a request without an Authorization header', async () => {
      const error = await refusal(undefined);
      expect(error.message).toMatch(/missing bearer token/);
      expect(error.extensions['reason']).toBe('missing_token');
    });

    it('a scheme other than Bearer', async () => {
      const error = await refusal('Basic dXNlcjpwYXNzd29yZA==');
      expect(error.message).toBe('authorization scheme must be Bearer');
      expect(error.message).not.toContain('dXNlcjpwYXNzd29yZA');
    });

    it('a token that is not a compact JWT', async () => {
      expect((await refusal('Bearer not-a-jwt')).message).toMatch(/malformed token/);
    });

    it('an unsigned token (alg none)', async () => {
      const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(validPayload())}.`;
      const error = await refusal(`Bearer ${token}`);
      expect(error.message).toMatch(/unsupported algorithm "none"/);
      expect(error.extensions['reason']).toBe('unsupported_algorithm');
    });

    it('an HS256 token keyed with the issuer public key (key confusion)', async () => {
      const { publicJwk, kid } = await getDevIssuerKey({ dir });
      const { importJWK } = await import('jose');
      const publicKey = await importJWK(publicJwk, 'ES256');
      if (publicKey instanceof Uint8Array) throw new Error('expected a CryptoKey');
      // The attacker knows the public key and uses its bytes (PEM and JWK forms) as an HMAC secret.
      for (const secret of [await exportSPKI(publicKey), JSON.stringify(publicJwk)]) {
        const token = await new SignJWT(validPayload())
          .setProtectedHeader({ alg: 'HS256', kid })
          .sign(new TextEncoder().encode(secret));
        expect((await refusal(`Bearer ${token}`)).message).toMatch(/unsupported algorithm "HS256"/);
      }
    });

    it('a token signed by another key, even one claiming the trusted kid', async () => {
      const { kid } = await getDevIssuerKey({ dir });
      const other = await generateKeyPair('ES256');
      for (const header of [{ alg: 'ES256', kid }, { alg: 'ES256' }, { alg: 'ES256', kid: 'unknown' }]) {
        const token = await new SignJWT(validPayload()).setProtectedHeader(header).sign(other.privateKey);
        const error = await refusal(`Bearer ${token}`);
        expect(error.message).toMatch(/signature invalid/);
        expect(error.extensions['reason']).toBe('signature_invalid');
      }
    });

    it('a token whose payload was altered after signing', async () => {
      const token = await mintToken(PERSONAS['ngo-shelter'], { dir, now: T, audience: 'tributary' });
      const [header, , signature] = token.split('.');
      const forged = `${header}.${b64url({ ...validPayload(), agency: 'CBP' })}.${signature}`;
      expect((await refusal(`Bearer ${forged}`)).message).toMatch(/signature invalid/);
    });

    it('an expired token, beyond the clock tolerance', async () => {
      const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: at(-3600), expiresIn: 3600 - 6, audience: 'tributary' });
      const error = await refusal(`Bearer ${token}`);
      expect(error.message).toBe('token expired');
      expect(error.extensions['reason']).toBe('expired');
    });

    it('but not a token that expired within the clock tolerance', async () => {
      const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: at(-3600), expiresIn: 3600 - 4, audience: 'tributary' });
      await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ sub: 'cbp-agent@cbp-tucson' });
    });

    it('a token that is not valid yet (nbf in the future)', async () => {
      const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: at(120), audience: 'tributary' });
      const error = await refusal(`Bearer ${token}`);
      expect(error.message).toMatch(/not yet valid/);
      expect(error.extensions['reason']).toBe('not_yet_valid');
    });

    it('a token issued in the future (iat), even without nbf', async () => {
      const token = await signWithDevKey(validPayload({ iat: epoch(at(120)) }));
      expect((await refusal(`Bearer ${token}`)).message).toMatch(/not yet valid/);
    });

    it('a token for another audience', async () => {
      const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: T, audience: 'some-other-api' });
      const error = await refusal(`Bearer ${token}`);
      expect(error.message).toBe('wrong audience: the token is not for "tributary"');
      expect(error.extensions['reason']).toBe('wrong_audience');
    });

    it('a token from an untrusted issuer', async () => {
      const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: T, audience: 'tributary', issuer: 'https://idp.evil.example' });
      const error = await refusal(`Bearer ${token}`);
      expect(error.message).toBe('untrusted issuer "https://idp.evil.example"');
      expect(error.extensions['reason']).toBe('untrusted_issuer');
    });

    it('a token without exp', async () => {
      const { exp: _exp, ...payload } = validPayload();
      expect((await refusal(`Bearer ${await signWithDevKey(payload)}`)).message).toBe('claim "exp" is required');
    });

    it('a token without sub', async () => {
      const { sub: _sub, ...payload } = validPayload();
      const error = await refusal(`Bearer ${await signWithDevKey(payload)}`);
      expect(error.message).toBe('claim "sub" is required');
      expect(error.extensions['reason']).toBe('missing_claim');
    });

    it.each([
      ['an unknown agency', { agency: 'FBI' }, /claim "agency" invalid: "FBI" is not one of CBP, ICE, PARTNER, NGO, OVERSIGHT/],
      ['a missing agency', { agency: undefined }, /claim "agency" is required/],
      ['a missing org', { org: undefined }, /claim "org" is required/],
      ['an unknown role', { roles: ['analyst', 'admin'] }, /claim "roles" invalid: "admin" is not one of/],
      ['roles that are not a list', { roles: 'analyst' }, /claim "roles" invalid: expected an array/],
      ['an unknown purpose', { purposes: ['CURIOSITY'] }, /claim "purposes" invalid: "CURIOSITY"/],
      ['an unknown jurisdiction', { jurisdictions: ['ATLANTIS'] }, /claim "jurisdictions" invalid/],
      ['a flag given as a string', { pii: 'true' }, /claim "pii" invalid: expected true or false/],
      ['a sub with spaces', { sub: 'a b' }, /claim "sub" invalid/],
    ])('a token with %s', async (_case, overrides, message) => {
      const error = await refusal(`Bearer ${await signWithDevKey(validPayload(overrides))}`);
      expect(error.message).toMatch(message);
    });

    it('never echoes the token in its message', async () => {
      const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: at(-7200), audience: 'tributary' });
      const error = await refusal(`Bearer ${token}`);
      expect(error.message).not.toContain(token.split('.')[2]);
      expect(error.cause).toBeDefined();
    });
  });

  describe('with an issuer publishing several keys without kid (key rotation)', () => {
    it('tries each key and accepts the one that signed', async () => {
      const [oldKey, newKey, strangerKey] = await Promise.all([generateKeyPair('ES256'), generateKeyPair('ES256'), generateKeyPair('ES256')]);
      const iss = 'https://idp.rotating.example';
      const issuers = trustIssuer(iss, { keys: [await exportJWK(oldKey.publicKey), await exportJWK(newKey.publicKey)] });
      const rotatingVerify = createTokenVerifier({ audience: 'tributary', issuers, currentDate: () => T });
      const signWith = (key: CryptoKey): Promise<string> =>
        new SignJWT(validPayload({ iss })).setProtectedHeader({ alg: 'ES256' }).sign(key);

      await expect(rotatingVerify(`Bearer ${await signWith(newKey.privateKey)}`)).resolves.toMatchObject({ iss });
      await expect(rotatingVerify(`Bearer ${await signWith(strangerKey.privateKey)}`)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
        message: expect.stringMatching(/^signature invalid/),
      });
    });
  });
});
