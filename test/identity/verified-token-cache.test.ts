import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWTVerifyGetKey } from 'jose';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryInput, AuditWriter } from '../../lib/audit/index.js';
import type { Principal } from '../../lib/domain.js';
import { TributaryError } from '../../lib/errors.js';
import {
  DEV_ISSUER,
  PERSONAS,
  PURPOSE_HEADER,
  VerifiedTokenCache,
  createTokenVerifier,
  loadTrustedIssuers,
  mintToken,
  type TokenVerifier,
  type TrustedIssuer,
  type TrustedIssuers,
} from '../../lib/identity/index.js';
import { authenticate } from '../../lib/server/authenticate.js';

/** Time is frozen and moved by hand: expiry is what these tests are about. */
const T = new Date('2030-01-01T00:00:00Z');
const at = (secondsAfterT: number): Date => new Date(T.getTime() + secondsAfterT * 1000);
const epoch = (date: Date): number => Math.floor(date.getTime() / 1000);

let dir: string;
let devIssuers: TrustedIssuers;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-token-cache-'));
  devIssuers = await loadTrustedIssuers({ file: undefined, production: false, devIssuerDir: dir });
});

/** The development issuer with its key lookups counted: each full verification looks a key up once. */
function countingIssuers(): { readonly issuers: TrustedIssuers; readonly lookups: () => number } {
  const dev = devIssuers.get(DEV_ISSUER);
  if (dev === undefined) throw new Error('the development issuer is missing');
  let count = 0;
  const getKey: JWTVerifyGetKey = (header, token) => {
    count += 1;
    return dev.getKey(header, token);
  };
  const counted: TrustedIssuer = { ...dev, getKey };
  return { issuers: new Map([[DEV_ISSUER, counted]]), lookups: () => count };
}

/** A verifier whose clock the test moves. */
function verifierAt(issuers: TrustedIssuers): { readonly verify: TokenVerifier; readonly setClock: (date: Date) => void } {
  let clock = T;
  return {
    verify: createTokenVerifier({ audience: 'tributary', issuers, currentDate: () => clock }),
    setClock: (date) => {
      clock = date;
    },
  };
}

async function refusalOf(promise: Promise<unknown>): Promise<TributaryError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TributaryError)) throw new Error(`expected a TributaryError, got ${String(error)}`);
  return error;
}

