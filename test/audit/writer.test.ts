import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuditWriter, verifyChains, type AuditWriter } from '../../lib/audit/index.js';
import { TributaryError } from '../../lib/errors.js';
import { openPglite, openPostgres, sql, type Queryable, type Store } from '../../lib/store/index.js';
import { anEntry, entries } from './entries.js';
import { openTestStore, STORE_KINDS, type TestStore } from './stores.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const NO_KEYS = { jwks: { keys: [] } };

/** One row per stored entry (an event's item; the audit.entries view), in chain order. */
async function chainRows(store: Store, chain: string): Promise<{ seq: number; item: number; request_id: string }[]> {
  const rows = await store.query(sql`SELECT seq, item, request_id FROM audit.entries WHERE chain = ${chain} ORDER BY seq, item`);
  return rows.map((row) => ({ seq: Number(row['seq']), item: Number(row['item']), request_id: String(row['request_id']) }));
}

/** The chain's events: seq and number of items, in chain order. */
async function chainEvents(store: Store, chain: string): Promise<[seq: number, items: number][]> {
  const rows = await store.query(sql`SELECT seq, item_count FROM audit.events WHERE chain = ${chain} ORDER BY seq`);
  return rows.map((row) => [Number(row['seq']), Number(row['item_count'])]);
}

