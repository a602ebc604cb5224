import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditWriter, generateAuditSigningKey, publicJwksOf, signCheckpoint, type AuditSigningKey } from '../../lib/audit/index.js';
import { recordCheckpoints } from '../../lib/audit/checkpoints.js';
import { indexPass } from '../../lib/audit/indexer.js';
import { startIndexer } from '../../lib/audit/indexer-run.js';
import type { Queryable, Store } from '../../lib/store/index.js';
import { sql } from '../../lib/store/index.js';
import { entries } from './entries.js';
import { appendEvents } from './event-rows.js';
import { openTestStore, STORE_KINDS, tamper, type TestStore } from './stores.js';

/** The background indexer: items copied in chain order, every event verified on the way. */
describe.each(STORE_KINDS)('audit indexer on %s', (kind) => {
  let t: TestStore;
  let key: AuditSigningKey;
  const pass = () => indexPass(t.store, { jwks: publicJwksOf(key), batchEvents: 2 });
  const state = async (chain: string) => (await t.store.query(sql`SELECT * FROM audit.index_state WHERE chain = ${chain}`))[0];
  const itemIds = async (chain: string) =>
    (await t.store.query(sql`SELECT seq, item FROM audit.access_items WHERE chain = ${chain} ORDER BY seq, item`)).map((r) => `${String(r['seq'])}.${String(r['item'])}`);

  beforeAll(async () => {
    t = await openTestStore(kind);
    key = await generateAuditSigningKey();
  });
  afterAll(async () => t.dispose());
  beforeEach(async () => {
    await tamper(t.store, 'TRUNCATE audit.events, audit.access_items, audit.index_state, audit.checkpoints RESTART IDENTITY');
  });

  /** Five events on chain cbp holding 1, 3, 2, 1, 2 items. */
  const fiveEvents = () =>
    appendEvents(t.store, 'cbp', [
      { items: [{ recordId: 'a' }] },
      { header: { requestId: 'req-2', subject: { iss: 'i', sub: 'officer-9', agency: 'ICE', org: 'ice-ero', roles: [] } }, items: [{ recordId: 'b', personId: 'p-7' }, { recordId: 'c', personId: null, decision: 'DENY' }, { recordId: 'd' }] },
      { items: [{ recordId: 'e' }, { recordId: 'f' }] },
      { items: [{ recordId: 'g' }] },
      { items: [{ recordId: 'h' }, { recordId: 'i' }] },
    ]);

  it('indexes every item of every chain, in order, with the header columns of its event', async () => {
    await fiveEvents();
    await appendEvents(t.store, 'ice', [{ header: { service: 'ice' }, items: [{ recordId: 'x' }] }]);
    const result = await pass();
    expect(result).toEqual({ events: 6, items: 10, broken: [] });
    expect(await itemIds('cbp')).toEqual(['1.0', '2.0', '2.1', '2.2', '3.0', '3.1', '4.0', '5.0', '5.1']);
    const rows = await t.store.query(sql`SELECT * FROM audit.access_items WHERE chain = 'cbp' AND seq = 2 ORDER BY item`);
    expect(rows.map((r) => [r['record_id'], r['person_id'], r['decision'], r['subject_sub'], r['agency'], r['request_id'], r['action']])).toEqual([
      ['b', 'p-7', 'ALLOW', 'officer-9', 'ICE', 'req-2', 'READ'],
      ['c', null, 'DENY', 'officer-9', 'ICE', 'req-2', 'READ'],
      ['d', 'p-1', 'ALLOW', 'officer-9', 'ICE', 'req-2', 'READ'],
    ]);
    const [head] = await t.store.query(sql`SELECT hash FROM audit.events WHERE chain = 'cbp' AND seq = 5`);
    const s = await state('cbp');
    expect([Number(s?.['indexed_seq']), s?.['indexed_hash'], s?.['verified'], Number(s?.['events_checked']), Number(s?.['items_checked'])]).toEqual([5, head?.['hash'], true, 5, 9]);
  });

  it('goes on from where it stopped and indexes each event once', async () => {
    await fiveEvents();
    await pass();
    expect(await pass()).toEqual({ events: 0, items: 0, broken: [] });
    await appendEvents(t.store, 'cbp', [{ items: [{ recordId: 'j' }, { recordId: 'k' }] }]);
    expect(await pass()).toEqual({ events: 1, items: 2, broken: [] });
    expect((await itemIds('cbp')).slice(-2)).toEqual(['6.0', '6.1']);
  });

  it('stops at an event whose item was altered, indexing nothing of it or after it', async () => {
    await fiveEvents();
    await tamper(t.store, `UPDATE audit.events SET items = replace(items, '"f"', '"forged"') WHERE chain = 'cbp' AND seq = 3`);
    const result = await pass();
    expect(result.broken).toEqual(['cbp']);
    expect(await itemIds('cbp')).toEqual(['1.0', '2.0', '2.1', '2.2']);
    const s = await state('cbp');
    expect([Number(s?.['indexed_seq']), s?.['verified'], s?.['problem'], s?.['broken_at']]).toEqual([2, false, 'ALTERED', 'cbp:3']);
    // It does not skip past the break later, even once more events arrive.
    await appendEvents(t.store, 'cbp', [{ items: [{ recordId: 'z' }] }]);
    expect((await pass()).events).toBe(0);
    expect(await itemIds('cbp')).toHaveLength(4);
  });

  it('stops at an event whose header was altered', async () => {
    await fiveEvents();
    await tamper(t.store, `UPDATE audit.events SET purpose = 'OTHER' WHERE chain = 'cbp' AND seq = 4`);
    await pass();
    const s = await state('cbp');
    expect([Number(s?.['indexed_seq']), s?.['problem'], s?.['broken_at']]).toEqual([3, 'ALTERED', 'cbp:4']);
  });

  it('stops at a removed event (MISSING) and at a rewritten link (REORDERED)', async () => {
    await fiveEvents();
    await appendEvents(t.store, 'ice', [{ items: [{}] }, { items: [{}] }]);
    await tamper(t.store, `DELETE FROM audit.events WHERE chain = 'cbp' AND seq = 3;
      UPDATE audit.events SET prev_hash = repeat('a', 64) WHERE chain = 'ice' AND seq = 2`);
    expect((await pass()).broken).toEqual(['cbp', 'ice']);
    const cbp = await state('cbp');
    expect([Number(cbp?.['indexed_seq']), cbp?.['problem'], cbp?.['broken_at']]).toEqual([2, 'MISSING', 'cbp:3']);
    const ice = await state('ice');
    expect([Number(ice?.['indexed_seq']), ice?.['problem'], ice?.['broken_at']]).toEqual([1, 'REORDERED', 'ice:2']);
  });

  it('reports a row no writer could store as MALFORMED', async () => {
    await fiveEvents();
    await tamper(t.store, `UPDATE audit.events SET items = '[["a"]]' WHERE chain = 'cbp' AND seq = 1`);
    await pass();
    const s = await state('cbp');
    expect([Number(s?.['indexed_seq']), s?.['problem'], s?.['broken_at']]).toEqual([0, 'MALFORMED', 'cbp:1']);
  });

  it('starts after a retention cut only where a signed RETENTION checkpoint explains it', async () => {
    await fiveEvents();
    const [third] = await t.store.query(sql`SELECT hash FROM audit.events WHERE chain = 'cbp' AND seq = 3`);
    await tamper(t.store, `DELETE FROM audit.events WHERE chain = 'cbp' AND seq <= 3`);
    await pass();
    expect((await state('cbp'))?.['problem']).toBe('UNEXPLAINED_START');

    await tamper(t.store, 'TRUNCATE audit.index_state, audit.access_items');
    const checkpoint = await signCheckpoint(key, { chain: 'cbp', seq: 3, headHash: String(third?.['hash']), at: new Date(), kind: 'RETENTION' });
    await t.store.transaction((tx) => recordCheckpoints(tx, [checkpoint]));
    expect((await pass()).broken).toEqual([]);
    expect(await itemIds('cbp')).toEqual(['4.0', '5.0', '5.1']);
    expect(Number((await state('cbp'))?.['first_seq'])).toBe(4);
  });

  it('drops the items of events retention purged after they were indexed, behind a signed cut only', async () => {
    await fiveEvents();
    await pass();
    const [second] = await t.store.query(sql`SELECT hash FROM audit.events WHERE chain = 'cbp' AND seq = 2`);
    await tamper(t.store, `DELETE FROM audit.events WHERE chain = 'cbp' AND seq <= 2`);
    // No checkpoint: removed by someone, not by retention. The items stay; the chain is broken.
    expect((await pass()).broken).toEqual(['cbp']);
    expect(await itemIds('cbp')).toHaveLength(9);
    expect((await state('cbp'))?.['problem']).toBe('UNEXPLAINED_START');

    await tamper(t.store, `UPDATE audit.index_state SET verified = true, problem = NULL, broken_at = NULL, reason = NULL`);
    const checkpoint = await signCheckpoint(key, { chain: 'cbp', seq: 2, headHash: String(second?.['hash']), at: new Date(), kind: 'RETENTION' });
    await t.store.transaction((tx) => recordCheckpoints(tx, [checkpoint]));
    expect((await pass()).broken).toEqual([]);
    expect(await itemIds('cbp')).toEqual(['3.0', '3.1', '4.0', '5.0', '5.1']);
    expect(Number((await state('cbp'))?.['first_seq'])).toBe(3);
  });

  it('verifies legacy entries (version 1) with their original hash, and the events chained after them', async () => {
    await appendEvents(t.store, 'cbp', [{ items: [{ recordId: 'old-1' }] }, { items: [{ recordId: 'old-2' }] }], true);
    await appendEvents(t.store, 'cbp', [{ items: [{ recordId: 'new-1' }, { recordId: 'new-2' }] }]);
    expect(await pass()).toEqual({ events: 3, items: 4, broken: [] });
    await tamper(t.store, `UPDATE audit.events SET items = replace(items, 'old-2', 'old-x') WHERE chain = 'cbp' AND seq = 2`);
    await tamper(t.store, 'TRUNCATE audit.index_state, audit.access_items');
    await pass();
    const s = await state('cbp');
    expect([Number(s?.['indexed_seq']), s?.['problem'], s?.['broken_at']]).toEqual([1, 'ALTERED', 'cbp:2']);
  });

  it('verifies and indexes what the audit writer writes (one event per append and header)', async () => {
    const writer = createAuditWriter(t.store, { service: 'ice' });
    await writer.append(entries(4, (i) => ({ personId: `person-${i}` })));
    await writer.append([...entries(2, () => ({ requestId: 'req-b' })), ...entries(1, () => ({ requestId: 'req-b', recordType: 'Person', decision: 'DENY' }))]);
    const result = await pass();
    expect(result.broken).toEqual([]);
    expect(result.items).toBe(7);
    const rows = await t.store.query(sql`SELECT request_id, record_type, record_id, person_id, decision FROM audit.access_items ORDER BY seq, item`);
    expect(rows.map((r) => `${String(r['request_id'])}/${String(r['record_type'])}/${String(r['record_id'])}/${String(r['person_id'])}/${String(r['decision'])}`)).toEqual([
      'req-00000001/Route/route-1/person-0/ALLOW',
      'req-00000001/Route/route-2/person-1/ALLOW',
      'req-00000001/Route/route-3/person-2/ALLOW',
      'req-00000001/Route/route-4/person-3/ALLOW',
      'req-b/Route/route-1/null/ALLOW',
      'req-b/Route/route-2/null/ALLOW',
      'req-b/Person/route-1/null/DENY',
    ]);
  });

  /** The store, recording the text of every statement sent through it, in its transactions too. */
  const recording = (): { readonly store: Store; readonly texts: string[] } => {
    const texts: string[] = [];
    const recorded = <T extends Queryable>(db: T): T =>
      Object.create(db, {
        query: { value: (statement: Parameters<Queryable['query']>[0]) => {
          texts.push(statement.text);
          return db.query(statement);
        } },
      }) as T;
    const store: Store = Object.create(recorded(t.store), {
      transaction: { value: <R>(work: (tx: Queryable) => Promise<R>) => t.store.transaction((tx) => work(recorded(tx))) },
    }) as Store;
    return { store, texts };
  };

  it('paces its passes at intervalMs while events keep arriving, and still indexes every one', async () => {
    const { store: counted, texts } = recording();
    // Counts the passes by their first statement (the chain heads).
    const passCount = () => texts.filter((text) => text.includes('WITH RECURSIVE chains')).length;
    const writer = createAuditWriter(t.store, { service: 'ice', chainId: 'paced' });
    const indexer = startIndexer(counted, { jwks: publicJwksOf(key), intervalMs: 150 });
    const started = Date.now();
    let appended = 0;
    try {
      // An event every ~10 ms for 900 ms: back to back, every pass would find work and go again.
      while (Date.now() - started < 900) {
        await writer.append(entries(1, () => ({ requestId: `req-paced-${appended}` })));
        appended += 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const elapsed = Date.now() - started;
      const passes = passCount();
      expect(passes).toBeLessThanOrEqual(Math.ceil(elapsed / 150) + 2);
      expect(passes).toBeGreaterThanOrEqual(2);
      indexer.wake();
      await indexer.nextPass();
    } finally {
      await indexer.stop();
    }
    expect(await itemIds('paced')).toHaveLength(appended);
  });

  it('creates a chain\'s state row once, and copies each batch\'s items in the statement that moves its state', async () => {
    const { store: counted, texts } = recording();
    const countOf = (pattern: RegExp) => texts.filter((text) => pattern.test(text)).length;
    await fiveEvents();
    await indexPass(counted, { jwks: publicJwksOf(key), batchEvents: 2 });
    await appendEvents(t.store, 'cbp', [{ items: [{ recordId: 'j' }] }]);
    await indexPass(counted, { jwks: publicJwksOf(key), batchEvents: 2 });
    expect(await itemIds('cbp')).toEqual(['1.0', '2.0', '2.1', '2.2', '3.0', '3.1', '4.0', '5.0', '5.1', '6.0']);
    expect(countOf(/INSERT INTO audit\.index_state/)).toBe(1);
    // Four batches (2 + 2 + 1 events, then 1): each copy is one statement with its state's UPDATE.
    expect(countOf(/INSERT INTO audit\.access_items/)).toBe(4);
    expect(countOf(/UPDATE audit\.index_state/)).toBe(4);
    expect(texts.filter((text) => /INSERT INTO audit\.access_items/.test(text)).every((text) => /UPDATE audit\.index_state/.test(text))).toBe(true);
  });

  it('never indexes an event twice when two indexers run at once', async () => {
    await fiveEvents();
    await Promise.all([pass(), pass(), pass()]);
    expect(await itemIds('cbp')).toEqual(['1.0', '2.0', '2.1', '2.2', '3.0', '3.1', '4.0', '5.0', '5.1']);
    expect(Number((await state('cbp'))?.['events_checked'])).toBe(5);
  });
});
