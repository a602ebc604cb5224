import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, raw, sql, type Store } from '../../lib/store/index.js';

/**
 * lib/store/postgres.ts names statements (pg's prepared statements) on a real PostgreSQL. A
 * prepared `SELECT *` outlives the table's shape it was prepared against; a migration from
 * another process (a rolling start) must not leave this one failing on that statement.
 * PostgreSQL only: DATABASE_URL names it, as for the rest of the PostgreSQL run.
 */
const url = process.env['DATABASE_URL'];

describe.skipIf(url === undefined)('prepared statements on postgres', () => {
  const schema = `prepared_${randomBytes(4).toString('hex')}`;
  let store: Store;

  beforeAll(async () => {
    // One connection, so every statement below meets the one that was prepared on it.
    store = openPostgres({ connectionString: url!, poolSize: 1 });
    await store.exec(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id text PRIMARY KEY); INSERT INTO ${schema}.t VALUES ('a'), ('b')`);
  });
  afterAll(async () => {
    await store?.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await store?.close();
  });

  it('reuses a statement with new values, and answers with the new columns after the table changed', async () => {
    const select = (id: string) => store.query(sql`SELECT * FROM ${raw(`${schema}.t`)} WHERE id = ${id}`);
    expect(await select('a')).toEqual([{ id: 'a' }]);
    expect(await select('b')).toEqual([{ id: 'b' }]);
    await store.exec(`ALTER TABLE ${schema}.t ADD COLUMN note text DEFAULT 'x'`);
    expect(await select('a')).toEqual([{ id: 'a', note: 'x' }]);
    expect(await select('b')).toEqual([{ id: 'b', note: 'x' }]);
  });

  it('fails inside a transaction whose prepared statement went stale, and commits nothing of it', async () => {
    const select = () => store.query(sql`SELECT * FROM ${raw(`${schema}.t`)} ORDER BY id`);
    await select();
    await store.exec(`ALTER TABLE ${schema}.t ADD COLUMN extra int DEFAULT 1`);
    const insert = store.transaction(async (tx) => {
      await tx.query(sql`INSERT INTO ${raw(`${schema}.t`)} (id) VALUES ('c')`);
      await tx.query(sql`SELECT * FROM ${raw(`${schema}.t`)} ORDER BY id`);
    });
    await expect(insert).rejects.toThrow(/cached plan must not change result type/);
    expect((await select()).map((row) => row['id'])).toEqual(['a', 'b']);
  });
});
