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
import { recordCheckpoints } from '../../lib/audit/checkpoints.js';
import { EVENT_COLUMNS, parseEventRow, type StoredEvent } from '../../lib/audit/event-row.js';
import { canonicalHeader, canonicalItem, eventHash, itemsRoot, type AuditEventItem } from '../../lib/audit/event-format.js';
import { startVerifyPool, type VerifyPool } from '../../lib/audit/verify-pool.js';
import { sql } from '../../lib/store/index.js';
import { entries } from './entries.js';
import { openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

/** An event rewritten as an attacker with the code (not the key) could: items, root and hash consistent. */
function forge(event: StoredEvent, prevHash: string, items: readonly AuditEventItem[]): { items: string; root: string; hash: string } {
  const texts = items.map(canonicalItem);
  const root = itemsRoot(texts);
  return { items: `[${texts.join(',')}]`, root, hash: eventHash(prevHash, canonicalHeader(event.chain, event.seq, event.header, texts.length), root) };
}

const DENIED = (item: AuditEventItem): AuditEventItem => ({ ...item, decision: 'DENY' });

/**
 * The triggers stop the application; a database owner can switch them off. These tests do
 * exactly that and expect the chain and the signed checkpoints to tell.
 */
// Each case also on PostgreSQL with the walk's rows read and checked by worker threads
// (lib/audit/verify-pool.ts): the verdict must not depend on where the hashing ran.
const VARIANTS = [...STORE_KINDS.map((kind) => [kind, 0] as const), ['postgres', 2] as const];

describe.each(VARIANTS)('tamper detection on %s (verify workers: %i)', (kind, workers) => {
  let t: TestStore;
  let key: AuditSigningKey;
  let pool: VerifyPool | undefined;
  const verify = (extra: { checkpoints?: readonly string[]; pageSize?: number } = {}) =>
    verifyChains(t.store, { jwks: publicJwksOf(key), ...extra, ...(pool === undefined ? {} : { pool }) });

  beforeAll(async () => {
    t = await openTestStore(kind);
    key = await generateAuditSigningKey();
    if (workers > 0) pool = startVerifyPool(t.databaseUrl as string, workers);
  });
  afterAll(async () => {
    await pool?.close();
    await t.dispose();
  });

  beforeEach(async () => {
    // A fresh log for every test (the triggers, rightly, leave no other way to empty it).
    await tamper(t.store, 'TRUNCATE audit.events, audit.checkpoints RESTART IDENTITY');
    // ice: 20 events of one item each (one request each); cbp: one event of three items.
    await createAuditWriter(t.store, { service: 'ice' }).append(entries(20, (i) => ({ requestId: `req-${i + 1}` })));
    await createAuditWriter(t.store, { service: 'cbp' }).append(entries(3));
  });

  const stored = async (chain: string, seq: number): Promise<StoredEvent> => {
    const [row] = await t.store.query(sql`SELECT ${EVENT_COLUMNS} FROM audit.events e WHERE chain = ${chain} AND seq = ${seq}`);
    return parseEventRow(row!);
  };

  it('finds an untouched log valid', async () => {
    expect(await verify()).toMatchObject({ valid: true, checkedEntries: 23, checkedEvents: 21, firstBrokenEntry: null });
  });

  it('names an altered entry', async () => {
    await tamper(t.store, `UPDATE audit.events SET items = replace(items, '"sector"', '"aNumber"') WHERE chain = 'ice' AND seq = 7`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:7', chain: 'ice', problem: 'ALTERED', checkedEntries: 6 + 3 });
  });

  it('names the entry after one altered with its hash recomputed', async () => {
    const event = await stored('ice', 7);
    const forged = forge(event, event.prevHash, event.items.map(DENIED));
    await tamper(t.store, `UPDATE audit.events SET items = '${forged.items}', items_root = '${forged.root}', hash = '${forged.hash}' WHERE chain = 'ice' AND seq = 7`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:8', problem: 'REORDERED' });
  });

  it('names a removed entry by its position', async () => {
    await tamper(t.store, `DELETE FROM audit.events WHERE chain = 'ice' AND seq = 12`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:12', problem: 'MISSING' });
  });

  it('detects two entries swapped in place', async () => {
    const columns = `at, request_id, items, items_root, prev_hash, hash`;
    await tamper(
      t.store,
      `WITH b AS (SELECT ${columns} FROM audit.events WHERE chain = 'ice' AND seq = 6)
       UPDATE audit.events e SET (${columns}) = (SELECT ${columns} FROM b) WHERE chain = 'ice' AND seq = 5;`,
    );
    // Row 5 now holds row 6 (content, prevHash and hash); write row 5's old content into 6.
    await tamper(t.store, `UPDATE audit.events SET request_id = 'req-5', items = replace(items, 'route-6', 'route-5') WHERE chain = 'ice' AND seq = 6`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:5', problem: 'REORDERED' });
  });

  it('detects swapped content that kept the positions hashes', async () => {
    await tamper(
      t.store,
      `UPDATE audit.events SET items = CASE seq WHEN 5 THEN replace(items, 'route-5', 'route-6') ELSE replace(items, 'route-6', 'route-5') END WHERE chain = 'ice' AND seq IN (5, 6)`,
    );
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:5', problem: 'ALTERED' });
  });

  it('cannot see the newest entries cut off without a checkpoint, and names the cut with one', async () => {
    const checkpointer = startCheckpointer(t.store, { key, intervalMs: 60_000 });
    await checkpointer.checkpointNow();
    await tamper(t.store, `DELETE FROM audit.events WHERE chain = 'ice' AND seq > 15`);
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
    await tamper(t.store, `DELETE FROM audit.events WHERE chain = 'ice' AND seq > 18; DELETE FROM audit.checkpoints`);
    expect(await verify({ checkpoints: [kept!.signature] })).toMatchObject({ valid: false, firstBrokenEntry: 'ice:19', problem: 'TRUNCATED' });
    await checkpointer.stop();
  });

  it('catches a whole tail rewritten with fresh hashes at the checkpoint', async () => {
    await startCheckpointer(t.store, { key, intervalMs: 60_000 }).checkpointNow();
    // Rewrite entries 10..20 consistently, as an attacker with the code (but not the key) could.
    const rows = await t.store.query(sql`SELECT ${EVENT_COLUMNS} FROM audit.events e WHERE chain = 'ice' AND seq >= 10 ORDER BY seq`);
    let prev = (await stored('ice', 9)).hash;
    const updates: string[] = [];
    for (const row of rows) {
      const event = parseEventRow(row);
      const forged = forge(event, prev, event.items.map(DENIED));
      updates.push(
        `UPDATE audit.events SET items = '${forged.items}', items_root = '${forged.root}', prev_hash = '${prev}', hash = '${forged.hash}' WHERE chain = 'ice' AND seq = ${event.seq};`,
      );
      prev = forged.hash;
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
    await tamper(t.store, `DELETE FROM audit.events WHERE chain = 'ice' AND seq <= 4`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'ice:1', problem: 'UNEXPLAINED_START' });
  });

  it('walks in pages without losing its place', async () => {
    await tamper(t.store, `UPDATE audit.events SET reason = 'edited' WHERE chain = 'ice' AND seq = 17`);
    expect(await verify({ pageSize: 3 })).toMatchObject({ firstBrokenEntry: 'ice:17', checkedEntries: 16 + 3 });
  });

  it('names an event one of whose items was altered', async () => {
    await tamper(t.store, `UPDATE audit.events SET items = replace(items, 'route-2', 'route-9') WHERE chain = 'cbp' AND seq = 1`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'cbp:1', problem: 'ALTERED', reason: expect.stringMatching(/items root/) });
  });

  it('detects items reordered inside an event, and an item removed with the root recomputed', async () => {
    const event = await stored('cbp', 1);
    const reversed = forge(event, event.prevHash, [...event.items].reverse());
    // The root is recomputed too, so only the event hash (over the root) can tell.
    await tamper(t.store, `UPDATE audit.events SET items = '${reversed.items}', items_root = '${reversed.root}' WHERE chain = 'cbp' AND seq = 1`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'cbp:1', problem: 'ALTERED', reason: expect.stringMatching(/no longer matches its hash/) });
    const fewer = forge(event, event.prevHash, event.items.slice(0, 2));
    await tamper(t.store, `UPDATE audit.events SET items = '${fewer.items}', items_root = '${fewer.root}', item_count = 2 WHERE chain = 'cbp' AND seq = 1`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'cbp:1', problem: 'ALTERED' });
  });

  it('reports an event whose items are not item arrays as malformed', async () => {
    await tamper(t.store, `UPDATE audit.events SET items = '[["route-1"]]' WHERE chain = 'cbp' AND seq = 1`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'cbp:1', problem: 'MALFORMED' });
  });
});
