/**
 * What the console reads from a token it was given, for display only (who is signed in, when
 * the token expires). Nothing here is trusted: the gateway verifies the signature and decides.
 */
export interface TokenClaims {
  readonly sub: string | null;
  readonly org: string | null;
  readonly agency: string | null;
  readonly roles: readonly string[];
  /** Seconds since the epoch, or null when absent. */
  readonly exp: number | null;
}

/** The token as pasted: surrounding space, a leading "Bearer " and line breaks removed. */
export function normalizeToken(input: string): string {
  return input.trim().replace(/^bearer\s+/i, '').replace(/\s+/g, '');
}

function base64UrlDecode(part: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return null;
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  try {
    const binary = atob(base64);
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** The claims of a compact JWS (header.payload.signature), or null when it is not one. */
export function readClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const json = base64UrlDecode(parts[1] ?? '');
  if (json === null) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(json) as unknown;
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const claims = payload as Readonly<Record<string, unknown>>;
  const text = (key: string): string | null => (typeof claims[key] === 'string' ? claims[key] : null);
  const roles = claims['roles'];
  const exp = claims['exp'];
  return {
    sub: text('sub'),
    org: text('org'),
    agency: text('agency'),
    roles: Array.isArray(roles) ? roles.filter((role: unknown): role is string => typeof role === 'string') : [],
    exp: typeof exp === 'number' && Number.isFinite(exp) ? exp : null,
  };
}

export const isExpired = (claims: TokenClaims | null, nowMs: number): boolean => claims?.exp != null && claims.exp * 1000 <= nowMs;

/** Milliseconds until the token expires (never negative), or null when it does not say. */
export const msUntilExpiry = (claims: TokenClaims | null, nowMs: number): number | null => (claims?.exp == null ? null : Math.max(0, claims.exp * 1000 - nowMs));
