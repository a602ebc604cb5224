import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter, generateAuditSigningKey, latestCheckpoint, startCheckpointer } from '../../lib/audit/index.js';
import { openPglite, type Store } from '../../lib/store/index.js';
import { entries } from './entries.js';
import { migrateAudit, openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run audit:verify` as an operator runs it (via tsx, without depending on package.json). */
async function auditVerify(env: Record<string, string>, args: readonly string[] = []): Promise<Outcome> {
  const clean = { ...process.env, DATABASE_URL: '', AUDIT_DATABASE_URL: '', DATA_DIR: '', ...env };
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/audit-verify.ts', ...args], { cwd: REPO, env: clean });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe.each(STORE_KINDS)('npm run audit:verify on %s', (kind) => {
  let dir: string;
  let env: Record<string, string>;
  let t: TestStore | undefined;
  let keptCheckpoint: string;

  /** PGlite is single-process: open the data directory only while the script is not running. */
  async function withStore(work: (store: Store) => Promise<void>): Promise<void> {
    if (t !== undefined) return work(t.store);
    const store = await openPglite(join(dir, 'pglite'));
    try {
      await work(store);
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-verify-'));
    const key = await generateAuditSigningKey();
    await writeFile(join(dir, 'audit.jwk.json'), JSON.stringify(key.privateJwk));
    env = { AUDIT_SIGNING_KEY_FILE: join(dir, 'audit.jwk.json') };
    if (kind === 'postgres') {
      t = await openTestStore('postgres');
      env['DATABASE_URL'] = t.databaseUrl!;
    } else {
      env['DATA_DIR'] = join(dir, 'pglite');
    }
    await withStore(async (store) => {
      if (kind === 'pglite') await migrateAudit(store);
      // One request per entry: twelve events of one item.
      await createAuditWriter(store, { service: 'cbp' }).append(entries(12, (i) => ({ requestId: `req-${i}` })));
      await createAuditWriter(store, { service: 'ice' }).append(entries(4));
      await startCheckpointer(store, { key, intervalMs: 60_000 }).checkpointNow();
      keptCheckpoint = join(dir, 'kept.json');
      await writeFile(keptCheckpoint, JSON.stringify(await latestCheckpoint(store, 'cbp')));
    });
  });
  afterAll(async () => {
    await t?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a line per chain and exits 0 when the log is intact', async () => {
    const outcome = await auditVerify(env, ['--checkpoint', keptCheckpoint]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^ok\s+cbp\s+12 entries checked/m);
    expect(outcome.stdout).toMatch(/^ok\s+ice\s+4 entries checked/m);
  });

  it('exits non-zero naming the first broken entry', async () => {
    await withStore((store) => tamper(store, `UPDATE audit.events SET items = replace(items, '"ALLOW"', '"DENY"') WHERE chain = 'cbp' AND seq = 9`));
    const outcome = await auditVerify(env);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/^BROKEN\s+cbp\s+at cbp:9 \[ALTERED\]/m);
    expect(outcome.stderr).toMatch(/BROKEN at entry cbp:9/);
  });

  it('catches the newest entries cut off together with the stored checkpoints, given the kept one', async () => {
    await withStore((store) =>
      tamper(store, `UPDATE audit.events SET items = replace(items, '"DENY"', '"ALLOW"') WHERE chain = 'cbp' AND seq = 9; DELETE FROM audit.events WHERE chain = 'cbp' AND seq > 10; DELETE FROM audit.checkpoints`),
    );
    expect((await auditVerify(env)).code).toBe(0);
    const outcome = await auditVerify(env, ['--checkpoint', keptCheckpoint]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/BROKEN at entry cbp:11: the chain ends at seq 10/);
  });

  it('refuses an unknown flag with exit code 2', async () => {
    expect((await auditVerify(env, ['--frobnicate'])).code).toBe(2);
  });
});
