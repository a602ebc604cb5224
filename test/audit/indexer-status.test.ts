import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateAuditSigningKey, publicJwksOf, signCheckpoint, type AuditSigningKey } from '../../lib/audit/index.js';
import { recordCheckpoints } from '../../lib/audit/checkpoints.js';
import { indexPass } from '../../lib/audit/indexer.js';
import { startIndexer } from '../../lib/audit/indexer-run.js';
import { indexedChainStatus, indexLagMs } from '../../lib/audit/indexer-status.js';
import { waitForIndex } from '../../lib/audit/indexer-wait.js';
import { sql } from '../../lib/store/index.js';
import { ServiceMetrics } from '../../lib/telemetry/metrics.js';
import { appendEvents } from './event-rows.js';
import { openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

/** auditChainStatus from the indexer's state, the index lag, and the API's wait for the index. */
describe.each(STORE_KINDS)('audit index status on %s', (kind) => {
  let t: TestStore;
  let key: AuditSigningKey;
  const status = (now?: () => Date) => indexedChainStatus(t.store, { jwks: publicJwksOf(key), maxAgeMs: 0, ...(now ? { now } : {}) });
  const pass = () => indexPass(t.store, { jwks: publicJwksOf(key) });
  const checkpoint = async (seq: number, headHash: string, signer = key) => {
    const signed = await signCheckpoint(signer, { chain: 'cbp', seq, headHash, at: new Date(), kind: 'PERIODIC' });
    await t.store.transaction((tx) => recordCheckpoints(tx, [signed]));
  };
  const hashAt = async (seq: number) => String((await t.store.query(sql`SELECT hash FROM audit.events WHERE chain = 'cbp' AND seq = ${seq}`))[0]?.['hash']);
  const itemCount = async () => Number((await t.store.query(sql`SELECT count(*) AS n FROM audit.access_items`))[0]?.['n']);

  beforeAll(async () => {
    t = await openTestStore(kind);
    key = await generateAuditSigningKey();
  });
  afterAll(async () => t.dispose());
  beforeEach(async () => {
    await tamper(t.store, 'TRUNCATE audit.events, audit.access_items, audit.index_state, audit.checkpoints RESTART IDENTITY');
    await appendEvents(t.store, 'cbp', [{ items: [{}] }, { items: [{}, {}, {}] }, { items: [{}, {}] }]);
  });

  it('answers from the indexer state: what is verified, and nothing behind', async () => {
    await pass();
    await checkpoint(3, await hashAt(3));
    const result = await status();
    expect(result).toMatchObject({ valid: true, checkedEntries: 3, checkedItems: 6, firstBrokenEntry: null, indexLagMs: 0 });
    expect(result.chains).toEqual([expect.objectContaining({ chain: 'cbp', valid: true, headSeq: 3, indexedSeq: 3, verifiedAt: expect.any(Date) })]);
  });

  it('reports the age of the oldest committed event the index does not hold yet', async () => {
    await pass();
    const at = new Date(Date.now() - 60_000);
    await appendEvents(t.store, 'cbp', [{ header: { at }, items: [{}] }, { items: [{}] }]);
    const now = new Date(at.getTime() + 2_500);
    expect((await status(() => now)).indexLagMs).toBe(2_500);
    expect(await indexLagMs(t.store, now)).toBe(2_500);
    await pass();
    expect((await status()).indexLagMs).toBe(0);
  });

  it('reports the indexer’s break with the item id where it stopped', async () => {
    await tamper(t.store, `UPDATE audit.events SET items = replace(items, 'p-1', 'p-2') WHERE chain = 'cbp' AND seq = 2`);
    await pass();
    expect(await status()).toMatchObject({ valid: false, firstBrokenEntry: 'cbp:2.0', chain: 'cbp', problem: 'ALTERED', checkedEntries: 1 });
  });

  it('sees, without a walk, an event changed or the tail cut after it was verified', async () => {
    await pass();
    await tamper(t.store, `UPDATE audit.events SET request_id = 'other' WHERE chain = 'cbp' AND seq = 3`);
    // The stored hash is untouched, so only the header changed: the fresh check compares hashes,
    // and a rewrite that also fixes the hash is what the next check catches:
    await tamper(t.store, `UPDATE audit.events SET hash = repeat('b', 64) WHERE chain = 'cbp' AND seq = 3`);
    expect(await status()).toMatchObject({ valid: false, problem: 'ALTERED', firstBrokenEntry: 'cbp:3.0' });
    await tamper(t.store, `DELETE FROM audit.events WHERE chain = 'cbp' AND seq = 3`);
    expect(await status()).toMatchObject({ valid: false, problem: 'TRUNCATED', firstBrokenEntry: 'cbp:3.0' });
  });

  it('checks the newest signed checkpoint: ahead of the head, differing, or signed by an unknown key', async () => {
    await pass();
    await checkpoint(2, 'c'.repeat(64));
    expect(await status()).toMatchObject({ valid: false, problem: 'CHECKPOINT_MISMATCH', firstBrokenEntry: 'cbp:2.0' });
    await checkpoint(5, 'c'.repeat(64));
    expect(await status()).toMatchObject({ valid: false, problem: 'TRUNCATED', firstBrokenEntry: 'cbp:4.0' });
    await checkpoint(6, 'c'.repeat(64), await generateAuditSigningKey());
    expect(await status()).toMatchObject({ valid: false, problem: 'CHECKPOINT_INVALID' });
  });

  it('caches a result, with its own time, for maxAgeMs', async () => {
    await pass();
    const first = await indexedChainStatus(t.store, { jwks: publicJwksOf(key), maxAgeMs: 60_000 });
    await appendEvents(t.store, 'cbp', [{ items: [{}] }]);
    await pass();
    const cached = await indexedChainStatus(t.store, { jwks: publicJwksOf(key), maxAgeMs: 60_000 });
    expect(cached.checkedAt).toEqual(first.checkedAt);
    expect(cached.checkedEntries).toBe(3);
    expect((await status()).checkedEntries).toBe(4);
  });

  it('waitForIndex indexes inline when no indexer runs, so a query right after a write sees it', async () => {
    expect(await waitForIndex(t.store)).toMatchObject({ caughtUp: true });
    expect(await itemCount()).toBe(6);
  });

  it('waitForIndex wakes a running indexer instead of waiting for its next round', async () => {
    // An interval far beyond the wait's bound: only the wake can make it catch up in time.
    const indexer = startIndexer(t.store, { jwks: publicJwksOf(key), intervalMs: 600_000 });
    try {
      await indexer.nextPass();
      await appendEvents(t.store, 'cbp', [{ items: [{}, {}] }]);
      expect(await waitForIndex(t.store)).toMatchObject({ caughtUp: true });
      expect(await itemCount()).toBe(8);
    } finally {
      await indexer.stop();
    }
  });

  it('waitForIndex does not wait for a chain the indexer found broken', async () => {
    await tamper(t.store, `UPDATE audit.events SET purpose = 'X' WHERE chain = 'cbp' AND seq = 1`);
    expect(await waitForIndex(t.store)).toMatchObject({ caughtUp: true });
    expect(await itemCount()).toBe(0);
  });

  it('exposes the lag as tributary_audit_index_lag_seconds', async () => {
    const metrics = new ServiceMetrics('audit');
    metrics.measureAuditIndexLag(async () => (await indexLagMs(t.store)) / 1000);
    metrics.measureAuditIndexLag(async () => 0); // a restart replaces it
    expect((await metrics.text()).body).toMatch(/^tributary_audit_index_lag_seconds\{service="audit"\} 0$/m);
  });
});
