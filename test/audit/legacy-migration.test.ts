import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter, generateAuditSigningKey, publicJwksOf, signCheckpoint, verifyChains, type AuditSigningKey } from '../../lib/audit/index.js';
import { entryHash, GENESIS_HASH } from '../../lib/audit/chain.js';
import { recordCheckpoints } from '../../lib/audit/checkpoints.js';
import { normalizeEntry, type AuditContent } from '../../lib/audit/entry.js';
import { sql, type Store } from '../../lib/store/index.js';
import { anEntry, entries } from './entries.js';
import { migrateAudit, openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

/**
 * A log written before events existed (one chained row per record in audit.entries) goes
 * through migration 004 into audit.events as version-1 rows with their original hashes: it must
 * still verify, against a checkpoint signed before the migration too, and the first event must
 * chain on from the last legacy entry.
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

describe.each(STORE_KINDS)('migrating a legacy log into events on %s', (kind) => {
  let t: TestStore;
  let key: AuditSigningKey;
  const verify = () => verifyChains(t.store, { jwks: publicJwksOf(key) });

  beforeAll(async () => {
    t = await openTestStore(kind, { through: '003_events' });
    key = await generateAuditSigningKey();
    const now = new Date('2026-01-02T03:04:05.678Z');
    const legacy = [
      anEntry({ recordId: 'route-1' }),
      anEntry({ recordId: 'route-2', decision: 'PARTIAL', fieldsRedacted: ['path'], justification: 'quote " and \\ backslash' }),
      anEntry({ subject: null, action: 'AUTHENTICATE', decision: 'DENY', recordType: null, recordId: null, ownerOrg: null, fieldsReleased: [], reason: 'TOKEN_EXPIRED' }),
    ].map((entry) => normalizeEntry(entry, now));
    const head = await writeLegacyEntries(t.store, 'cbp', legacy);
    await recordCheckpoints(t.store, [await signCheckpoint(key, { chain: 'cbp', seq: 3, headHash: head, at: now, kind: 'PERIODIC' })]);
    await migrateAudit(t.store, { from: '004' });
    await createAuditWriter(t.store, { service: 'cbp' }).append(entries(4));
  });
  afterAll(async () => t.dispose());

  it('keeps every legacy entry as a version-1 event with its hash, and chains the first event on from it', async () => {
    const rows = await t.store.query(sql`SELECT seq, version, item_count, items_root IS NULL AS no_root FROM audit.events WHERE chain = 'cbp' ORDER BY seq`);
    expect(rows).toEqual([
      { seq: 1, version: 1, item_count: 1, no_root: true },
      { seq: 2, version: 1, item_count: 1, no_root: true },
      { seq: 3, version: 1, item_count: 1, no_root: true },
      { seq: 4, version: 2, item_count: 4, no_root: false },
    ]);
    expect(await verify()).toMatchObject({ valid: true, checkedEntries: 3 + 4, checkedEvents: 4, chains: [{ chain: 'cbp', checkpointsChecked: 1 }] });
  });

  it('shows a legacy entry through the per-item view as it was', async () => {
    const [row] = await t.store.query(sql`SELECT item, record_id, decision, fields_redacted, justification FROM audit.entries WHERE chain = 'cbp' AND seq = 2`);
    expect(row).toEqual({ item: 0, record_id: 'route-2', decision: 'PARTIAL', fields_redacted: ['path'], justification: 'quote " and \\ backslash' });
  });

  it('detects a legacy entry altered after the migration', async () => {
    await tamper(t.store, `UPDATE audit.events SET items = replace(items, 'route-1', 'route-9') WHERE chain = 'cbp' AND seq = 1`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenEntry: 'cbp:1', problem: 'ALTERED' });
  });
});
