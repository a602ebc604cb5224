import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { PRIVATE_KEY_FILE } from './key-store.js';
import { newKeySet, parseKeySet, publicJwksOfSet, serializeKeySet, signingKeyOf } from './key-set.js';
import type { KeySet, SigningKey } from './key-set.js';

/**
 * A signer's key set on disk, re-read while the process runs: `npm run keys -- rotate` rewrites
 * the file (atomically), and the signer and its JWKS endpoint pick the change up within one poll,
 * without a restart. Both read the same snapshot, so the published set always holds the key that
 * signs.
 */
export const KEY_SET_FILE = 'keys.json';
/** How stale a signer's view of its key file may be; a stat per poll, a read only when it changed. */
export const KEY_SET_POLL_MS = 2_000;

export interface LoadedKeySet {
  readonly set: KeySet;
  readonly signing: SigningKey;
  /** Public keys only: next, current and retired. */
  readonly jwks: JSONWebKeySet;
}

/** Reads and validates a key set (or a lone private JWK). `where` names the setting in errors. */
export async function readKeySetFile(path: string, where: string): Promise<KeySet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${where} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not valid JSON`, { cause: error });
  }
  return parseKeySet(value, where);
}

/** Replaces the file whole (temporary file, then rename): a reader never sees half a key set. */
export async function writeKeySetFile(path: string, set: KeySet): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, serializeKeySet(set), { mode: 0o600, flag: 'wx' });
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/**
 * The key set in a development key directory, created on first use with a current and a next
 * key. A directory from before rotation (a lone `private.jwk.json`) keeps its key as the current
 * one, so tokens already issued stay valid. Several processes may race here on a fresh checkout:
 * the file is installed with an exclusive link, so they all end up with the same set.
 */
export async function ensureKeySetDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, KEY_SET_FILE);
  if (await exists(path)) return path;
  const legacy = await readFile(join(dir, PRIVATE_KEY_FILE), 'utf8').catch(() => undefined);
  const set = await newKeySet(new Date(), legacy === undefined ? undefined : parseLegacy(legacy, join(dir, PRIVATE_KEY_FILE)));
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, serializeKeySet(set), { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
  } catch (error) {
    // EEXIST: another process won the race; its set is the one everybody uses.
    if (errorCode(error) !== 'EEXIST') await writeFile(path, serializeKeySet(set), { mode: 0o600, flag: 'wx' }).catch(ignoreExists);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return path;
}

/**
 * One key file, watched by polling its stat. A file that turns unreadable or invalid after a
 * good read leaves the last good set in use (a half-finished edit must not stop every request);
 * the first read's failure is thrown, and retried on the next call.
 */
export class WatchedKeySet {
  private loaded: { readonly value: LoadedKeySet; readonly version: string } | undefined;
  private checkedAt = -Infinity;
  private pending: Promise<LoadedKeySet> | undefined;

  constructor(
    private readonly path: () => Promise<string>,
    private readonly where: string,
    private readonly pollMs: number = KEY_SET_POLL_MS,
  ) {}

  get(): Promise<LoadedKeySet> {
    if (this.loaded !== undefined && performance.now() - this.checkedAt < this.pollMs) return Promise.resolve(this.loaded.value);
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<LoadedKeySet> {
    try {
      const path = await this.path();
      const info = await stat(path).catch((error: unknown) => {
        throw new Error(`${this.where} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      });
      const version = `${info.ino}:${info.size}:${info.mtimeMs}`;
      if (this.loaded === undefined || this.loaded.version !== version) {
        const set = await readKeySetFile(path, this.where);
        this.loaded = { value: { set, signing: await signingKeyOf(set, this.where), jwks: publicJwksOfSet(set) }, version };
      }
      this.checkedAt = performance.now();
      return this.loaded.value;
    } catch (error) {
      if (this.loaded === undefined) throw error;
      this.checkedAt = performance.now();
      return this.loaded.value;
    }
  }
}

function parseLegacy(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path}: not valid JSON; delete the file to generate a new key`, { cause: error });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function ignoreExists(error: unknown): void {
  if (errorCode(error) !== 'EEXIST') throw error;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
