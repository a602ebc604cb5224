import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { SignJWT } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { repoPath } from '../paths.js';
import { tokenAudience } from './audience.js';
import { loadOrCreateKeyPair } from './key-store.js';
import type { StoredKeyPair } from './key-store.js';
import type { SubjectClaims } from './subject-claims.js';
import { environment, type Env } from '../config.js';

/**
 * The development issuer: lets a newcomer mint a token for any persona without an identity
 * provider. Its key is generated on first use and kept out of git (`.dev-issuer/` is ignored).
 * Load-bearing: with NODE_ENV=production it is trusted only if TRUSTED_ISSUERS_FILE lists it.
 */
export const DEV_ISSUER = 'tributary-dev-issuer';

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

const REPO_DEV_ISSUER_DIR = repoPath('.dev-issuer');

export interface DevIssuerOptions {
  /** Where the key lives; defaults to env `DEV_ISSUER_DIR`, else `<repo>/.dev-issuer/`. */
  readonly dir?: string;
}

export interface MintTokenOptions extends DevIssuerOptions {
  /** Lifetime in seconds (default one hour). */
  readonly expiresIn?: number;
  /** Default: env `TOKEN_AUDIENCE`, else `tributary`. */
  readonly audience?: string;
  /** Default: the development issuer. Another value makes a token no verifier should trust (for tests). */
  readonly issuer?: string;
  /** Issue time (default now); `nbf` is the same instant. */
  readonly now?: Date;
}

/**
 * `DEV_ISSUER_DIR`, read when called rather than once: `npm run token`, the scripts and the tests
 * point it at a directory of their own while a process runs.
 */
export function devIssuerDir(env: Env = environment()): string {
  const configured = env['DEV_ISSUER_DIR']?.trim();
  return configured === undefined || configured === '' ? REPO_DEV_ISSUER_DIR : resolve(configured);
}

// One load per directory and process: the key never changes while a process runs.
const keys = new Map<string, Promise<StoredKeyPair>>();

/** The development issuer's signing key (created on first use). */
export function getDevIssuerKey(options: DevIssuerOptions = {}): Promise<StoredKeyPair> {
  const dir = resolve(options.dir ?? devIssuerDir());
  let key = keys.get(dir);
  if (key === undefined) {
    key = loadOrCreateKeyPair(dir);
    // A failed load (unreadable directory, corrupt file) is not cached: fixing it must not need a restart.
    key.catch(() => keys.delete(dir));
    keys.set(dir, key);
  }
  return key;
}

/** The public key set verifiers trust the development issuer with. */
export async function getDevIssuerJwks(options: DevIssuerOptions = {}): Promise<JSONWebKeySet> {
  const { publicJwk } = await getDevIssuerKey(options);
  return { keys: [{ ...publicJwk }] };
}

/** Signs a user token for the given subject attributes with the development issuer's key. */
export async function mintToken(claims: SubjectClaims, options: MintTokenOptions = {}): Promise<string> {
  const expiresIn = options.expiresIn ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
    throw new RangeError(`expiresIn must be a positive whole number of seconds, got ${expiresIn}`);
  }
  const { privateKey, kid, alg } = await getDevIssuerKey(options);
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const { sub, agency, org, roles, jurisdictions, purposes, pii, cfr28, sworn } = claims;
  return new SignJWT({ agency, org, roles: [...roles], jurisdictions: [...jurisdictions], purposes: [...purposes], pii, cfr28, sworn })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setSubject(sub)
    .setAudience(options.audience ?? tokenAudience())
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + expiresIn)
    .setJti(randomUUID())
    .sign(privateKey);
}
