import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyOptions } from 'jose';
import type { Principal } from '../domain.js';
import type { TributaryError } from '../errors.js';
import { ALLOWED_ALGORITHMS, isAllowedAlgorithm } from './algorithms.js';
import { tokenAudience } from './audience.js';
import { authenticationError, quoteUntrusted } from './authentication-error.js';
import { parseSubjectClaims } from './subject-claims.js';
import type { TrustedIssuers } from './trusted-issuers.js';
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.js';

export interface TokenVerifierOptions {
  /** Expected `aud`; default env `TOKEN_AUDIENCE`, else `tributary`. */
  readonly audience?: string;
  readonly issuers: TrustedIssuers;
  /** Allowed clock skew between issuer and service for `exp`, `nbf` and `iat` (default 5 s). */
  readonly clockToleranceSeconds?: number;
  /**
   * The longest lifetime a token may claim, in seconds (SPEC 8 `TOKEN_MAX_LIFETIME_SECONDS`,
   * default 86400): `exp` may lie at most this far past `iat`, or past now when `iat` is absent.
   */
  readonly maxLifetimeSeconds?: number;
  /** The clock, for tests that freeze time (default: the system clock). */
  readonly currentDate?: () => Date;
  /**
   * Reuse of successful verifications (see verified-token-cache.ts); `false` verifies every
   * token in full every time. Default: on, with `DEFAULT_TOKEN_CACHE`.
   */
  readonly cache?: false | Partial<Pick<VerifiedTokenCacheOptions, 'maxEntries' | 'ttlSeconds'>>;
}

/** Verifies an `Authorization` header value and returns the caller, or throws UNAUTHENTICATED. */
export type TokenVerifier = (authorizationHeader: string | undefined) => Promise<Principal>;

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;

/**
 * A day: a stolen token is good for at most that long, whatever its issuer wrote in `exp`
 * (a ten-year token is a standing credential no revocation list here could recall).
 */
export const DEFAULT_TOKEN_MAX_LIFETIME_SECONDS = 86_400;

/**
 * A minute of reuse bounds how long a key withdrawn from a remote JWKS keeps its tokens working;
 * 2,000 callers active within it is far more than one service sees, and each entry is a token
 * of at most 16 KB (usually under 1 KB) and its frozen Principal.
 */
export const DEFAULT_TOKEN_CACHE = { maxEntries: 2_000, ttlSeconds: 60 } as const;

/** Far above any real token (a few hundred bytes to a few KB); refused before any parsing work. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Builds the one function every service uses to turn a bearer token into a Principal. The token
 * is checked for its algorithm (pinned), issuer (trusted), signature (against that issuer's keys
 * only), audience and lifetime, then its subject attributes are validated. Every refusal is a
 * TributaryError('UNAUTHENTICATED') with a message that says what was wrong without echoing the
 * token, and with `extensions.reason` for the audit entry of the attempt.
 *
 * A token that passed is remembered for a short while (see verified-token-cache.ts), so that a
 * caller's next requests, and every subgraph the gateway forwards the same token to, skip the
 * signature check; its time claims are still checked against the clock on every request, and a
 * refusal is never remembered.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const audience = options.audience ?? tokenAudience();
  const clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const now = options.currentDate ?? (() => new Date());
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_TOKEN_MAX_LIFETIME_SECONDS;
  if (!Number.isSafeInteger(maxLifetime) || maxLifetime < 1) {
    throw new RangeError(`maxLifetimeSeconds must be a whole number of seconds of at least 1, got ${maxLifetime}`);
  }
  const { issuers } = options;
  const cache =
    options.cache === false ? undefined : new VerifiedTokenCache({ ...DEFAULT_TOKEN_CACHE, ...options.cache, clockToleranceSeconds: clockTolerance });

  return async (authorizationHeader) => {
    // The usual header, exactly "Bearer <token>", of a token verified before: the cache alone
    // answers, without parsing the header again (only a token that passed `bearerToken` is ever
    // cached, so an exact match has passed it).
    const known = cache !== undefined && authorizationHeader?.startsWith('Bearer ') === true ? cache.get(authorizationHeader.slice(7), now()) : undefined;
    if (known !== undefined) return known;
    const token = bearerToken(authorizationHeader);
    const cached = cache?.get(token, now());
    if (cached !== undefined) return cached;
    const { alg } = readHeader(token);
    if (!isAllowedAlgorithm(alg)) {
      throw authenticationError(
        'unsupported_algorithm',
        `unsupported algorithm ${quoteUntrusted(alg)}; accepted: ${ALLOWED_ALGORITHMS.join(', ')}`,
      );
    }
    // Reading `iss` before the signature is checked only selects whose keys to check it against;
    // jwtVerify then requires the same `iss`, so a forged value gains nothing.
    const iss = readClaims(token)['iss'];
    if (iss === undefined) throw authenticationError('missing_claim', 'claim "iss" is required');
    const issuer = typeof iss === 'string' ? issuers.get(iss) : undefined;
    if (issuer === undefined) throw authenticationError('untrusted_issuer', `untrusted issuer ${quoteUntrusted(iss)}`);

    const currentDate = now();
    const verifyOptions: JWTVerifyOptions = {
      algorithms: [...ALLOWED_ALGORITHMS],
      issuer: issuer.iss,
      audience,
      clockTolerance,
      currentDate,
      requiredClaims: ['exp', 'sub'],
    };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, issuer.getKey, verifyOptions));
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw explainJoseFailure(error, issuer.iss, audience);
      payload = await verifyWithEachCandidate(token, error, verifyOptions, issuer.iss, audience);
    }
    // jose checks `iat` only together with maxTokenAge; a token issued in the future is refused here.
    if (payload.iat !== undefined && payload.iat > currentDate.getTime() / 1000 + clockTolerance) {
      throw authenticationError('not_yet_valid', 'token not yet valid (issued in the future; check the issuer\'s clock)');
    }
    checkLifetime(payload, currentDate, maxLifetime);
    const principal: Principal = Object.freeze({ iss: issuer.iss, ...parseSubjectClaims(payload) });
    // Only a token that passed every check above is remembered; `exp` is a number here
    // (`requiredClaims`, and jose refuses a non-numeric one). The lifetime check needs no
    // repeating on a cache hit: `exp - iat` never changes, and `exp - now` only shrinks.
    if (cache !== undefined && typeof payload.exp === 'number') {
      cache.set(token, principal, { exp: payload.exp, nbf: payload.nbf, iat: payload.iat }, currentDate);
    }
    return principal;
  };
}

/**
 * Refuses a token that claims to live longer than `maxLifetime` seconds: `exp` further than that
 * past `iat`, or, without `iat`, past now (whole seconds, as jose counts them). No clock
 * tolerance: this compares the issuer's own claims (or bounds what is left of the token), and
 * exactly the maximum is accepted, one second more is not.
 */
