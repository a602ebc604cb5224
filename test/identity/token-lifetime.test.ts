import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/config.js';
import { TributaryError } from '../../lib/errors.js';
import {
  DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
  DEV_ISSUER,
  PERSONAS,
  createTokenVerifier,
  getDevIssuerKey,
  loadTrustedIssuers,
  type TokenVerifier,
  type TrustedIssuers,
} from '../../lib/identity/index.js';

/** Frozen clock: lifetimes are counted in whole seconds from this instant. */
const T = new Date('2030-01-01T00:00:00Z');
const epoch = (date: Date): number => Math.floor(date.getTime() / 1000);
const DAY = 86_400;

let dir: string;
let issuers: TrustedIssuers;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-lifetime-'));
  issuers = await loadTrustedIssuers({ file: undefined, production: false, devIssuerDir: dir });
});

/** The analyst's claims, signed by the development issuer, with the time claims the test names. */
async function tokenWith(times: { readonly iat?: number; readonly nbf?: number; readonly exp: number }): Promise<string> {
  const claims = PERSONAS['cbp-analyst'];
  const payload: JWTPayload = {
    ...claims,
    roles: [...claims.roles],
    jurisdictions: [...claims.jurisdictions],
    purposes: [...claims.purposes],
    iss: DEV_ISSUER,
    aud: 'tributary',
    ...times,
  };
  const { privateKey, kid } = await getDevIssuerKey({ dir });
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
}

function verifierAt(now: Date, maxLifetimeSeconds?: number): TokenVerifier {
  return createTokenVerifier({ audience: 'tributary', issuers, currentDate: () => now, ...(maxLifetimeSeconds === undefined ? {} : { maxLifetimeSeconds }) });
}

async function refusal(verify: TokenVerifier, token: string): Promise<TributaryError> {
  const error: unknown = await verify(`Bearer ${token}`).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TributaryError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('the maximum token lifetime (TOKEN_MAX_LIFETIME_SECONDS)', () => {
  const now = epoch(T);

  it('is a day unless the operator sets it', () => {
    expect(DEFAULT_TOKEN_MAX_LIFETIME_SECONDS).toBe(DAY);
    expect(readSettings({}).tokenMaxLifetimeSeconds).toBe(DAY);
    expect(readSettings({ TOKEN_MAX_LIFETIME_SECONDS: '3600' }).tokenMaxLifetimeSeconds).toBe(3600);
    expect(() => readSettings({ TOKEN_MAX_LIFETIME_SECONDS: '0' })).toThrow(/TOKEN_MAX_LIFETIME_SECONDS must be an integer >= 1/);
    expect(() => readSettings({ TOKEN_MAX_LIFETIME_SECONDS: 'a day' })).toThrow(/TOKEN_MAX_LIFETIME_SECONDS/);
  });

  it('accepts a token whose exp is exactly the maximum past its iat', async () => {
    const token = await tokenWith({ iat: now, exp: now + DAY });
    await expect(verifierAt(T)(`Bearer ${token}`)).resolves.toMatchObject({ sub: 'cbp-analyst@cbp-tucson' });
  });

  it('refuses one second more with UNAUTHENTICATED, saying so and naming the reason', async () => {
    const error = await refusal(verifierAt(T), await tokenWith({ iat: now, exp: now + DAY + 1 }));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toBe('token lifetime exceeds the maximum of 86400 s (exp is 86401 s after iat)');
    expect(error.extensions['reason']).toBe('lifetime_too_long');
  });

  it('counts from iat, not from now: a long token issued a while ago is still refused', async () => {
    // Twenty-three hours left of a two-day token: what it claims, not what is left, decides.
    const token = await tokenWith({ iat: now - 25 * 3600, exp: now + 23 * 3600 });
    expect((await refusal(verifierAt(T), token)).extensions['reason']).toBe('lifetime_too_long');
  });

  it('without iat, counts from now: at most the maximum is left, and one second more is refused', async () => {
    await expect(verifierAt(T)(`Bearer ${await tokenWith({ exp: now + DAY })}`)).resolves.toMatchObject({ sub: 'cbp-analyst@cbp-tucson' });
    const error = await refusal(verifierAt(T), await tokenWith({ exp: now + DAY + 1 }));
    expect(error.message).toBe('token lifetime exceeds the maximum of 86400 s (exp is 86401 s from now and the token has no iat)');
    expect(error.extensions['reason']).toBe('lifetime_too_long');
  });

  it('refuses a token valid for ten years', async () => {
    const error = await refusal(verifierAt(T), await tokenWith({ iat: now, nbf: now, exp: now + 10 * 365 * DAY }));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toMatch(/^token lifetime exceeds the maximum of 86400 s/);
  });

  it('follows the configured maximum', async () => {
    const token = await tokenWith({ iat: now, exp: now + 3600 });
    await expect(verifierAt(T, 3600)(`Bearer ${token}`)).resolves.toMatchObject({ agency: 'CBP' });
    expect((await refusal(verifierAt(T, 3599), token)).message).toBe('token lifetime exceeds the maximum of 3599 s (exp is 3600 s after iat)');
    expect(() => verifierAt(T, 0)).toThrow(/maxLifetimeSeconds must be a whole number of seconds of at least 1/);
  });

  it('is not bypassed by the verified-token cache: a refusal is never remembered, and a second try is refused alike', async () => {
    const verify = verifierAt(T);
    const long = await tokenWith({ iat: now, exp: now + 30 * DAY });
    const first = await refusal(verify, long);
    const second = await refusal(verify, long);
    expect([first.extensions['reason'], second.extensions['reason']]).toEqual(['lifetime_too_long', 'lifetime_too_long']);
    // A token within the limit, verified (and cached) by the same verifier, does not open the door either.
    await expect(verify(`Bearer ${await tokenWith({ iat: now, exp: now + 600 })}`)).resolves.toMatchObject({ agency: 'CBP' });
    expect((await refusal(verify, long)).extensions['reason']).toBe('lifetime_too_long');
  });

  it('applies after the signature check: a forged long token is refused for its signature, not its lifetime', async () => {
    const [header, , signature] = (await tokenWith({ iat: now, exp: now + 600 })).split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...PERSONAS['cbp-analyst'], iss: DEV_ISSUER, aud: 'tributary', iat: now, exp: now + 10 * 365 * DAY })).toString('base64url');
    const error = await refusal(verifierAt(T), `${header}.${forgedPayload}.${signature}`);
    expect(error.extensions['reason']).toBe('signature_invalid');
  });
});
