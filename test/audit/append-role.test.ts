import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter, verifyChains } from '../../lib/audit/index.js';
import { lockChain } from '../../lib/audit/chain-rows.js';
import { openPostgres, sql, type Store } from '../../lib/store/index.js';
import { entries } from './entries.js';
import { openTestStore, POSTGRES_SERVER, type TestStore } from './stores.js';

/**
 * AUDIT_DATABASE_URL with the append-only role (migration 006, docs/operations.md): a service
 * holding those credentials appends through audit.append_events and can do nothing else to the
 * log. PostgreSQL only: PGlite is one user in one process, with no credentials to separate.
 */
describe('the append-only role on postgres', () => {
  let t: TestStore;
  let role: string;
  let service: Store;
  const asService = (statement: string): Promise<unknown> => service.exec(statement);

  beforeAll(async () => {
    t = await openTestStore('postgres');
    role = `audit_append_${randomBytes(4).toString('hex')}`;
    // What the operator does once (docs/operations.md): a login role, then the one grant helper.
    await admin(`CREATE ROLE ${role} LOGIN`);
    await t.store.query(sql`SELECT audit.grant_appender(${role})`);
    const url = new URL(t.databaseUrl!);
    url.username = role;
    service = openPostgres({ connectionString: url.toString(), poolSize: 2 });
    await createAuditWriter(t.store, { service: 'cbp' }).append(entries(2));
  });
  afterAll(async () => {
    await service?.close();
    await t?.dispose();
    await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  it('appends through the writer with those credentials, and the chain verifies', async () => {
    const writer = createAuditWriter(service, { service: 'cbp' });
    await writer.append(entries(3, (i) => ({ requestId: `req-role-${i}` })));
    await writer.append(entries(4));
    const [counts] = await t.store.query(sql`SELECT count(*)::int AS events, sum(item_count)::int AS items FROM audit.events WHERE chain = 'cbp'`);
    expect(counts).toEqual({ events: 1 + 3 + 1, items: 2 + 3 + 4 });
    expect(await verifyChains(t.store, { jwks: { keys: [] } })).toMatchObject({ valid: true, checkedEntries: 9 });
    // The head is all it learns: what it must chain from.
    await expect(service.transaction((tx) => lockChain(tx, 'cbp'))).resolves.toMatchObject({ seq: 5 });
  });

  it.each([
    ['read events', 'SELECT * FROM audit.events'],
    ['read the per-item view', 'SELECT * FROM audit.entries'],
    ['read checkpoints', 'SELECT * FROM audit.checkpoints'],
    ['read the index', 'SELECT * FROM audit.access_items'],
    ['insert an event directly', `INSERT INTO audit.events SELECT * FROM audit.events LIMIT 1`],
    ['update an event', `UPDATE audit.events SET reason = 'edited'`],
    ['delete events', 'DELETE FROM audit.events'],
    ['truncate events', 'TRUNCATE audit.events'],
    ['forge a checkpoint', `INSERT INTO audit.checkpoints (chain, seq, head_hash, at, kind, key_id, signature) VALUES ('cbp', 1, '${'0'.repeat(64)}', now(), 'PERIODIC', 'k', 's')`],
    ['purge', `SELECT audit.purge_events('cbp', 1)`],
    ['grant itself more', `SELECT audit.grant_reader(current_user)`],
  ])('cannot %s', async (_what, statement) => {
    await expect(asService(statement)).rejects.toThrow(/permission denied/);
  });

  it('cannot append events that do not link to the head, even calling the function itself', async () => {
    const forged = `SELECT * FROM audit.append_events('cbp', 5, '${'f'.repeat(64)}', '{7}'::bigint[], '{2026-01-01T00:00:00Z}'::timestamptz[],
      '{r}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{"{}"}', '{NULL}', '{NULL}', '{READ}', '{Route}', '{cbp}',
      '{x}', '{1}'::integer[], '{"[]"}', '{NULL}', '{${'f'.repeat(64)}}', '{${'e'.repeat(64)}}')`;
    await expect(asService(forged)).rejects.toThrow(/do not link/);
    const [count] = await t.store.query(sql`SELECT count(*)::int AS n FROM audit.events WHERE chain = 'cbp'`);
    expect(count).toEqual({ n: 5 });
  });
});

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
