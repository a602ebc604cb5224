import { describe, expect, it } from 'vitest';
import { isExpired, msUntilExpiry, normalizeToken, readClaims } from '../../console/src/token.js';

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown): string => `${base64url({ alg: 'ES256', typ: 'JWT' })}.${base64url(payload)}.c2lnbmF0dXJl`;

describe('a pasted token', () => {
  it('loses surrounding space, a "Bearer " prefix and line breaks', () => {
    expect(normalizeToken('  Bearer abc.def\n.ghi \n')).toBe('abc.def.ghi');
    expect(normalizeToken('bearer   x.y.z')).toBe('x.y.z');
    expect(normalizeToken('   ')).toBe('');
  });
});

describe('the claims shown for a token (never trusted: the gateway decides)', () => {
  it('reads who the token names and when it expires', () => {
    const claims = readClaims(jwt({ sub: 'auditor@oversight-privacy', org: 'oversight-privacy', agency: 'OVERSIGHT', roles: ['auditor', 7], exp: 1_800_000_000, name: 'Zoë' }));
    expect(claims).toEqual({ sub: 'auditor@oversight-privacy', org: 'oversight-privacy', agency: 'OVERSIGHT', roles: ['auditor'], exp: 1_800_000_000 });
  });

  it('reads nothing from what is not a compact JWS', () => {
    expect(readClaims('not-a-token')).toBeNull();
    expect(readClaims('a.b')).toBeNull();
    expect(readClaims('a.%%%.c')).toBeNull();
    expect(readClaims(`x.${Buffer.from('[1,2]').toString('base64url')}.y`)).toBeNull();
    expect(readClaims(`x.${Buffer.from('{nope').toString('base64url')}.y`)).toBeNull();
  });

  it('decodes UTF-8 claims', () => {
    expect(readClaims(jwt({ sub: 'zoë@ngo', exp: 1 }))?.sub).toBe('zoë@ngo');
  });

  it('knows an expired token, and how long a live one has left', () => {
    const claims = readClaims(jwt({ sub: 'a', exp: 1_000 }));
    expect(isExpired(claims, 999_000)).toBe(false);
    expect(isExpired(claims, 1_000_000)).toBe(true);
    expect(msUntilExpiry(claims, 400_000)).toBe(600_000);
    expect(msUntilExpiry(claims, 2_000_000)).toBe(0);
  });

  it('does not call a token without exp expired (the gateway will refuse it)', () => {
    const claims = readClaims(jwt({ sub: 'a' }));
    expect(isExpired(claims, Date.now())).toBe(false);
    expect(msUntilExpiry(claims, Date.now())).toBeNull();
    expect(isExpired(null, Date.now())).toBe(false);
  });
});
