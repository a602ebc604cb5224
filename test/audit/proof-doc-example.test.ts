import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JSONWebKeySet } from 'jose';
import { verifyProof } from '../../lib/audit/proof-verify.js';
import { parseProof } from '../../lib/audit/proof.js';
import { repoPath } from '../../lib/paths.js';

/**
 * docs/audit.md's worked example stays true: the example proof verifies with its JWKS, the
 * values the page quotes are the proof's, and the shell checker (jq, sha256sum, xxd, openssl)
 * agrees with verifyProof on the example and on altered copies of it.
 */
const EXAMPLE = repoPath('docs', 'examples', 'audit-proof');
const run = promisify(execFile);
const hasTools = ['jq', 'sha256sum', 'xxd', 'openssl'].every((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
});

describe("docs/audit.md's inclusion-proof example", () => {
  let proof: Record<string, unknown>;
  let jwks: JSONWebKeySet;
  let dir: string;

  beforeAll(async () => {
    proof = JSON.parse(await readFile(join(EXAMPLE, 'proof.json'), 'utf8')) as Record<string, unknown>;
    jwks = JSON.parse(await readFile(join(EXAMPLE, 'jwks.json'), 'utf8')) as JSONWebKeySet;
    dir = await mkdtemp(join(tmpdir(), 'proof-doc-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('verifies with the JWKS beside it', async () => {
    expect(await verifyProof(proof, jwks)).toMatchObject({ valid: true, entry: 'ice:1.1', checkpoint: { chain: 'ice', seq: 2 } });
  });

  it('quotes the values the proof holds', async () => {
    const page = await readFile(repoPath('docs', 'audit.md'), 'utf8');
    const p = parseProof(proof);
    for (const value of [p.leaf_hash, ...p.path, p.event.items_root ?? '', p.event.hash, p.links[0]?.hash ?? '', p.checkpoint.key_id.slice(0, 8)]) {
      expect(value).not.toBe('');
      expect(page).toContain(value);
    }
  });

  const shell = async (file: string): Promise<{ code: number; out: string }> => {
    try {
      const { stdout } = await run('bash', [join(EXAMPLE, 'check.sh'), file, join(EXAMPLE, 'jwks.json')]);
      return { code: 0, out: stdout };
    } catch (error) {
      const failed = error as { code?: number; stderr?: string };
      return { code: failed.code ?? -1, out: failed.stderr ?? '' };
    }
  };

  it.runIf(hasTools)('is checked by check.sh with shell tools alone, which names the same failures as verifyProof', async () => {
    expect(await shell(join(EXAMPLE, 'proof.json'))).toMatchObject({ code: 0, out: expect.stringContaining('VALID: ice:1.1') });
    const p = parseProof(proof);
    const cases: [string, Record<string, unknown>][] = [
      ['ALTERED_ITEM', { ...proof, item: { ...p.item, canonical: p.item.canonical.replace('T-1002', 'T-1003') } }],
      ['WRONG_PATH', { ...proof, path: [...p.path].reverse() }],
      ['BROKEN_LINK', { ...proof, links: [{ ...p.links[0], items_root: 'f'.repeat(64) }] }],
    ];
    for (const [failure, altered] of cases) {
      const file = join(dir, `${failure}.json`);
      await writeFile(file, JSON.stringify(altered));
      const out = await shell(file);
      expect(out, failure).toMatchObject({ code: 1, out: expect.stringContaining(`INVALID: ${failure}`) });
      expect(await verifyProof(altered, jwks)).toMatchObject({ valid: false, failure });
    }
  });
});
