import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import type { AllowedAlgorithm } from '../identity/algorithms.js';
import { loadOrCreateKeyPair, PUBLIC_JWKS_FILE } from '../identity/key-store.js';
import { isRecord, parsePrivateJwk, parsePublicJwks, publicJwkOf } from '../identity/jwk-validation.js';
import { repoPath } from '../paths.js';
import { environment, type Settings } from '../config.js';

/**
 * The audit service's own signing key, for checkpoints. It is not an identity provider's key:
 * whoever holds it can vouch for a chain head, so it lives apart from the entries' database.
 *
 * Source, in order: `AUDIT_SIGNING_KEY_FILE` (`Settings.auditSigningKeyFile`: a private JWK an
 * operator provides; shared by audit replicas), else `<repo>/.dev-issuer/audit-key/` (generated on first use, git-ignored,
 * never committed).
 */
export interface AuditSigningKey {
  readonly privateKey: CryptoKey | Uint8Array;
  /** The public half with `kid`, `alg` and `use`: what verifiers trust. */
  readonly publicJwk: JWK;
  readonly kid: string;
  readonly alg: AllowedAlgorithm;
}

export const AUDIT_KEY_DIR = repoPath('.dev-issuer', 'audit-key');


/** Where the key comes from: the audit service passes its `Settings`. */
export type AuditKeySource = Pick<Settings, 'auditSigningKeyFile'>;

/** Without settings (tools, tests), the process environment, read through lib/config.ts. */
const fromEnvironment = (): AuditKeySource => ({ auditSigningKeyFile: environment()['AUDIT_SIGNING_KEY_FILE'] });

const keyFileOf = (source: AuditKeySource): string | undefined => {
  const file = source.auditSigningKeyFile?.trim();
  return file === undefined || file === '' ? undefined : resolve(file);
};

// One load per source and process: the key does not change while a process runs.
const loaded = new Map<string, Promise<AuditSigningKey>>();

/** The signing key (created under AUDIT_KEY_DIR on first use when no key file is configured). */
export function loadAuditSigningKey(settings: AuditKeySource = fromEnvironment()): Promise<AuditSigningKey> {
  const file = keyFileOf(settings);
  const source = file ?? AUDIT_KEY_DIR;
  let key = loaded.get(source);
  if (key === undefined) {
    key = file === undefined ? loadOrCreateKeyPair(AUDIT_KEY_DIR) : readKeyFile(file);
    // A failed load is not cached: fixing the file must not need a restart.
    key.catch(() => loaded.delete(source));
    loaded.set(source, key);
  }
  return key;
}

/**
 * The public keys a verifier trusts, read without creating anything: from the key file, else
 * from `AUDIT_KEY_DIR/jwks.json`; an empty set when neither exists (then every checkpoint is
 * reported unverifiable rather than trusted).
 */
export async function readAuditPublicJwks(settings: AuditKeySource = fromEnvironment()): Promise<JSONWebKeySet> {
  const file = keyFileOf(settings);
  if (file !== undefined) return { keys: [(await readKeyFile(file)).publicJwk] };
  const path = join(AUDIT_KEY_DIR, PUBLIC_JWKS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { keys: [] };
  }
  return parsePublicJwks(JSON.parse(text) as unknown, path);
}

/** The public key set of a signing key, as auditors keep it. */
export const publicJwksOf = (key: AuditSigningKey): JSONWebKeySet => ({ keys: [{ ...key.publicJwk }] });

/** A fresh in-memory ES256 key (tests, or an operator generating AUDIT_SIGNING_KEY_FILE). */
export async function generateAuditSigningKey(): Promise<AuditSigningKey & { readonly privateJwk: JWK }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const exported = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwkOf(exported));
  const privateJwk: JWK = { ...exported, kid, alg: 'ES256', use: 'sig' };
  return { privateKey, publicJwk: publicJwkOf(privateJwk), kid, alg: 'ES256', privateJwk };
}

async function readKeyFile(file: string): Promise<AuditSigningKey> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`AUDIT_SIGNING_KEY_FILE ${file}: not a readable JSON file`, { cause: error });
  }
  if (!isRecord(parsed)) throw new Error(`AUDIT_SIGNING_KEY_FILE ${file}: expected a private JWK object`);
  const { jwk, alg } = parsePrivateJwk(parsed, `AUDIT_SIGNING_KEY_FILE ${file}`);
  const kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : await calculateJwkThumbprint(publicJwkOf(jwk));
  const privateKey = await importJWK(jwk, alg);
  return { privateKey, publicJwk: { ...publicJwkOf(jwk), kid, alg, use: 'sig' }, kid, alg };
}