describe('a token verifier with its cache of verified tokens', () => {
  it('verifies a token in full once, then answers its repeats from the cache', async () => {
    const { issuers, lookups } = countingIssuers();
    const { verify } = verifierAt(issuers);
    const token = await mintToken(PERSONAS['ice-analyst'], { dir, now: T, audience: 'tributary' });
    const first = await verify(`Bearer ${token}`);
    const again = await verify(`bearer ${token}`);
    expect(again).toBe(first);
    expect(lookups()).toBe(1);
  });

  it('stops accepting a cached token once it has expired, with the usual refusal', async () => {
    const { verify, setClock } = verifierAt(countingIssuers().issuers);
    const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: T, expiresIn: 30, audience: 'tributary' });
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ sub: 'cbp-agent@cbp-tucson' });

    // Within the clock tolerance (5 s) past exp it is still good, as without a cache.
    setClock(at(34));
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ sub: 'cbp-agent@cbp-tucson' });

    setClock(at(35));
    const error = await refusalOf(verify(`Bearer ${token}`));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toBe('token expired');
    expect(error.extensions['reason']).toBe('expired');
  });

  it('never caches a refusal: a refused token is verified in full every time', async () => {
    const { issuers, lookups } = countingIssuers();
    const { verify, setClock } = verifierAt(issuers);
    const notYet = await mintToken(PERSONAS['cbp-agent'], { dir, now: at(120), audience: 'tributary' });
    for (const attempt of [1, 2]) {
      const error = await refusalOf(verify(`Bearer ${notYet}`));
      expect(error.extensions['reason']).toBe('not_yet_valid');
      expect(lookups()).toBe(attempt);
    }
    // Once the clock reaches its nbf the same token is good: nothing remembered the refusal.
    setClock(at(120));
    await expect(verify(`Bearer ${notYet}`)).resolves.toMatchObject({ sub: 'cbp-agent@cbp-tucson' });
  });

  it('refuses a copy of a cached token whose signature was altered', async () => {
    const { verify } = verifierAt(countingIssuers().issuers);
    const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: T, audience: 'tributary' });
    await verify(`Bearer ${token}`);
    const [header, payload, signature = ''] = token.split('.');
    const altered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const error = await refusalOf(verify(`Bearer ${altered}`));
    expect(error.extensions['reason']).toBe('signature_invalid');
  });

  it('verifies in full again once the reuse period has passed', async () => {
    const { issuers, lookups } = countingIssuers();
    let clock = T;
    const verify = createTokenVerifier({ audience: 'tributary', issuers, currentDate: () => clock, cache: { ttlSeconds: 10 } });
    const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: T, audience: 'tributary' });
    await verify(`Bearer ${token}`);
    clock = at(10);
    await verify(`Bearer ${token}`);
    expect(lookups()).toBe(1);
    clock = at(11);
    await verify(`Bearer ${token}`);
    expect(lookups()).toBe(2);
  });

  it('verifies every time in full when the cache is turned off', async () => {
    const { issuers, lookups } = countingIssuers();
    const verify = createTokenVerifier({ audience: 'tributary', issuers, currentDate: () => T, cache: false });
    const token = await mintToken(PERSONAS['cbp-agent'], { dir, now: T, audience: 'tributary' });
    await verify(`Bearer ${token}`);
    await verify(`Bearer ${token}`);
    expect(lookups()).toBe(2);
  });

  it('still checks the purpose of every request made with a cached token', async () => {
    const { verify } = verifierAt(countingIssuers().issuers);
    const appended: AuditEntryInput[] = [];
    const audit: AuditWriter = {
      chain: 'test',
      append: async (entries) => {
        appended.push(...entries);
      },
    };
    const deps = { service: 'gateway' as const, verifyToken: verify, audit, log: pino({ level: 'silent' }) };
    const token = await mintToken(PERSONAS['ice-analyst'], { dir, now: T, audience: 'tributary' });
    const request = (purpose: string) => ({
      requestId: 'req-cache-0001',
      body: undefined,
      headers: new Map([
        ['authorization', `Bearer ${token}`],
        [PURPOSE_HEADER, purpose],
      ]),
    });
    await expect(authenticate(deps, request('CUSTODY_TRANSFER'))).resolves.toMatchObject({ purpose: 'CUSTODY_TRANSFER' });
    const error = await refusalOf(authenticate(deps, request('HUMANITARIAN')));
    expect(error.code).toBe('PURPOSE_REQUIRED');
    expect(appended.map((entry) => entry.action)).toEqual(['PURPOSE_CHECK']);
  });
});

describe('VerifiedTokenCache', () => {
  const principal = { iss: DEV_ISSUER, ...PERSONAS['cbp-agent'] } as Principal;
  const lifetime = { exp: epoch(at(3600)) };

  it('holds at most maxEntries tokens, forgetting the oldest first', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2, ttlSeconds: 60, clockToleranceSeconds: 5 });
    cache.set('a', principal, lifetime, T);
    cache.set('b', principal, lifetime, T);
    cache.set('c', principal, lifetime, T);
    expect(cache.size).toBe(2);
    expect(cache.get('a', T)).toBeUndefined();
    expect(cache.get('b', T)).toBe(principal);
    expect(cache.get('c', T)).toBe(principal);
  });

  it('reuses a token no later than its exp (plus tolerance) nor past its reuse period', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, ttlSeconds: 60, clockToleranceSeconds: 5 });
    cache.set('soon', principal, { exp: epoch(at(20)) }, T);
    cache.set('later', principal, lifetime, T);
    expect(cache.get('soon', at(24))).toBe(principal);
    expect(cache.get('soon', at(25))).toBeUndefined();
    expect(cache.get('later', at(60))).toBe(principal);
    expect(cache.get('later', at(61))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not answer for a token before its nbf, should the clock go back', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, ttlSeconds: 60, clockToleranceSeconds: 5 });
    cache.set('t', principal, { exp: epoch(at(3600)), nbf: epoch(T) }, T);
    expect(cache.get('t', at(-6))).toBeUndefined();
  });

  it('refuses settings that would make it unbounded', () => {
    expect(() => new VerifiedTokenCache({ maxEntries: 0, ttlSeconds: 60, clockToleranceSeconds: 5 })).toThrow(/maxEntries/);
    expect(() => new VerifiedTokenCache({ maxEntries: Number.POSITIVE_INFINITY, ttlSeconds: 60, clockToleranceSeconds: 5 })).toThrow(/maxEntries/);
    expect(() => new VerifiedTokenCache({ maxEntries: 1, ttlSeconds: 0, clockToleranceSeconds: 5 })).toThrow(/ttlSeconds/);
  });
});
