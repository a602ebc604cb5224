import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuditSigningKey, publicJwksOf, signCheckpoint, type AuditSigningKey } from '../../lib/audit/index.js';
import { openPglite, sql, type Store } from '../../lib/store/index.js';
import { aHeader, appendEvents, checkpointHead, items, legacyContent } from './event-fixtures.js';
import { migrateAudit, openTestStore, STORE_KINDS, type TestStore } from './stores.js';

/**
 * `npm run -s audit:prove` and `npm run audit:verify-proof` as an operator and an outside
 * auditor run them (via tsx): exit codes and messages for every outcome, and nothing in the log
 * changed by either.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function script(name: 'audit-prove' | 'audit-verify-proof', args: readonly string[], env: Record<string, string> = {}): Promise<Outcome> {
  const clean = { ...process.env, DATABASE_URL: '', AUDIT_DATABASE_URL: '', DATA_DIR: '', ...env };
  try {
    const { stdout, stderr } = await run('npx', ['tsx', `scripts/${name}.ts`, ...args], { cwd: REPO, env: clean, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const NO_STACK = /^\s+at /m;
/** Each case starts a tsx process (seconds each on a shared machine). */
const SLOW = { timeout: 240_000 };

/** Every row of the log and its checkpoints, as text: equal before and after means unchanged. */
async function snapshot(store: Store): Promise<string> {
  const [row] = await store.query(sql`
    SELECT (SELECT string_agg(e::text, '|' ORDER BY chain, seq) FROM audit.events e) AS events,
           (SELECT string_agg(c::text, '|' ORDER BY id) FROM audit.checkpoints c) AS checkpoints`);
  return JSON.stringify(row);
}

