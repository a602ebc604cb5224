import type { JSONWebKeySet, JWK } from 'jose';
import { ALLOWED_ALGORITHMS } from './algorithms.js';
import type { AllowedAlgorithm } from './algorithms.js';

/**
 * Guards for JSON Web Keys read from files an operator wrote (trusted issuers, the gateway's key).
 * They run once, at load time, so that a mistake in a key file stops the service with a message
 * naming the file instead of surfacing later as "signature invalid" on every request.
 */

export const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Members that only a private (or symmetric) key has; finding one in a public key set means a secret leaked into configuration. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

/** The algorithm a key can serve among the allowed ones, or undefined if it serves none of them. */
export function algorithmForJwk(jwk: Readonly<Record<string, unknown>>): AllowedAlgorithm | undefined {
  const derived = deriveAlgorithm(jwk);
  if (derived === undefined) return undefined;
  // A key that declares another algorithm (e.g. an RSA key marked PS256) must not be used for ours.
  if (jwk['alg'] !== undefined && jwk['alg'] !== derived) return undefined;
  // Keys published for encryption (`use: "enc"`) are not signing keys.
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') return undefined;
  return derived;
}

function deriveAlgorithm(jwk: Readonly<Record<string, unknown>>): AllowedAlgorithm | undefined {
  switch (jwk['kty']) {
    case 'EC':
      return jwk['crv'] === 'P-256' ? 'ES256' : undefined;
    case 'OKP':
      return jwk['crv'] === 'Ed25519' ? 'EdDSA' : undefined;
    case 'RSA':
      return 'RS256';
    default:
      return undefined;
  }
}

/**
 * A public JWKS an issuer may be trusted with. Keys for other algorithms are tolerated (identity
 * providers publish encryption keys beside signing keys, and verification pins the algorithm
 * anyway), but symmetric or private keys are refused outright, and at least one key must be usable.
 */
export function parsePublicJwks(value: unknown, where: string): JSONWebKeySet {
  if (!isRecord(value) || !Array.isArray(value['keys'])) {
    throw new Error(`${where}: "jwks" must be an object with a "keys" array`);
  }
  const keys: JWK[] = [];
  value['keys'].forEach((key: unknown, index: number) => {
    const at = `${where}: jwks.keys[${index}]`;
    if (!isRecord(key) || typeof key['kty'] !== 'string') {
      throw new Error(`${at} must be a JWK object with a string "kty"`);
    }
    if (key['kty'] === 'oct') {
      throw new Error(`${at} is a symmetric key (kty "oct"); only public keys can identify an issuer`);
    }
    const secret = PRIVATE_MEMBERS.find((member) => key[member] !== undefined);
    if (secret !== undefined) {
      throw new Error(`${at} contains private key material (member "${secret}"); publish only the public key`);
    }
    keys.push(toJwk(key));
  });
  if (!keys.some((key) => algorithmForJwk(key) !== undefined)) {
    throw new Error(`${where}: jwks has no key usable with ${ALLOWED_ALGORITHMS.join(', ')}`);
  }
  return { keys };
}

/** A private signing key (EC P-256, Ed25519 or RSA) with the algorithm it signs with. */
export function parsePrivateJwk(value: unknown, where: string): { readonly jwk: JWK; readonly alg: AllowedAlgorithm } {
  if (!isRecord(value) || typeof value['kty'] !== 'string') {
    throw new Error(`${where}: expected a private JWK object with a string "kty"`);
  }
  if (typeof value['d'] !== 'string' || value['d'] === '') {
    throw new Error(`${where}: the JWK has no private part (member "d")`);
  }
  const alg = algorithmForJwk(value);
  if (alg === undefined) {
    throw new Error(`${where}: the JWK is not a signing key for ${ALLOWED_ALGORITHMS.join(', ')} (EC P-256, Ed25519 or RSA)`);
  }
  return { jwk: toJwk(value), alg };
}

/** The public half of a private JWK: everything but the private members. */
export function publicJwkOf(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  return toJwk(copy);
}

/**
 * JWK's members are all optional and loosely typed; after the checks above, a plain record is an
 * acceptable JWK for jose, which validates the key material itself when importing it.
 */
function toJwk(record: Readonly<Record<string, unknown>>): JWK {
  const jwk: JWK = {};
  Object.assign(jwk, record);
  return jwk;
}
