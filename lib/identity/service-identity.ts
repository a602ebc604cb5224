import { SignJWT, errors, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { TributaryError } from '../errors.js';
import { ALLOWED_ALGORITHMS } from './algorithms.js';
import { authenticationError } from './authentication-error.js';
import { DEFAULT_REMOTE_JWKS, GatewayKeysUnavailable, gatewayKeySet, gatewayVerificationKeys } from './gateway-keys.js';
import type { GatewayIdentityKeys, RemoteJwksOptions } from './gateway-keys.js';
import { environment, type Env } from '../config.js';

/**
 * The gateway's service identity (SPEC section 8, `REQUIRE_GATEWAY_IDENTITY`): with it on, a
 * subgraph answers only requests that carry a short-lived token the gateway signed for that very
 * request id, so a valid user token alone no longer opens a subgraph reached directly.
 *
 * Keys (gateway-keys.ts): the gateway signs with the current key of its key set and publishes the
 * set's public half at `/.well-known/jwks.json`; a subgraph trusts that endpoint
 * (`GATEWAY_JWKS_URL`), a copied JWKS file (`GATEWAY_IDENTITY_JWKS_FILE`), or on one host the
 * signer's own key set.
 */
export const GATEWAY_IDENTITY_HEADER = 'x-gateway-identity';
export const GATEWAY_ISSUER = 'tributary-gateway';
export const GATEWAY_AUDIENCE = 'tributary-subgraph';
/** Long enough for a slow federated plan, short enough that a leaked header is soon useless. */
export const GATEWAY_IDENTITY_TTL_SECONDS = 60;
export const GATEWAY_IDENTITY_CLOCK_TOLERANCE_SECONDS = 5;
export type { GatewayIdentityKeys };

export interface GatewayIdentityOptions {
  /** The services pass their settings here; without them, `env` is read. */
  readonly keys?: GatewayIdentityKeys;
  /**
   * Reads the key settings (`GATEWAY_IDENTITY_KEY_FILE`, `GATEWAY_JWKS_URL`,
   * `GATEWAY_IDENTITY_JWKS_FILE`) and `DEV_ISSUER_DIR` from here when `keys` is absent (default:
   * the process environment, through lib/config.ts: tools and tests set `DEV_ISSUER_DIR` while
   * a process runs).
   */
  readonly env?: Env;
  /** The clock, for tests (default now). */
  readonly currentDate?: Date;
  /** How a subgraph caches the gateway's JWKS fetched from GATEWAY_JWKS_URL (tests shorten it). */
  readonly remote?: RemoteJwksOptions;
}

/** Whether subgraphs demand the gateway's identity: `REQUIRE_GATEWAY_IDENTITY` = 1/true/yes/on. */
export function isGatewayIdentityRequired(env: Env = environment()): boolean {
  return ['1', 'true', 'yes', 'on'].includes(env['REQUIRE_GATEWAY_IDENTITY']?.trim().toLowerCase() ?? '');
}

/** Gateway side: the value of the `x-gateway-identity` header for one upstream request. */
export async function signGatewayIdentity(requestId: string, options: GatewayIdentityOptions = {}): Promise<string> {
  if (requestId === '') throw new Error('signGatewayIdentity: the request id must not be empty');
  // The current key of a set whose public half the gateway already serves: never an unpublished key.
  const { privateKey, kid, alg } = (await gatewayKeySet(keysOf(options))).signing;
  // A lone key file without a kid signs without one, so that it still matches a JWKS published without kids.
  const issuedAt = Math.floor((options.currentDate ?? new Date()).getTime() / 1000);
  return new SignJWT({ rid: requestId })
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
    .setIssuer(GATEWAY_ISSUER)
    .setAudience(GATEWAY_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + GATEWAY_IDENTITY_TTL_SECONDS)
    .sign(privateKey);
}

/** Subgraph side: resolves if the header is the gateway's identity for this request id, else throws UNAUTHENTICATED. */
export async function verifyGatewayIdentity(
  header: string | undefined,
  requestId: string,
  options: GatewayIdentityOptions = {},
): Promise<void> {
  const token = header?.trim();
  if (token === undefined || token === '') {
    throw authenticationError('missing_token', `gateway identity required: header ${GATEWAY_IDENTITY_HEADER} is missing`);
  }
  const getKey = gatewayVerificationKeys(keysOf(options), options.remote ?? DEFAULT_REMOTE_JWKS);
  let rid: unknown;
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: [...ALLOWED_ALGORITHMS],
      issuer: GATEWAY_ISSUER,
      audience: GATEWAY_AUDIENCE,
      requiredClaims: ['exp', 'rid'],
      maxTokenAge: GATEWAY_IDENTITY_TTL_SECONDS,
      clockTolerance: GATEWAY_IDENTITY_CLOCK_TOLERANCE_SECONDS,
      ...(options.currentDate === undefined ? {} : { currentDate: options.currentDate }),
    });
    rid = payload['rid'];
  } catch (error) {
    throw explain(error);
  }
  // Binding to the request id keeps a captured header from being replayed on other requests.
  if (rid !== requestId) {
    throw authenticationError('invalid_claim', 'gateway identity required: the gateway identity was issued for another request');
  }
}

/** What the gateway serves at `/.well-known/jwks.json`: public keys only (next, current, retired). */
export async function gatewayPublicJwks(options: GatewayIdentityOptions = {}): Promise<JSONWebKeySet> {
  return (await gatewayKeySet(keysOf(options))).jwks;
}

function explain(error: unknown): TributaryError {
  // Not the caller's fault, and not a verdict on its token: the subgraph cannot check anyone now.
  if (error instanceof GatewayKeysUnavailable) {
    return new TributaryError('SERVICE_UNAVAILABLE', "gateway identity cannot be checked: the gateway's keys are unavailable", {
      details: { reason: 'keys_unavailable' },
      httpStatus: 503,
      cause: error,
    });
  }
  if (error instanceof errors.JWTExpired) return authenticationError('expired', 'gateway identity required: the gateway identity expired', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    return authenticationError('invalid_claim', `gateway identity required: claim "${error.claim}" invalid`, error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return authenticationError('unsupported_algorithm', 'gateway identity required: unsupported algorithm', error);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return authenticationError('malformed_token', 'gateway identity required: malformed gateway identity', error);
  }
  return authenticationError('signature_invalid', 'gateway identity required: signature invalid', error);
}

function keysOf(options: GatewayIdentityOptions): GatewayIdentityKeys {
  if (options.keys !== undefined) return options.keys;
  const env = options.env ?? environment();
  return {
    gatewayIdentityKeyFile: env['GATEWAY_IDENTITY_KEY_FILE'],
    gatewayIdentityJwksFile: env['GATEWAY_IDENTITY_JWKS_FILE'],
    gatewayJwksUrl: env['GATEWAY_JWKS_URL'],
    devIssuerDir: env['DEV_ISSUER_DIR'],
  };
}

