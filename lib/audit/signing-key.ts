import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import type { AllowedAlgorithm } from '../identity/algorithms.js';
import { PUBLIC_JWKS_FILE } from '../identity/key-store.js';
import { currentEntry, publicJwksOfSet } from '../identity/key-set.js';
import { ensureKeySetDir, KEY_SET_FILE, readKeySetFile, WatchedKeySet, type LoadedKeySet } from '../identity/key-set-file.js';
import { parsePublicJwks, publicJwkOf } from '../identity/jwk-validation.js';
import { loadJwks } from './checkpoint-keys.js';
import { repoPath } from '../paths.js';
import { environment, type Settings } from '../config.js';

/**
 * The audit service's own signing keys, for checkpoints. Not an identity provider's key: whoever
 * holds it can vouch for a chain head, so it lives apart from the entries' database.
 *
 * A key set (lib/identity/key-set.ts: `next` published ahead, `current` signs, `retired` kept),
 * from `AUDIT_SIGNING_KEY_FILE` (`Settings.auditSigningKeyFile`: a key set or a lone private JWK an
 * operator provides; shared by audit replicas), else `<repo>/.dev-issuer/audit-key/keys.json`
 * (generated on first use, git-ignored, never committed). Re-read on a short poll, so
 * `npm run keys -- rotate --service audit` reaches the running checkpointer without a restart.
 * Load-bearing: retired audit keys are never pruned, since the checkpoints they signed are kept
 * (in the database and by auditors) for as long as the log itself.
 */
export interface AuditSigningKey {
  readonly privateKey: CryptoKey | Uint8Array;
  /** The public half with `kid`, `alg` and `use`: what verifiers trust. */
  readonly publicJwk: JWK;
  readonly kid: string;
  readonly alg: AllowedAlgorithm;
}

export const AUDIT_KEY_DIR = repoPath('.dev-issuer', 'audit-key');

/** Where the keys come from: the audit service (and `audit:verify`) pass their `Settings`. */
export type AuditKeySource = Pick<Settings, 'auditSigningKeyFile' | 'auditJwksUrl'>;

/** Without settings (tools, tests), the process environment, read through lib/config.ts. */
const fromEnvironment = (): AuditKeySource => ({
  auditSigningKeyFile: environment()['AUDIT_SIGNING_KEY_FILE'],
  auditJwksUrl: environment()['AUDIT_JWKS_URL'],
});

const keyFileOf = (source: AuditKeySource): string | undefined => {
  const file = source.auditSigningKeyFile?.trim();
  return file === undefined || file === '' ? undefined : resolve(file);
};

// One watcher per source and process: the checkpointer and the JWKS endpoint share its snapshot.
const watched = new Map<string, WatchedKeySet>();

function auditKeySet(settings: AuditKeySource): Promise<LoadedKeySet> {
  const file = keyFileOf(settings);
  const source = file ?? AUDIT_KEY_DIR;
  let watcher = watched.get(source);
  if (watcher === undefined) {
    watcher =
      file === undefined
        ? new WatchedKeySet(() => ensureKeySetDir(AUDIT_KEY_DIR), `audit key set ${AUDIT_KEY_DIR}`)
        : new WatchedKeySet(() => Promise.resolve(file), `AUDIT_SIGNING_KEY_FILE ${file}`);
    watched.set(source, watcher);
  }
  return watcher.get();
}

/** The key that signs checkpoints now (created under AUDIT_KEY_DIR on first use when no key file is configured). */
export async function loadAuditSigningKey(settings: AuditKeySource = fromEnvironment()): Promise<AuditSigningKey> {
  const { set, signing } = await auditKeySet(settings);
  // Checkpoints always name their key (a lone JWK without a kid gets its thumbprint), so a verifier holding several keys picks the right one.
  const { kid } = currentEntry(set);
  return { privateKey: signing.privateKey, publicJwk: { ...signing.publicJwk, kid }, kid, alg: signing.alg };
}

/** What the audit service serves at `/.well-known/jwks.json`: every key's public half, retired ones included. */
export async function auditPublicJwks(settings: AuditKeySource = fromEnvironment()): Promise<JSONWebKeySet> {
  return (await auditKeySet(settings)).jwks;
}

/**
 * The public keys a verifier trusts, read without creating anything: the audit service's
 * published JWKS when `AUDIT_JWKS_URL` is set (never a shared key file in a split deployment),
 * else the local key set (file or AUDIT_KEY_DIR); an empty set when none exists (then every
 * checkpoint is reported unverifiable rather than trusted).
 */
export async function readAuditPublicJwks(settings: AuditKeySource = fromEnvironment()): Promise<JSONWebKeySet> {
  const url = settings.auditJwksUrl?.trim();
  if (url !== undefined && url !== '') return loadJwks(url);
  const file = keyFileOf(settings);
  if (file !== undefined) return publicJwksOfSet(await readKeySetFile(file, `AUDIT_SIGNING_KEY_FILE ${file}`));
  const setPath = join(AUDIT_KEY_DIR, KEY_SET_FILE);
  if (await exists(setPath)) return publicJwksOfSet(await readKeySetFile(setPath, setPath));
  // A directory from before key sets: its public JWKS beside the lone private key.
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

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );
