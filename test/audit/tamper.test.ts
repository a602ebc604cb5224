import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createAuditWriter,
  generateAuditSigningKey,
  latestCheckpoint,
  publicJwksOf,
  signCheckpoint,
  startCheckpointer,
  verifyChains,
  type AuditSigningKey,
} from '../../lib/audit/index.js';
import { canonicalEntry, chainHash } from '../../lib/audit/chain.js';
import { recordCheckpoints } from '../../lib/audit/checkpoints.js';
import { ENTRY_COLUMNS, parseEntryRow } from '../../lib/audit/entry-row.js';
import { sql } from '../../lib/store/index.js';
import { entries } from './entries.js';
import { openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

/**
 * The triggers stop the application; a database owner can switch them off. These tests do
 * exactly that and expect the chain and the signed checkpoints to tell.
 */
describe.each(STORE_KINDS)('tamper detection on %s', (kind) => {
  let t: TestStore;
  let key: AuditSigningKey;
  const verify = (extra: { checkpoints?: readonly string[] } = {}) => verifyChains(t.store, { jwks: publicJwksOf(key), ...extra });

  beforeAll(async () => {
    t = await openTestStore(kind);
    key = await generateAuditSigningKey();
  });
  afterAll(async () => t.dispose());

  beforeEach(async () => {
    // A fresh log for every test (the triggers, rightly, leave no other way to empty it).
    await tamper(t.store, 'TRUNCATE audit.entries, audit.checkpoints RESTART IDENTITY');
    await createAuditWriter(t.store, { service: 'ice' }).append(entries(20, (i) => ({ requestId: `req-${i + 1}` })));
    await createAuditWriter(t.store, { service: 'cbp' }).append(entries(3));
  });

  it('finds an untouched log valid', async () => {
    expect(await verify()).toMatchObject({ valid: true, checkedEntries: 23, firstBrokenEntry: null });
  });

  it('names an altered entry', async () => {
    await tamper(t.store, `UPDATE audit.entries SET fields_released = '{id,name,aNumber}' WHERE chain = 'ice' AND seq = 7`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:7', chain: 'ice', problem: 'ALTERED', checkedEntries: 6 + 3 });
  });

  it('names the entry after one altered with its hash recomputed', async () => {
    const [row] = await t.store.query(sql`SELECT ${ENTRY_COLUMNS} FROM audit.entries e WHERE chain = 'ice' AND seq = 7`);
    const entry = parseEntryRow(row!);
    const forged = { ...entry, decision: 'DENY' as const };
    const hash = chainHash(canonicalEntry('ice', 7, forged), entry.prevHash);
    await tamper(t.store, `UPDATE audit.entries SET decision = 'DENY', hash = '${hash}' WHERE chain = 'ice' AND seq = 7`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:8', problem: 'REORDERED' });
  });

  it('names a removed entry by its position', async () => {
    await tamper(t.store, `DELETE FROM audit.entries WHERE chain = 'ice' AND seq = 12`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:12', problem: 'MISSING' });
  });

  it('detects two entries swapped in place', async () => {
    const columns = `at, request_id, record_id, fields_released, prev_hash, hash`;
    await tamper(
      t.store,
      `WITH a AS (SELECT ${columns} FROM audit.entries WHERE chain = 'ice' AND seq = 5),
            b AS (SELECT ${columns} FROM audit.entries WHERE chain = 'ice' AND seq = 6)
       UPDATE audit.entries e SET (${columns}) = (SELECT ${columns} FROM b) WHERE chain = 'ice' AND seq = 5;`,
    );
    // Row 5 now holds row 6 (content, prevHash and hash); write row 5's old content into 6.
    await tamper(t.store, `UPDATE audit.entries SET request_id = 'req-5', record_id = 'route-5' WHERE chain = 'ice' AND seq = 6`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:5', problem: 'REORDERED' });
  });

  it('detects swapped content that kept the positions hashes', async () => {
    await tamper(
      t.store,
      `UPDATE audit.entries SET record_id = CASE seq WHEN 5 THEN 'route-6' ELSE 'route-5' END WHERE chain = 'ice' AND seq IN (5, 6)`,
    );
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:5', problem: 'ALTERED' });
  });

  it('cannot see the newest entries cut off without a checkpoint, and names the cut with one', async () => {
    const checkpointer = startCheckpointer(t.store, { key, intervalMs: 60_000 });
    await checkpointer.checkpointNow();
    await tamper(t.store, `DELETE FROM audit.entries WHERE chain = 'ice' AND seq > 15`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:16', problem: 'TRUNCATED', chain: 'ice' });
    // Without any checkpoint the shorter chain is self-consistent: this is why checkpoints exist.
    await tamper(t.store, `DELETE FROM audit.checkpoints`);
    expect((await verify()).valid).toBe(true);
    await checkpointer.stop();
  });

  it('detects the cut with a checkpoint the auditor kept, even after the stored ones were deleted', async () => {
    const checkpointer = startCheckpointer(t.store, { key, intervalMs: 60_000 });
    await checkpointer.checkpointNow();
    const kept = await latestCheckpoint(t.store, 'ice');
    await tamper(t.store, `DELETE FROM audit.entries WHERE chain = 'ice' AND seq > 18; DELETE FROM audit.checkpoints`);
    expect(await verify({ checkpoints: [kept!.signature] })).toMatchObject({ valid: false, firstBrokenEntry: 'ice:19', problem: 'TRUNCATED' });
    await checkpointer.stop();
  });

  it('catches a whole tail rewritten with fresh hashes at the checkpoint', async () => {
    await startCheckpointer(t.store, { key, intervalMs: 60_000 }).checkpointNow();
    // Rewrite entries 10..20 consistently, as an attacker with the code (but not the key) could.
    const rows = await t.store.query(sql`SELECT ${ENTRY_COLUMNS} FROM audit.entries e WHERE chain = 'ice' AND seq >= 10 ORDER BY seq`);
    const [before] = await t.store.query(sql`SELECT hash FROM audit.entries WHERE chain = 'ice' AND seq = 9`);
    let prev = String(before?.['hash']);
    const updates: string[] = [];
    for (const row of rows) {
      const entry = parseEntryRow(row);
      const forged = { ...entry, decision: 'DENY' as const };
      const hash = chainHash(canonicalEntry('ice', entry.seq, forged), prev);
      updates.push(`UPDATE audit.entries SET decision = 'DENY', prev_hash = '${prev}', hash = '${hash}' WHERE chain = 'ice' AND seq = ${entry.seq};`);
      prev = hash;
    }
    await tamper(t.store, updates.join('\n'));
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:20', problem: 'CHECKPOINT_MISMATCH' });
  });

  it('refuses a checkpoint not signed by the audit key', async () => {
    const stranger = await generateAuditSigningKey();
    await recordCheckpoints(t.store, [await signCheckpoint(stranger, { chain: 'ice', seq: 20, headHash: 'f'.repeat(64), at: new Date(), kind: 'PERIODIC' })]);
    expect(await verify()).toMatchObject({ valid: false, chain: 'ice', problem: 'CHECKPOINT_INVALID' });
  });

  it('detects the oldest entries removed outside the retention path', async () => {
    await tamper(t.store, `DELETE FROM audit.entries WHERE chain = 'ice' AND seq <= 4`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:1', problem: 'UNEXPLAINED_START' });
  });

  it('walks in pages without losing its place', async () => {
    await tamper(t.store, `UPDATE audit.entries SET reason = 'edited' WHERE chain = 'ice' AND seq = 17`);
    expect(await verifyChains(t.store, { jwks: publicJwksOf(key), pageSize: 3 })).toMatchObject({ firstBrokenEntry: 'ice:17', checkedEntries: 16 + 3 });
  });
});
