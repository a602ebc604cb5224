import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter, generateAuditSigningKey, publicJwksOf, signCheckpoint, startCheckpointer, type AuditSigningKey } from '../../lib/audit/index.js';
import { entryHash, GENESIS_HASH } from '../../lib/audit/chain.js';
import { recordCheckpoints } from '../../lib/audit/checkpoints.js';
import { normalizeEntry, type AuditContent } from '../../lib/audit/entry.js';
import { buildProof } from '../../lib/audit/proof-build.js';
import { verifyProof } from '../../lib/audit/proof-verify.js';
import { sql, type Store } from '../../lib/store/index.js';
import { anEntry, entries } from './entries.js';
import { migrateAudit, openTestStore, STORE_KINDS, type TestStore } from './stores.js';

/**
 * Proofs over the log as the system really writes it: entries written before events existed,
 * migrated by 004 into version-1 rows under a checkpoint signed before the migration, followed
 * by events from the real writer under the real checkpointer. Every item of every event proves.
 */
async function writeLegacyEntries(store: Store, chain: string, contents: readonly AuditContent[]): Promise<string> {
  let prev = GENESIS_HASH;
  for (const [i, c] of contents.entries()) {
    const seq = i + 1;
    const hash = entryHash(chain, seq, c, prev);
    await store.query(sql`
      INSERT INTO audit.entries (chain, seq, at, request_id, operation_name, operation_hash, subject_iss, subject_sub, agency,
        subject_org, roles, purpose, justification, action, record_type, record_id, owner_org, person_id, fields_released,
        fields_redacted, decision, rules, service, reason, prev_hash, hash)
      VALUES (${chain}, ${seq}, ${c.at}, ${c.requestId}, ${c.operationName}, ${c.operationHash}, ${c.subject?.iss ?? null},
        ${c.subject?.sub ?? null}, ${c.subject?.agency ?? null}, ${c.subject?.org ?? null}, ${[...(c.subject?.roles ?? [])]}::text[],
        ${c.purpose}, ${c.justification}, ${c.action}, ${c.recordType}, ${c.recordId}, ${c.ownerOrg}, ${c.personId},
        ${[...c.fieldsReleased]}::text[], ${[...c.fieldsRedacted]}::text[], ${c.decision}, ${[...c.rules]}::text[], ${c.service},
        ${c.reason}, ${prev}, ${hash})`);
    prev = hash;
  }
  return prev;
}

describe.each(STORE_KINDS)('proofs over a migrated legacy log and the real writer on %s', (kind) => {
  let t: TestStore;
  let key: AuditSigningKey;

  beforeAll(async () => {
    t = await openTestStore(kind, { through: '003_events' });
    key = await generateAuditSigningKey();
    const now = new Date('2026-01-02T03:04:05.678Z');
    const legacy = [
      anEntry({ recordId: 'route-1', personId: 'P-1' }),
      anEntry({ recordId: 'route-2', decision: 'PARTIAL', fieldsRedacted: ['path'], justification: 'quote " and \\ backslash, ünïcode' }),
      anEntry({ subject: null, action: 'AUTHENTICATE', decision: 'DENY', recordType: null, recordId: null, ownerOrg: null, fieldsReleased: [], reason: 'TOKEN_EXPIRED' }),
    ].map((entry) => normalizeEntry(entry, now));
    const head = await writeLegacyEntries(t.store, 'cbp', legacy);
    await recordCheckpoints(t.store, [await signCheckpoint(key, { chain: 'cbp', seq: 3, headHash: head, at: now, kind: 'PERIODIC' })]);
    await migrateAudit(t.store, { from: '004' });
    const writer = createAuditWriter(t.store, { service: 'cbp' });
    await writer.append(entries(9));
    await writer.append(entries(2, (i) => ({ requestId: 'req-2', recordId: `route-b${i}` })));
    await startCheckpointer(t.store, { key, intervalMs: 60_000 }).checkpointNow();
  });
  afterAll(() => t.dispose());

  it('proves every item, legacy entries under the pre-migration checkpoint, events under the checkpointer\'s', async () => {
    const rows = await t.store.query(sql`SELECT seq, item_count FROM audit.events WHERE chain = 'cbp' ORDER BY seq`);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    let proved = 0;
    for (const row of rows) {
      for (let item = 0; item < Number(row['item_count']); item++) {
        const id = `cbp:${String(row['seq'])}.${item}`;
        const found = await buildProof(t.store, id);
        if (found.kind !== 'proof') throw new Error(`${id}: ${found.kind}`);
        const verdict = await verifyProof(JSON.parse(JSON.stringify(found.proof)), publicJwksOf(key));
        expect(verdict, id).toMatchObject({ valid: true, entry: id });
        if (Number(row['seq']) <= 3) expect(found.proof).toMatchObject({ event: { version: 1 }, checkpoint: { seq: 3 } });
        proved += 1;
      }
    }
    expect(proved).toBe(3 + 9 + 2);
  });
});
