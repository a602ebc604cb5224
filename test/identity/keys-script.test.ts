import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeySet } from '../../lib/identity/key-set.js';
import { readKeySetFile, writeKeySetFile } from '../../lib/identity/key-set-file.js';
import { repoPath } from '../../lib/paths.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run keys -- ...`, as an operator runs it, against a key file of this test's own. */
function keys(args: readonly string[], env: Readonly<Record<string, string>>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', repoPath('scripts', 'keys.ts'), ...args], { cwd: repoPath(), env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run keys', () => {
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-keys-script-'));
    file = join(dir, 'gateway-keys.json');
    env = { GATEWAY_IDENTITY_KEY_FILE: file };
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('refuses to promote a next key published too recently, and leaves the file alone', async () => {
    await writeKeySetFile(file, await newKeySet(new Date()));
    const before = await readFile(file, 'utf8');
    const run = await keys(['rotate', '--service', 'gateway'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/verifiers may not have it yet. Retry after/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('rotates once the next key has been published long enough, and prunes nothing still live', async () => {
    await writeKeySetFile(file, await newKeySet(new Date(Date.now() - 10 * 60_000)));
    const [current, next] = (await readKeySetFile(file, 'keys')).entries;
    const run = await keys(['rotate', '--service', 'gateway', '--prune'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`now signing with ${next?.kid}; retired ${current?.kid}`);
    expect(run.stdout).toContain('no retired key old enough to drop');
    const after = (await readKeySetFile(file, 'keys')).entries.map((entry) => [entry.state, entry.kid]);
    expect(after.slice(0, 2)).toEqual([
      ['retired', current?.kid],
      ['current', next?.kid],
    ]);
    expect(after[2]?.[0]).toBe('next');
  });

  it('refuses an unknown service or command with the usage', async () => {
    const run = await keys(['rotate', '--service', 'ice'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--service must be one of gateway, audit/);
  });
});