describe.each(STORE_KINDS)('the audit writer on %s', (kind) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(kind);
  });
  afterAll(async () => t.dispose());

  it('appends entries that then verify as one unbroken chain', async () => {
    const writer = createAuditWriter(t.store, { service: 'cbp', chainId: 'append-verify' });
    await writer.append(entries(3));
    await writer.append([anEntry({ recordId: 'route-4' })]);
    // One event per call (same request, service, action, record type), one item per entry.
    expect(await chainEvents(t.store, 'append-verify')).toEqual([[1, 3], [2, 1]]);
    expect((await chainRows(t.store, 'append-verify')).map((row) => `${row.seq}.${row.item}`)).toEqual(['1.0', '1.1', '1.2', '2.0']);
    const status = await verifyChains(t.store, NO_KEYS);
    expect(status.valid).toBe(true);
    expect(status.chains.find((c) => c.chain === 'append-verify')).toMatchObject({ valid: true, checkedEntries: 4, checkedEvents: 2, headSeq: 2 });
  });

  it("stores a page's items compressed with lz4 on PostgreSQL, and reads them back as hashed (migration 012)", async () => {
    const writer = createAuditWriter(t.store, { service: 'ice', chainId: 'items-lz4' });
    await writer.append(entries(200));
    const [row] = await t.store.query(sql`SELECT pg_column_compression(items) AS method, length(items) AS chars FROM audit.events WHERE chain = 'items-lz4'`);
    // Large enough to be compressed at all; PGlite is built without lz4 and keeps pglz.
    expect(Number(row?.['chars'])).toBeGreaterThan(8_000);
    expect(row?.['method']).toBe(kind === 'postgres' ? 'lz4' : 'pglz');
    const status = await verifyChains(t.store, NO_KEYS);
    expect(status.chains.find((c) => c.chain === 'items-lz4')).toMatchObject({ valid: true, checkedEntries: 200 });
  });

  it('writes a page of 500 entries in the same number of round trips as one entry', async () => {
    const writer = createAuditWriter(t.store, { service: 'ice', chainId: 'batching' });
    const before1 = t.store.roundTrips;
    await writer.append(entries(1));
    const forOne = t.store.roundTrips - before1;
    const before500 = t.store.roundTrips;
    await writer.append(entries(500));
    const forFiveHundred = t.store.roundTrips - before500;
    // The first append reads the head under the lock (BEGIN, lock_chain, append, COMMIT); the
    // next ones build on the head they left: one statement, whatever the number of entries.
    expect(forOne).toBe(4);
    expect(forFiveHundred).toBe(1);
    expect(await chainRows(t.store, 'batching')).toHaveLength(501);
  });

  it('chains again from the head when another writer appended since its last commit, never forking the chain', async () => {
    const a = createAuditWriter(t.store, { service: 'cbp', chainId: 'two-writers' });
    const b = createAuditWriter(t.store, { service: 'cbp', chainId: 'two-writers' });
    await a.append(entries(2));
    await b.append(entries(3));
    const before = t.store.roundTrips;
    // a's head (seq 2) is stale: its one-statement append inserts nothing, then it locks and re-chains.
    await a.append(entries(4));
    expect(t.store.roundTrips - before).toBe(1 + 4);
    await b.append(entries(1));
    expect(await chainEvents(t.store, 'two-writers')).toEqual([[1, 2], [2, 3], [3, 4], [4, 1]]);
    const status = await verifyChains(t.store, NO_KEYS);
    expect(status.chains.find((c) => c.chain === 'two-writers')).toMatchObject({ valid: true, checkedEntries: 10, headSeq: 4 });
  });

  it('group-commits concurrent appends into few transactions', async () => {
    const writer = createAuditWriter(t.store, { service: 'gateway', chainId: 'group-commit' });
    const before = t.store.roundTrips;
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append(entries(10, () => ({ requestId: `req-group-${i}` })))));
    // One transaction for the 50 calls issued in the same tick.
    expect(t.store.roundTrips - before).toBe(4);
    const rows = await chainRows(t.store, 'group-commit');
    expect(rows).toHaveLength(500);
    // One call's entries are one event, never mixed with another's.
    expect(await chainEvents(t.store, 'group-commit')).toEqual(Array.from({ length: 50 }, (_, i) => [i + 1, 10]));
    for (let i = 0; i < 50; i += 1) {
      const seqs = new Set(rows.filter((row) => row.request_id === `req-group-${i}`).map((row) => row.seq));
      expect(seqs.size).toBe(1);
    }
  });

  it('keeps calls issued while a transaction is in flight for the next one', async () => {
    const writer = createAuditWriter(t.store, { service: 'gateway', chainId: 'group-commit-2' });
    const first = writer.append(entries(5));
    await Promise.resolve();
    await Promise.resolve();
    const later = Array.from({ length: 20 }, () => writer.append(entries(5)));
    await Promise.all([first, ...later]);
    expect(await chainRows(t.store, 'group-commit-2')).toHaveLength(105);
    expect((await verifyChains(t.store, NO_KEYS)).valid).toBe(true);
  });

  it('rejects an invalid entry alone, without failing the callers it would have shared a commit with', async () => {
    const writer = createAuditWriter(t.store, { service: 'ngo', chainId: 'invalid-entry' });
    const bad = writer.append([anEntry({ decision: 'MAYBE' as 'ALLOW' })]);
    const good = writer.append(entries(2));
    await expect(bad).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    await expect(good).resolves.toBeUndefined();
    expect(await chainRows(t.store, 'invalid-entry')).toHaveLength(2);
  });

  it('records an authentication failure with no subject at all, only the reason', async () => {
    const writer = createAuditWriter(t.store, { service: 'gateway', chainId: 'anonymous' });
    await expect(writer.append([anEntry({ subject: null, action: 'AUTHENTICATE', decision: 'DENY', reason: null })])).rejects.toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
    });
    await writer.append([
      anEntry({ subject: null, action: 'AUTHENTICATE', decision: 'DENY', recordType: null, recordId: null, ownerOrg: null, fieldsReleased: [], reason: 'TOKEN_EXPIRED' }),
    ]);
    const [row] = await t.store.query(sql`SELECT subject_iss, subject_sub, agency, subject_org, roles, reason FROM audit.entries WHERE chain = 'anonymous'`);
    expect(row).toEqual({ subject_iss: null, subject_sub: null, agency: null, subject_org: null, roles: [], reason: 'TOKEN_EXPIRED' });
    expect((await verifyChains(t.store, NO_KEYS)).valid).toBe(true);
  });

  it('stores odd text (NUL, lone surrogates, quotes, emoji) so that it still verifies', async () => {
    const writer = createAuditWriter(t.store, { service: 'partner', chainId: 'odd-text' });
    await writer.append([anEntry({ operationName: 'a\u0000b\ud800c"\'\\ 🦎', justification: 'case\ndq', fieldsReleased: ['\udfff', ''] })]);
    const [row] = await t.store.query(sql`SELECT operation_name, fields_released FROM audit.entries WHERE chain = 'odd-text'`);
    expect(row).toEqual({ operation_name: 'a\ufffdb\ufffdc"\'\\ 🦎', fields_released: ['\ufffd', ''] });
    expect((await verifyChains(t.store, NO_KEYS)).valid).toBe(true);
  });

  it('rejects every caller of a failed transaction and commits none of their entries', async () => {
    const writer = createAuditWriter(failingInsert(t.store), { service: 'cbp', chainId: 'failed-batch' });
    const calls = [writer.append(entries(3)), writer.append(entries(4))];
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE', message: 'The audit log could not be written; nothing was released' });
    const error = await writer.append(entries(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).cause).toBeInstanceOf(Error);
    expect(await chainRows(t.store, 'failed-batch')).toHaveLength(0);
  });

  it('sends the next append while the previous one commits, chained on the head that one leaves', async () => {
    const gated = gatedAppends(t.store);
    const writer = createAuditWriter(gated.store, { service: 'ice', chainId: 'pipelined' });
    await writer.append(entries(1));
    gated.hold();
    const first = writer.append(entries(2));
    await until(() => gated.waiting === 1);
    const second = writer.append(entries(3));
    // The second is sent before the first has answered: two appends in flight, not one.
    await until(() => gated.waiting === 2);
    const third = writer.append(entries(4));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // ...and no more than two: the third waits for one of them to end.
    expect(gated.waiting).toBe(2);
    gated.release();
    await Promise.all([first, second, third]);
    // On PostgreSQL the two appends in flight race for the chain's lock: when the second gets it
    // first, it finds a head it was not chained on, inserts nothing, and is chained again behind
    // whatever committed meanwhile. So the order of the last three may differ; each is one whole
    // event, and the chain never forks.
    const events = await chainEvents(t.store, 'pipelined');
    expect(events[0]).toEqual([1, 1]);
    expect(events.map(([seq]) => seq)).toEqual([1, 2, 3, 4]);
    expect(events.map(([, items]) => items).sort()).toEqual([1, 2, 3, 4]);
    expect((await verifyChains(t.store, NO_KEYS)).chains.find((c) => c.chain === 'pipelined')).toMatchObject({ valid: true, checkedEntries: 10 });
  });

  it('re-reads the head under the lock for an append sent behind one that failed, and its callers still succeed', async () => {
    const gated = gatedAppends(t.store);
    const writer = createAuditWriter(gated.store, { service: 'ice', chainId: 'pipelined-failure' });
    await writer.append(entries(1));
    gated.hold();
    gated.failNext();
    const failed = writer.append(entries(2));
    await until(() => gated.waiting === 1);
    const behind = writer.append(entries(3));
    await until(() => gated.waiting === 2);
    gated.release();
    await expect(failed).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    // Chained on entries that never landed, it finds another head, and is chained again from it.
    await expect(behind).resolves.toBeUndefined();
    expect(await chainEvents(t.store, 'pipelined-failure')).toEqual([[1, 1], [2, 3]]);
    expect((await verifyChains(t.store, NO_KEYS)).chains.find((c) => c.chain === 'pipelined-failure')).toMatchObject({ valid: true, checkedEntries: 4 });
  });

  it('never forks a chain when several writers append to it at once', async () => {
    const writers: AuditWriter[] = Array.from({ length: 4 }, () => createAuditWriter(t.store, { service: 'gateway', chainId: 'contended' }));
    const extraStores: Store[] = [];
    if (t.databaseUrl !== undefined) {
      // Several pools stand for several processes (gateway replicas): only the database lock orders them.
      for (let i = 0; i < 3; i += 1) {
        const store = openPostgres({ connectionString: t.databaseUrl, poolSize: 4 });
        extraStores.push(store);
        writers.push(createAuditWriter(store, { service: 'gateway', chainId: 'contended' }));
      }
    }
    const calls = writers.flatMap((writer, w) =>
      Array.from({ length: 20 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        await writer.append(entries(7, () => ({ requestId: `req-w${w}-c${i}` })));
      }),
    );
    await Promise.all(calls);
    await Promise.all(extraStores.map((store) => store.close()));
    expect(await chainEvents(t.store, 'contended')).toEqual(Array.from({ length: writers.length * 20 }, (_, i) => [i + 1, 7]));
    const status = await verifyChains(t.store, NO_KEYS);
    expect(status.chains.find((c) => c.chain === 'contended')).toMatchObject({ valid: true, checkedEntries: writers.length * 140 });
  });

  it('fails closed when its store has been closed', async () => {
    const closable = kind === 'pglite' ? await openPglite() : openPostgres({ connectionString: t.databaseUrl! });
    await closable.close();
    const writer = createAuditWriter(closable, { service: 'cbp', timeoutMs: 2_000 });
    await expect(writer.append(entries(1))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
  });
});

