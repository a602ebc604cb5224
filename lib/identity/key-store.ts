import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import { parsePrivateJwk, publicJwkOf } from './jwk-validation.js';

/**
 * A locally generated ES256 key pair kept on disk, for the development issuer (the gateway's
 * identity and the audit service's checkpoints use rotating key sets instead: key-set-file.ts).
 * Several processes (`npm start` runs five services, plus `npm run token`) may ask for the key at
 * the same moment on a fresh checkout; they must all end up with the same one,
 * or tokens minted by one process would fail verification in the others.
 */
export interface StoredKeyPair {
  readonly privateKey: CryptoKey;
  /** The public key with `kid`, `alg` and `use`, as published in `jwks.json`. */
  readonly publicJwk: JWK;
  readonly kid: string;
  readonly alg: 'ES256';
}

export const PRIVATE_KEY_FILE = 'private.jwk.json';
export const PUBLIC_JWKS_FILE = 'jwks.json';

const ALG = 'ES256';
/** How long a reader waits for a half-written key file (only on filesystems without hard links). */
const READ_ATTEMPTS = 40;
const READ_RETRY_MS = 25;

/** Loads the key pair stored in `dir`, creating it if this is the first use. */
export async function loadOrCreateKeyPair(dir: string): Promise<StoredKeyPair> {
  // 0700: the directory holds a private key; other local users have no business listing it.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  const privateJwk = (await readPrivateJwk(privatePath)) ?? (await createPrivateJwk(privatePath));
  const publicJwk = publicJwkOf(privateJwk);
  await publishJwks(join(dir, PUBLIC_JWKS_FILE), { keys: [publicJwk] });
  const privateKey = await importJWK(privateJwk, ALG);
  if (privateKey instanceof Uint8Array) throw new Error(`${privatePath}: expected an asymmetric key`);
  const kid = typeof publicJwk.kid === 'string' ? publicJwk.kid : await calculateJwkThumbprint(publicJwk);
  return { privateKey, publicJwk, kid, alg: ALG };
}

/** Undefined when the file does not exist yet; throws naming the file when it is not a usable key. */
async function readPrivateJwk(path: string): Promise<JWK | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      // Another process may be writing it right now (see createPrivateJwk's fallback): wait a little.
      if (attempt < READ_ATTEMPTS) {
        await sleep(READ_RETRY_MS);
        continue;
      }
      throw new Error(`${path}: not valid JSON; delete the file to generate a new key`, { cause: error });
    }
    const { jwk, alg } = parsePrivateJwk(parsed, path);
    if (alg !== ALG) throw new Error(`${path}: expected an ES256 (EC P-256) key, found one for ${alg}`);
    return jwk;
  }
}

/**
 * Generates a key and installs it with an exclusive create, so that exactly one of several racing
 * processes wins; the losers read the winner's key. The file is written whole under a temporary
 * name first and then hard-linked into place: `link` fails with EEXIST instead of overwriting
 * (which `rename` would do), and readers never see a half-written file.
 */
async function createPrivateJwk(path: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const exported = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwkOf(exported));
  const jwk: JWK = { ...exported, kid, alg: ALG, use: 'sig' };
  const text = `${JSON.stringify(jwk, null, 2)}\n`;
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
    return jwk;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return requireExisting(path);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    // No hard links on this filesystem: fall back to an exclusive create of the final name.
    try {
      await writeFile(path, text, { mode: 0o600, flag: 'wx' });
      return jwk;
    } catch (fallbackError) {
      if (errorCode(fallbackError) === 'EEXIST') return requireExisting(path);
      throw fallbackError;
    }
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function requireExisting(path: string): Promise<JWK> {
  const jwk = await readPrivateJwk(path);
  if (jwk === undefined) throw new Error(`${path}: the key file vanished while it was being created`);
  return jwk;
}

/**
 * Writes the public JWKS beside the private key (for operators to copy into a trusted-issuers file
 * on another host). Every racing writer derives the same content from the one winning key, so an
 * atomic rename over the old file is enough here.
 */
async function publishJwks(path: string, jwks: JSONWebKeySet): Promise<void> {
  const text = `${JSON.stringify(jwks, null, 2)}\n`;
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === text) return;
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, text, { mode: 0o644, flag: 'wx' });
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
