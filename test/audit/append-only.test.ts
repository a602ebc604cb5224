import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter, generateAuditSigningKey, signCheckpoint, type AuditSigningKey } from '../../lib/audit/index.js';
import { recordCheckpoints } from '../../lib/audit/checkpoints.js';
import { sql } from '../../lib/store/index.js';
import { entries } from './entries.js';
import { openTestStore, STORE_KINDS, type TestStore } from './stores.js';

describe.each(STORE_KINDS)('the audit tables on %s are append-only', (kind) => {
  let t: TestStore;
  let key: AuditSigningKey;
  beforeAll(async () => {
    t = await openTestStore(kind);
    key = await generateAuditSigningKey();
    await createAuditWriter(t.store, { service: 'cbp' }).append(entries(5, (i) => ({ requestId: `req-${i}` })));
    const [head] = await t.store.query(sql`SELECT seq, hash FROM audit.events WHERE chain = 'cbp' AND seq = 5`);
    await recordCheckpoints(t.store, [await signCheckpoint(key, { chain: 'cbp', seq: 5, headHash: String(head?.['hash']), at: new Date(), kind: 'PERIODIC' })]);
  });
  afterAll(async () => t.dispose());

  it.each([
    ['UPDATE', `UPDATE audit.events SET reason = 'edited' WHERE seq = 2`],
    ['DELETE', `DELETE FROM audit.events WHERE seq = 5`],
    ['TRUNCATE', `TRUNCATE audit.events`],
    ['UPDATE', `UPDATE audit.checkpoints SET seq = 1`],
    ['DELETE', `DELETE FROM audit.checkpoints`],
    ['TRUNCATE', `TRUNCATE audit.checkpoints`],
  ])('refuses %s: %s', async (operation, statement) => {
    await expect(t.store.exec(statement)).rejects.toThrow(new RegExp(`append-only: ${operation} refused`));
    const [counts] = await t.store.query(sql`SELECT (SELECT count(*) FROM audit.events) AS events, (SELECT count(*) FROM audit.checkpoints) AS checkpoints`);
    expect(counts).toEqual({ events: 5, checkpoints: 1 });
  });

  it('refuses a DELETE even with the purge setting forged, unless a retention checkpoint covers the rows', async () => {
    await expect(
      t.store.transaction(async (tx) => {
        await tx.exec(`SELECT set_config('audit.purge_through', E'cbp\\n4', true)`);
        await tx.exec(`DELETE FROM audit.events WHERE seq <= 2`);
      }),
    ).rejects.toThrow(/append-only: DELETE refused/);
  });

  it('lets the retention function purge only behind a RETENTION checkpoint, and never the head', async () => {
    await expect(t.store.query(sql`SELECT audit.purge_events('cbp', 2)`)).rejects.toThrow(/no RETENTION checkpoint/);
    const [head] = await t.store.query(sql`SELECT hash FROM audit.events WHERE chain = 'cbp' AND seq = 5`);
    await recordCheckpoints(t.store, [await signCheckpoint(key, { chain: 'cbp', seq: 5, headHash: String(head?.['hash']), at: new Date(), kind: 'RETENTION' })]);
    await expect(t.store.query(sql`SELECT audit.purge_events('cbp', 5)`)).rejects.toThrow(/would remove its head/);
    const [count] = await t.store.query(sql`SELECT count(*) AS n FROM audit.events`);
    expect(count).toEqual({ n: 5 });
  });
});
