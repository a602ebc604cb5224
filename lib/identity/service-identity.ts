import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SignJWT, createLocalJWKSet, errors, importJWK, jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import type { TributaryError } from '../errors.js';
import { ALLOWED_ALGORITHMS } from './algorithms.js';
import type { AllowedAlgorithm } from './algorithms.js';
import { authenticationError } from './authentication-error.js';
import { devIssuerDir } from './dev-issuer.js';
import { parsePrivateJwk, parsePublicJwks, publicJwkOf } from './jwk-validation.js';
import { loadOrCreateKeyPair } from './key-store.js';
import { environment, type Env, type Settings } from '../config.js';

/**
 * The gateway's service identity (SPEC section 8, `REQUIRE_GATEWAY_IDENTITY`): with it on, a
 * subgraph answers only requests that carry a short-lived token the gateway signed for that very
 * request id, so a valid user token alone no longer opens a subgraph reached directly.
 *
 * Keys: on one host both sides use a key pair generated under `<DEV_ISSUER_DIR>/gateway-key/`.
 * Across hosts the gateway reads its private JWK from `GATEWAY_IDENTITY_KEY_FILE` and each subgraph
 * the matching public JWKS from `GATEWAY_IDENTITY_JWKS_FILE`.
 */
export const GATEWAY_IDENTITY_HEADER = 'x-gateway-identity';
export const GATEWAY_ISSUER = 'tributary-gateway';
export const GATEWAY_AUDIENCE = 'tributary-subgraph';
/** Long enough for a slow federated plan, short enough that a leaked header is soon useless. */
export const GATEWAY_IDENTITY_TTL_SECONDS = 60;
const CLOCK_TOLERANCE_SECONDS = 5;
const GATEWAY_KEY_DIR = 'gateway-key';

/** Where the identity's keys come from: the service's `Settings` (they carry these three). */
export type GatewayIdentityKeys = Pick<Settings, 'gatewayIdentityKeyFile' | 'gatewayIdentityJwksFile' | 'devIssuerDir'>;

export interface GatewayIdentityOptions {
  /** The services pass their settings here; without them, `env` is read. */
  readonly keys?: GatewayIdentityKeys;
  /**
   * Reads the key file settings and `DEV_ISSUER_DIR` from here when `keys` is absent (default:
   * the process environment, through lib/config.ts: tools and tests set `DEV_ISSUER_DIR` while
   * a process runs).
   */
  readonly env?: Env;
  /** The clock, for tests (default now). */
  readonly currentDate?: Date;
}

/** Whether subgraphs demand the gateway's identity: `REQUIRE_GATEWAY_IDENTITY` = 1/true/yes/on. */
export function isGatewayIdentityRequired(env: Env = environment()): boolean {
  return ['1', 'true', 'yes', 'on'].includes(env['REQUIRE_GATEWAY_IDENTITY']?.trim().toLowerCase() ?? '');
}

/** Gateway side: the value of the `x-gateway-identity` header for one upstream request. */
export async function signGatewayIdentity(requestId: string, options: GatewayIdentityOptions = {}): Promise<string> {
  if (requestId === '') throw new Error('signGatewayIdentity: the request id must not be empty');
  const { privateKey, kid, alg } = await signingKey(keysOf(options));
  // A key file without a kid signs without one, so that it still matches a JWKS published without kids.
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
  const getKey = await verificationKeys(keysOf(options));
  let rid: unknown;
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: [...ALLOWED_ALGORITHMS],
      issuer: GATEWAY_ISSUER,
      audience: GATEWAY_AUDIENCE,
      requiredClaims: ['exp', 'rid'],
      maxTokenAge: GATEWAY_IDENTITY_TTL_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
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

function explain(error: unknown): TributaryError {
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

interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly kid: string | undefined;
  readonly alg: AllowedAlgorithm;
}

// Keys are read once per process and source; a failed read is retried on the next request.
const signingKeys = new Map<string, Promise<SigningKey>>();
const verificationKeySets = new Map<string, Promise<JWTVerifyGetKey>>();

function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = load();
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

function keysOf(options: GatewayIdentityOptions): GatewayIdentityKeys {
  if (options.keys !== undefined) return options.keys;
  const env = options.env ?? environment();
  return {
    gatewayIdentityKeyFile: env['GATEWAY_IDENTITY_KEY_FILE'],
    gatewayIdentityJwksFile: env['GATEWAY_IDENTITY_JWKS_FILE'],
    devIssuerDir: env['DEV_ISSUER_DIR'],
  };
}

function configuredFile(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : resolve(trimmed);
}

function signingKey(keys: GatewayIdentityKeys): Promise<SigningKey> {
  const keyFile = configuredFile(keys.gatewayIdentityKeyFile);
  if (keyFile !== undefined) return cached(signingKeys, `file:${keyFile}`, () => readSigningKeyFile(keyFile));
  const dir = join(devIssuerDir({ DEV_ISSUER_DIR: keys.devIssuerDir }), GATEWAY_KEY_DIR);
  return cached(signingKeys, `dir:${dir}`, () => loadOrCreateKeyPair(dir));
}

function verificationKeys(keys: GatewayIdentityKeys): Promise<JWTVerifyGetKey> {
  const jwksFile = configuredFile(keys.gatewayIdentityJwksFile);
  if (jwksFile !== undefined) {
    return cached(verificationKeySets, `jwks:${jwksFile}`, async () => {
      const jwks = parsePublicJwks(await readJson(jwksFile, 'GATEWAY_IDENTITY_JWKS_FILE'), `GATEWAY_IDENTITY_JWKS_FILE ${jwksFile}`);
      return createLocalJWKSet(jwks);
    });
  }
  // Same host as the gateway: the public half of whichever key the gateway signs with.
  const keyFile = configuredFile(keys.gatewayIdentityKeyFile);
  const dir = join(devIssuerDir({ DEV_ISSUER_DIR: keys.devIssuerDir }), GATEWAY_KEY_DIR);
  return cached(verificationKeySets, keyFile === undefined ? `dir:${dir}` : `file:${keyFile}`, async () => {
    if (keyFile === undefined) return createLocalJWKSet({ keys: [(await loadOrCreateKeyPair(dir)).publicJwk] });
    const where = `GATEWAY_IDENTITY_KEY_FILE ${keyFile}`;
    const { jwk } = parsePrivateJwk(await readJson(keyFile, 'GATEWAY_IDENTITY_KEY_FILE'), where);
    return createLocalJWKSet({ keys: [publicJwkOf(jwk)] });
  });
}

async function readSigningKeyFile(path: string): Promise<SigningKey> {
  const where = `GATEWAY_IDENTITY_KEY_FILE ${path}`;
  const { jwk, alg } = parsePrivateJwk(await readJson(path, 'GATEWAY_IDENTITY_KEY_FILE'), where);
  const privateKey = await importJWK(jwk, alg).catch((error: unknown) => {
    throw new Error(`${where}: the key cannot be imported for ${alg}`, { cause: error });
  });
  if (privateKey instanceof Uint8Array) throw new Error(`${where}: expected an asymmetric key`);
  return { privateKey, alg, kid: jwk.kid };
}

async function readJson(path: string, setting: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${setting} ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${setting} ${path} is not valid JSON`, { cause: error });
  }
}
