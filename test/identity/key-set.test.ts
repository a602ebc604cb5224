import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeySet, parseKeySet, pruneKeySet, publicJwksOfSet, rotateKeySet, serializeKeySet, type KeySet } from '../../lib/identity/key-set.js';
import { ensureKeySetDir, KEY_SET_FILE, readKeySetFile, WatchedKeySet, writeKeySetFile } from '../../lib/identity/key-set-file.js';
import { pruneKeyFile, rotateKeyFile } from '../../lib/identity/key-rotation.js';

const T = new Date('2030-01-01T00:00:00Z');
const later = (ms: number): Date => new Date(T.getTime() + ms);
const states = (set: KeySet): string[] => set.entries.map((entry) => `${entry.state}:${entry.kid}`);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

describe('a signer key set', () => {
  it('starts with a current key and a next key published beside it', async () => {
    const set = await newKeySet(T);
    expect(set.entries.map((entry) => entry.state)).toEqual(['current', 'next']);
    const jwks = publicJwksOfSet(set);
    expect(jwks.keys.map((key) => key.kid)).toEqual(set.entries.map((entry) => entry.kid));
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ alg: 'ES256', use: 'sig', kty: 'EC' });
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    }
  });

  it('rotates next to current and current to retired only once the next key has been published long enough', async () => {
    const set = await newKeySet(T);
    const [current, next] = set.entries;
    const early = await rotateKeySet(set, later(59_000), 60_000);
    expect(early.outcome).toBe('too-soon');
    expect(early.set).toBe(set);
    const rotated = await rotateKeySet(set, later(60_000), 60_000);
    if (rotated.outcome !== 'rotated') throw new Error(`expected a rotation, got ${rotated.outcome}`);
    expect(rotated.signing).toBe(next?.kid);
    expect(rotated.retired).toBe(current?.kid);
    expect(states(rotated.set)).toEqual([`retired:${current?.kid}`, `current:${next?.kid}`, `next:${rotated.next}`]);
    // The retired key stays published: what it signed keeps verifying.
    expect(publicJwksOfSet(rotated.set).keys.map((key) => key.kid)).toContain(current?.kid);
  });

  it('prepares a next key, without signing with it, when a set has none (a lone JWK from before rotation)', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const lone = await parseKeySet({ ...(await exportJWK(privateKey)), kid: 'old' }, 'lone');
    const result = await rotateKeySet(lone, T, 60_000);
    expect(result.outcome).toBe('prepared');
    expect(states(result.set)[0]).toBe('current:old');
    expect(result.set.entries.map((entry) => entry.state)).toEqual(['current', 'next']);
  });

  it('prunes retired keys only past the given age', async () => {
    const rotated = await rotateKeySet(await newKeySet(T), later(120_000), 60_000);
    if (rotated.outcome !== 'rotated') throw new Error('expected a rotation');
    expect(pruneKeySet(rotated.set, later(120_000 + 65_000), 65_000).dropped).toEqual([]);
    const pruned = pruneKeySet(rotated.set, later(120_000 + 65_001), 65_000);
    expect(pruned.dropped).toEqual([rotated.retired]);
    expect(pruned.set.entries.map((entry) => entry.state)).toEqual(['current', 'next']);
  });

  it('round-trips through its file format and refuses ambiguous sets', async () => {
    const set = await newKeySet(T);
    const again = await parseKeySet(JSON.parse(serializeKeySet(set)), 'file');
    expect(states(again)).toEqual(states(set));
    const twoCurrent = JSON.parse(serializeKeySet(set)) as { keys: { state: string }[] };
    for (const key of twoCurrent.keys) key.state = 'current';
    await expect(parseKeySet(twoCurrent, 'keys.json')).rejects.toThrow('keys.json: a key set needs exactly one "current" key, found 2');
    await expect(parseKeySet({ keys: [{ state: 'soon', since: T.toISOString(), jwk: {} }] }, 'keys.json')).rejects.toThrow(/keys\[0\]\.state/);
  });
});

describe('a key set file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-key-set-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('is created once however many processes race for it, keeping a key from before rotation as current', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const keyDir = join(dir, 'legacy');
    await mkdir(keyDir, { recursive: true });
    await writeFile(join(keyDir, 'private.jwk.json'), JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'legacy-kid', alg: 'ES256' }));
    const paths = await Promise.all([1, 2, 3, 4].map(() => ensureKeySetDir(keyDir)));
    expect(new Set(paths)).toEqual(new Set([join(keyDir, KEY_SET_FILE)]));
    const set = await readKeySetFile(join(keyDir, KEY_SET_FILE), 'keys.json');
    expect(states(set)[0]).toBe('current:legacy-kid');
  });

  it('is picked up by a running signer within one poll after a rotation, without a restart', async () => {
    const path = join(dir, 'watched.json');
    await writeKeySetFile(path, await newKeySet(new Date(Date.now() - 10 * 60_000)));
    const watcher = new WatchedKeySet(() => Promise.resolve(path), 'watched', 50);
    const before = await watcher.get();
    const result = await rotateKeyFile(path, 'watched', { minPublishedMs: 60_000 });
    if (result.outcome !== 'rotated') throw new Error('expected a rotation');
    // The key that now signs was in the set published before the rotation.
    expect(before.jwks.keys.map((key) => key.kid)).toContain(result.signing);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const after = await watcher.get();
    expect(after.signing.kid).toBe(result.signing);
    expect(after.jwks.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([result.retired, result.signing, result.next]));
  });

  it('keeps the last good set when the file is broken mid-edit', async () => {
    const path = join(dir, 'broken.json');
    await writeKeySetFile(path, await newKeySet(T));
    const watcher = new WatchedKeySet(() => Promise.resolve(path), 'broken', 0);
    const good = await watcher.get();
    await writeFile(path, '{"keys": [');
    expect((await watcher.get()).signing.kid).toBe(good.signing.kid);
  });

  it('prunes through the file, leaving it untouched when nothing is old enough', async () => {
    const path = join(dir, 'prune.json');
    await writeKeySetFile(path, await newKeySet(new Date(Date.now() - 10 * 60_000)));
    const result = await rotateKeyFile(path, 'prune', { minPublishedMs: 0 });
    if (result.outcome !== 'rotated') throw new Error('expected a rotation');
    const text = await readFile(path, 'utf8');
    expect(await pruneKeyFile(path, 'prune', 65_000)).toEqual([]);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(await pruneKeyFile(path, 'prune', 65_000, new Date(Date.now() + 66_000))).toEqual([result.retired]);
  });
});
