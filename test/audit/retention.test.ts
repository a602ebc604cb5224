import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditWriter, generateAuditSigningKey, publicJwksOf, purgeBefore, retentionCutoff, verifyChains, type AuditSigningKey } from '../../lib/audit/index.js';
import { readSettings } from '../../lib/config.js';
import { sql } from '../../lib/store/index.js';
import { entries } from './entries.js';
import { openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

const DAY = 86_400_000;
const NOW = new Date('2025-06-01T12:00:00.000Z');
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * DAY);

describe.each(STORE_KINDS)('retention on %s', (kind) => {
  let t: TestStore;
  let key: AuditSigningKey;
  const seqs = async (chain: string): Promise<number[]> =>
    (await t.store.query(sql`SELECT seq FROM audit.events WHERE chain = ${chain} ORDER BY seq`)).map((row) => Number(row['seq']));

  beforeAll(async () => {
    t = await openTestStore(kind);
    key = await generateAuditSigningKey();
  });
  afterAll(async () => t.dispose());
  beforeEach(async () => {
    await tamper(t.store, 'TRUNCATE audit.events, audit.checkpoints RESTART IDENTITY');
    // An entry a day for the last 100 days on one chain, a few old ones on another: each its own
    // event, since the time is part of an event's header.
    await createAuditWriter(t.store, { service: 'ice' }).append(entries(100, (i) => ({ at: daysAgo(100 - i) })));
    await createAuditWriter(t.store, { service: 'cbp' }).append(entries(3, (i) => ({ at: daysAgo(400 + i) })));
  });

  it('removes entries older than the cut-off and leaves a chain that still verifies', async () => {
    const results = await purgeBefore(t.store, daysAgo(30), { key });
    expect(results.find((r) => r.chain === 'ice')).toMatchObject({ through: 70, removed: 70, checkpoint: { kind: 'RETENTION', seq: 70 } });
    expect((await seqs('ice'))[0]).toBe(71);
    // The head of a chain stays, however old, so that appends continue from it.
    expect(await seqs('cbp')).toEqual([3]);
    expect(await verifyChains(t.store, { jwks: publicJwksOf(key) })).toMatchObject({ valid: true, checkedEntries: 30 + 1 });
  });

  it('keeps verifying after more appends and a second purge', async () => {
    await purgeBefore(t.store, daysAgo(60), { key });
    await createAuditWriter(t.store, { service: 'ice' }).append(entries(5));
    await purgeBefore(t.store, daysAgo(30), { key });
    // 30 daily events, and the five new entries in one event.
    expect(await seqs('ice')).toHaveLength(31);
    expect(await verifyChains(t.store, { jwks: publicJwksOf(key) })).toMatchObject({ valid: true });
  });

  it('still detects entries removed beyond the signed cut', async () => {
    await purgeBefore(t.store, daysAgo(30), { key });
    await tamper(t.store, `DELETE FROM audit.events WHERE chain = 'ice' AND seq <= 75`);
    expect(await verifyChains(t.store, { jwks: publicJwksOf(key) })).toMatchObject({ valid: false, firstBrokenEntry: 'ice:71', problem: 'UNEXPLAINED_START' });
  });

  it('does nothing when nothing is old enough', async () => {
    expect(await purgeBefore(t.store, daysAgo(1000), { key })).toEqual([]);
    expect(await seqs('ice')).toHaveLength(100);
  });
});

describe('the retention setting', () => {
  it('keeps everything forever by default', () => {
    expect(retentionCutoff(readSettings({}).auditRetentionDays, NOW)).toBeNull();
    expect(retentionCutoff(readSettings({ AUDIT_RETENTION_DAYS: '' }).auditRetentionDays, NOW)).toBeNull();
  });

  it('turns AUDIT_RETENTION_DAYS into a cut-off', () => {
    expect(retentionCutoff(readSettings({ AUDIT_RETENTION_DAYS: '365' }).auditRetentionDays, NOW)).toEqual(daysAgo(365));
  });

  it('names the variable when it is malformed', () => {
    expect(() => readSettings({ AUDIT_RETENTION_DAYS: 'a year' })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(() => readSettings({ AUDIT_RETENTION_DAYS: '0' })).toThrow(/AUDIT_RETENTION_DAYS/);
  });
});