function checkLifetime(payload: JWTPayload, now: Date, maxLifetime: number): void {
  const { exp, iat } = payload;
  // jose has already refused a non-numeric `exp` or `iat`; `exp` is required.
  if (typeof exp !== 'number') return;
  const from = typeof iat === 'number' ? iat : Math.floor(now.getTime() / 1000);
  const lifetime = exp - from;
  if (lifetime <= maxLifetime) return;
  const measured = typeof iat === 'number' ? `exp is ${lifetime} s after iat` : `exp is ${lifetime} s from now and the token has no iat`;
  throw authenticationError('lifetime_too_long', `token lifetime exceeds the maximum of ${maxLifetime} s (${measured})`);
}

/**
 * A token without `kid` against a set with several keys of its type (e.g. old and new key during a
 * rotation, published without kids): jose leaves trying each candidate to the caller.
 */
async function verifyWithEachCandidate(
  token: string,
  candidates: errors.JWKSMultipleMatchingKeys,
  options: JWTVerifyOptions,
  iss: string,
  audience: string,
): Promise<JWTPayload> {
  let lastFailure: unknown = candidates;
  for await (const key of candidates) {
    try {
      return (await jwtVerify(token, key, options)).payload;
    } catch (error) {
      // A good signature with a bad claim (expired, wrong audience) is the real answer: stop there.
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw explainJoseFailure(error, iss, audience);
      lastFailure = error;
    }
  }
  throw explainJoseFailure(lastFailure, iss, audience);
}

function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw authenticationError('missing_token', 'missing bearer token: send "Authorization: Bearer <token>"');
  }
  // RFC 7235: the scheme name is case-insensitive.
  const match = /^\s*(\S+)(?:\s+(\S+))?\s*$/.exec(header);
  const scheme = match?.[1];
  const token = match?.[2];
  if (scheme === undefined || scheme.toLowerCase() !== 'bearer') {
    throw authenticationError('bad_scheme', 'authorization scheme must be Bearer');
  }
  if (token === undefined) {
    throw authenticationError('missing_token', 'missing bearer token: the Authorization header has no token after "Bearer"');
  }
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw authenticationError('malformed_token', 'malformed token: expected a compact JWT (three base64url parts)');
  }
  return token;
}

function readHeader(token: string): { readonly alg: unknown } {
  try {
    return { alg: decodeProtectedHeader(token).alg };
  } catch (error) {
    throw authenticationError('malformed_token', 'malformed token: the header is not valid base64url JSON', error);
  }
}

function readClaims(token: string): Readonly<Record<string, unknown>> {
  try {
    return decodeJwt(token);
  } catch (error) {
    throw authenticationError('malformed_token', 'malformed token: the payload is not a valid JWT claims set', error);
  }
}

/** Maps jose's failures to messages a caller can act on; the jose error is kept as `cause` for logs. */
function explainJoseFailure(error: unknown, iss: string, audience: string): TributaryError {
  if (error instanceof errors.JWTExpired) return authenticationError('expired', 'token expired', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (error.reason === 'missing') return authenticationError('missing_claim', `claim "${claim}" is required`, error);
    switch (claim) {
      case 'aud':
        return authenticationError('wrong_audience', `wrong audience: the token is not for "${audience}"`, error);
      case 'nbf':
        return authenticationError('not_yet_valid', 'token not yet valid (nbf is in the future)', error);
      case 'iss':
        return authenticationError('untrusted_issuer', `untrusted issuer ${quoteUntrusted(error.payload.iss)}`, error);
      default:
        return authenticationError('invalid_claim', `claim ${quoteUntrusted(claim)} invalid`, error);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return authenticationError('unsupported_algorithm', `unsupported algorithm; accepted: ${ALLOWED_ALGORITHMS.join(', ')}`, error);
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return authenticationError('signature_invalid', `signature invalid: no key of issuer "${iss}" verifies this token`, error);
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return authenticationError('keys_unavailable', `the signing keys of issuer "${iss}" could not be fetched`, error);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return authenticationError('malformed_token', 'malformed token', error);
  }
  if (error instanceof errors.JOSENotSupported || error instanceof errors.JWKInvalid) {
    return authenticationError('signature_invalid', `signature invalid: the token's key type does not fit its algorithm`, error);
  }
  // Anything else (e.g. a network failure fetching a remote JWKS) is kept whole in `cause` for the logs.
  return authenticationError('verification_failed', 'token could not be verified', error);
}