describe('the audit writer when the store is unreachable or hangs', () => {
  it('rejects with AUDIT_UNAVAILABLE when PostgreSQL cannot be reached', async () => {
    const store = openPostgres({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres' });
    const writer = createAuditWriter(store, { service: 'cbp' });
    const started = Date.now();
    await expect(writer.append(entries(2))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(5_500);
    await store.close();
  });

  it('rejects within its timeout when the store never answers, and drops the abandoned entries', async () => {
    let release: () => void = () => undefined;
    const hung: Store = {
      kind: 'postgres',
      roundTrips: 0,
      query: () => new Promise(() => undefined),
      exec: () => new Promise(() => undefined),
      transaction: () =>
        new Promise((_, reject) => {
          release = () => reject(new Error('connection reset'));
        }),
      close: async () => undefined,
    };
    const writer = createAuditWriter(hung, { service: 'cbp', timeoutMs: 200 });
    const started = Date.now();
    const first = writer.append(entries(1));
    const queued = writer.append(entries(1));
    await expect(first).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    await expect(queued).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1_000);
    release();
  });
});

/**
 * A store whose one-statement appends (outside a transaction) can be held before they are sent,
 * or made to fail without running, as a connection lost before the statement arrived would.
 */
function gatedAppends(store: Store): { store: Store; waiting: number; hold(): void; release(): void; failNext(): void } {
  let gate: Promise<void> | undefined;
  let open: () => void = () => undefined;
  let failNext = false;
  const state = {
    waiting: 0,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open();
    },
    failNext() {
      failNext = true;
    },
    store: {
      kind: store.kind,
      get roundTrips() {
        return store.roundTrips;
      },
      async query(statement) {
        if (!statement.text.includes('audit.append_events')) return store.query(statement);
        const fail = failNext;
        failNext = false;
        state.waiting += 1;
        if (gate) await gate;
        if (fail) throw new Error('connection terminated unexpectedly');
        return store.query(statement);
      },
      exec: (script) => store.exec(script),
      transaction: (work) => store.transaction(work),
      close: () => store.close(),
    } satisfies Store,
  };
  return state;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

/** A store whose INSERT into the audit log runs and then fails, as a lost connection mid-commit would. */
function failingInsert(store: Store): Store {
  return {
    kind: store.kind,
    get roundTrips() {
      return store.roundTrips;
    },
    query: (statement) => store.query(statement),
    exec: (script) => store.exec(script),
    transaction: (work) =>
      store.transaction((tx) => {
        const wrapped: Queryable = {
          async query(statement) {
            const rows = await tx.query(statement);
            if (statement.text.includes('audit.append_events')) throw new Error('server closed the connection unexpectedly');
            return rows;
          },
          exec: (script) => tx.exec(script),
        };
        return work(wrapped);
      }),
    close: () => store.close(),
  };
}
