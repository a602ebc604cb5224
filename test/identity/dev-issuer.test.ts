import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.js';
import { DEV_ISSUER, PERSONAS, createTokenVerifier, devIssuerDir, getDevIssuerJwks, mintToken, trustIssuer } from '../../lib/identity/index.js';
import { PRIVATE_KEY_FILE, PUBLIC_JWKS_FILE, loadOrCreateKeyPair } from '../../lib/identity/key-store.js';

const run = promisify(execFile);
const freshDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'tributary-dev-issuer-'));

describe('the development issuer', () => {
  it('defaults to <repo>/.dev-issuer and honours DEV_ISSUER_DIR', () => {
    expect(devIssuerDir({})).toBe(join(REPO_ROOT, '.dev-issuer'));
    expect(devIssuerDir({ DEV_ISSUER_DIR: '/srv/keys' })).toBe('/srv/keys');
  });

  it('stores its key pair as JWK files: the private one readable by its owner only', async () => {
    const dir = await freshDir();
    await getDevIssuerJwks({ dir });
    expect((await readdir(dir)).sort()).toEqual([PUBLIC_JWKS_FILE, PRIVATE_KEY_FILE].sort());
    if (process.platform !== 'win32') expect((await stat(join(dir, PRIVATE_KEY_FILE))).mode & 0o777).toBe(0o600);
    const published: unknown = JSON.parse(await readFile(join(dir, PUBLIC_JWKS_FILE), 'utf8'));
    expect(published).toEqual(await getDevIssuerJwks({ dir }));
    expect(JSON.stringify(published)).not.toMatch(/"d"/);
  });

  it('keeps using the key it generated on the first run', async () => {
    const dir = await freshDir();
    const first = await loadOrCreateKeyPair(dir);
    const second = await loadOrCreateKeyPair(dir);
    expect(second.kid).toBe(first.kid);
  });

  it('signs tokens that verify against its published key set', async () => {
    const dir = await freshDir();
    const verify = createTokenVerifier({ audience: 'tributary', issuers: trustIssuer(DEV_ISSUER, await getDevIssuerJwks({ dir })) });
    const token = await mintToken(PERSONAS['ngo-legal'], { dir, audience: 'tributary' });
    await expect(verify(`Bearer ${token}`)).resolves.toEqual({ iss: DEV_ISSUER, ...PERSONAS['ngo-legal'] });
  });

  it('creates one key when many first uses race in one process', async () => {
    const dir = await freshDir();
    const pairs = await Promise.all(Array.from({ length: 12 }, () => loadOrCreateKeyPair(dir)));
    expect(new Set(pairs.map((pair) => pair.kid)).size).toBe(1);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('creates one key when several processes start at once', { timeout: 30_000 }, async () => {
    const dir = await freshDir();
    const script = join(dir, 'print-kid.mts');
    await writeFile(
      script,
      `import { loadOrCreateKeyPair } from ${JSON.stringify(join(REPO_ROOT, 'lib/identity/key-store.ts'))};\n` +
        // Wait for a shared start instant so that the processes really race (their startup times vary).
        `await new Promise((go) => setTimeout(go, Math.max(0, Number(process.argv[3]) - Date.now())));\n` +
        `process.stdout.write((await loadOrCreateKeyPair(process.argv[2])).kid);\n`,
    );
    const keyDir = join(dir, 'keys');
    const startAt = String(Date.now() + 4_000);
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', script, keyDir, startAt], { cwd: REPO_ROOT })),
    );
    const kids = new Set(outputs.map(({ stdout }) => stdout));
    expect(kids.size).toBe(1);
    expect([...kids][0]).toBe((await loadOrCreateKeyPair(keyDir)).kid);
  });

  it('refuses a key file that is not an ES256 private key, naming the file', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, PRIVATE_KEY_FILE), JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }));
    await expect(loadOrCreateKeyPair(dir)).rejects.toThrow(`${join(dir, PRIVATE_KEY_FILE)}: the JWK has no private part`);
  });

  it('refuses to mint a token with a lifetime that is not a positive number of seconds', async () => {
    const dir = await freshDir();
    await expect(mintToken(PERSONAS.auditor, { dir, expiresIn: 0 })).rejects.toThrow(/expiresIn must be a positive/);
  });
});