describe.each(STORE_KINDS)('npm run audit:prove and audit:verify-proof on %s', (kind) => {
  let dir: string;
  let env: Record<string, string>;
  let t: TestStore | undefined;
  let key: AuditSigningKey;
  let jwksFile: string;
  let before: string;
  const chain = 'ice';

  /** PGlite is single-process: open the data directory only while no script is running. */
  async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (t !== undefined) return work(t.store);
    const store = await openPglite(join(dir, 'pglite'));
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }

  async function proveTo(id: string): Promise<string> {
    const outcome = await script('audit-prove', ['--entry', id], env);
    expect(outcome, outcome.stderr).toMatchObject({ code: 0, stderr: '' });
    const file = join(dir, `${id.replace(/[:.]/g, '_')}.json`);
    await writeFile(file, outcome.stdout);
    return file;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-proof-'));
    key = await generateAuditSigningKey();
    jwksFile = join(dir, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify(publicJwksOf(key)));
    if (kind === 'postgres') {
      t = await openTestStore('postgres');
      env = { DATABASE_URL: t.databaseUrl ?? '' };
    } else {
      env = { DATA_DIR: join(dir, 'pglite') };
    }
    before = await withStore(async (store) => {
      if (kind === 'pglite') await migrateAudit(store);
      await appendEvents(store, chain, [
        { version: 1, content: legacyContent('booking-legacy', { service: 'ice', recordType: 'Booking' }) },
        { version: 2, header: aHeader({ service: 'ice', recordType: 'Booking' }), items: items(12) },
      ]);
      await checkpointHead(store, key, chain);
      await appendEvents(store, chain, [{ version: 2, header: aHeader({ service: 'ice' }), items: items(2, 50) }]);
      return snapshot(store);
    });
  });
  afterAll(async () => {
    await t?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a proof that verifies against the JWKS file, and against the JWKS served at a URL', SLOW, async () => {
    const file = await proveTo(`${chain}:2.11`);
    const ok = await script('audit-verify-proof', [file, '--jwks', jwksFile]);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(new RegExp(`^VALID: ice:2\\.11 is in chain ice, covered by the checkpoint of seq 2 .* by key ${key.kid}$`, 'm'));

    const served: Server = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(publicJwksOf(key))));
    await new Promise<void>((resolve) => served.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(served.address() as AddressInfo).port}/.well-known/jwks.json`;
      expect(await script('audit-verify-proof', [file, '--jwks', url])).toMatchObject({ code: 0 });
    } finally {
      await new Promise((resolve) => served.close(resolve));
    }
  });

  it('proves a legacy entry too', SLOW, async () => {
    const file = await proveTo(`${chain}:1.0`);
    expect(await script('audit-verify-proof', [file, '--jwks', jwksFile])).toMatchObject({ code: 0 });
  });

  it('exits 2 for an unknown entry, a malformed id, an event no checkpoint covers yet, and no --entry', SLOW, async () => {
    const missing = await script('audit-prove', ['--entry', `${chain}:9.0`], env);
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: `no such entry: ${chain}:9.0\n` });
    const past = await script('audit-prove', ['--entry', `${chain}:2.12`], env);
    expect(past).toMatchObject({ code: 2, stderr: `no such entry: ${chain}:2.12\n` });
    const malformed = await script('audit-prove', ['--entry', 'ice-2-3'], env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^"ice-2-3" is not an AccessEvent id: expected <chain>:<seq>\.<item>/);
    const uncovered = await script('audit-prove', ['--entry', `${chain}:3.1`], env);
    expect(uncovered).toMatchObject({ code: 2, stderr: `no signed checkpoint covers ${chain}:3.1 yet; retry after the next checkpoint (every 10 s)\n` });
    const none = await script('audit-prove', [], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--entry <id> is required/);
    for (const outcome of [missing, past, malformed, uncovered, none]) expect(outcome.stderr).not.toMatch(NO_STACK);
  });

  // audit:verify-proof reads no store: its outcomes are checked once, on the proof from PGlite.
  it.skipIf(kind === 'postgres')('exits 1 naming what does not match, and 2 for bad input, never with a stack trace', SLOW, async () => {
    const file = await proveTo(`${chain}:2.5`);
    const proof = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8'))) as Record<string, Record<string, unknown>>;
    const variant = async (name: string, alter: (p: Record<string, Record<string, unknown>>) => void): Promise<string> => {
      const p = JSON.parse(JSON.stringify(proof)) as Record<string, Record<string, unknown>>;
      alter(p);
      const path = join(dir, `${name}.json`);
      await writeFile(path, JSON.stringify(p));
      return path;
    };
    const other = await generateAuditSigningKey();
    const forged = await signCheckpoint({ ...other, kid: key.kid }, { chain, seq: 2, headHash: proof['checkpoint']?.['head_hash'] as string, at: new Date(), kind: 'PERIODIC' });
    const wrongHead = await signCheckpoint(key, { chain, seq: 2, headHash: 'a'.repeat(64), at: new Date(), kind: 'PERIODIC' });
    const invalid: [string, (p: Record<string, Record<string, unknown>>) => void][] = [
      ['ALTERED_ITEM', (p) => void (p['item'] = { ...p['item'], canonical: (p['item']?.['canonical'] as string).replace('"route-6"', '"route-9"') })],
      ['WRONG_PATH', (p) => void ((p as Record<string, unknown>)['path'] = [...((p as Record<string, unknown>)['path'] as string[])].reverse())],
      ['BROKEN_LINK', (p) => void (p['event'] = { ...p['event'], prev_hash: 'b'.repeat(64) })],
      ['BAD_SIGNATURE', (p) => void (p['checkpoint'] = { ...p['checkpoint'], jws: forged.signature })],
      ['CHECKPOINT_MISMATCH', (p) => void (p['checkpoint'] = { ...p['checkpoint'], jws: wrongHead.signature, head_hash: wrongHead.headHash, at: wrongHead.at.toISOString() })],
    ];
    for (const [failure, alter] of invalid) {
      const outcome = await script('audit-verify-proof', [await variant(failure, alter), '--jwks', jwksFile]);
      expect(outcome, failure).toMatchObject({ code: 1, stdout: '' });
      expect(outcome.stderr).toMatch(new RegExp(`^INVALID ${failure}: \\S`));
      expect(outcome.stderr).not.toMatch(NO_STACK);
    }

    const notJson = join(dir, 'not.json');
    await writeFile(notJson, '{"format": "tributary-audit-proof/1", ');
    const otherJwks = join(dir, 'other-jwks.json');
    await writeFile(otherJwks, JSON.stringify(publicJwksOf(other)));
    const bad: [readonly string[], RegExp][] = [
      [[notJson, '--jwks', jwksFile], /not JSON/],
      [[await variant('lacking', (p) => void delete p['event']?.['hash']), '--jwks', jwksFile], /MALFORMED: "event\.hash" must be 64 lower-case hex digits/],
      [[file, '--jwks', otherJwks], new RegExp(`UNKNOWN_KEY: the checkpoint is signed with key ${key.kid}, which the JWKS does not hold`)],
      [[file, '--jwks', join(dir, 'absent.json')], /cannot read the JWKS file/],
      [[file], /--jwks JWKS is required/],
      [[join(dir, 'absent-proof.json'), '--jwks', jwksFile], /cannot read the proof/],
    ];
    for (const [args, message] of bad) {
      const outcome = await script('audit-verify-proof', args);
      expect(outcome, args.join(' ')).toMatchObject({ code: 2, stdout: '' });
      expect(outcome.stderr).toMatch(message);
      expect(outcome.stderr).not.toMatch(NO_STACK);
    }
  });

  it('changes nothing in the log or its checkpoints', async () => {
    expect(await withStore(snapshot)).toBe(before);
  });
});
