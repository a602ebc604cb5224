import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter, verifyChains } from '../../lib/audit/index.js';
import { migrate, openPostgres, pgliteStore, sql, startEmbeddedServer, type EmbeddedServer, type Store } from '../../lib/store/index.js';
import { anEntry } from '../audit/entries.js';

/**
 * The embedded store served over the wire (lib/store/embedded-server.ts): every connection here
 * is what a service process would open, and they all share PGlite's single session. Each test is
 * about state that lives in that session: an unfinished extended-protocol sequence, a transaction,
 * an advisory xact lock, the audit chain's head.
 */
describe('one PGlite served to several connections', () => {
  let db: PGlite;
  let server: EmbeddedServer;
  const pools: pg.Pool[] = [];
  const stores: Store[] = [];
  const pool = (max = 4): pg.Pool => {
    const made = new pg.Pool({ connectionString: server.url, max });
    pools.push(made);
    return made;
  };

  beforeAll(async () => {
    db = new PGlite();
    // Migrated in process before serving, as the store process does: afterwards only the wire is used.
    await migrate(pgliteStore(db));
    await db.exec('CREATE TABLE public.probe (id serial PRIMARY KEY, tag text NOT NULL); CREATE TABLE public.counter (n int NOT NULL); INSERT INTO public.counter VALUES (0);');
    server = await startEmbeddedServer({ db, holdTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await Promise.all([...pools.map((each) => each.end()), ...stores.map((each) => each.close())]);
    await server.close();
    await db.close();
  });

  it('never runs one client statement with another one parameters, even when a message spans TCP reads', async () => {
    // A 3 MB parameter arrives in many reads; with a per-message multiplexer (pglite-socket
    // 0.2.18) the small queries' Parse/Bind slip in between and 12 of these 60 answers were wrong.
    const big = pool();
    const small = pool();
    const large = 'x'.repeat(3_000_000);
    const answers = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        if (i % 5 === 0) {
          const result = await big.query(`SELECT length($1::text) AS n, 'big-${i}' AS tag`, [large]);
          return result.rows[0]?.tag === `big-${i}` && result.rows[0]?.n === 3_000_000;
        }
        const result = await small.query(`SELECT $1::text || '-${i}' AS x`, [`q${i}`]);
        return result.rows[0]?.x === `q${i}-${i}`;
      }),
    );
    expect(answers.filter((ok) => !ok)).toHaveLength(0);
  });

  it("keeps another connection's statements out of an open transaction (a rollback takes only its own rows)", async () => {
    const a = pool(1);
    const b = pool(1);
    const client = await a.connect();
    await client.query('BEGIN');
    await client.query(`INSERT INTO public.probe (tag) VALUES ('rolled-back')`);
    // Sent while the transaction is open: must wait for it, not join it.
    const outside = b.query(`INSERT INTO public.probe (tag) VALUES ('outside')`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.query('ROLLBACK');
    client.release();
    await outside;
    const { rows } = await b.query('SELECT tag FROM public.probe ORDER BY id');
    expect(rows.map((row: { tag: string }) => row.tag)).toEqual(['outside']);
  });

  it('makes pg_advisory_xact_lock exclusive across connections: no lost update under contention', async () => {
    const clients = [pool(2), pool(2), pool(2)];
    const increment = async (from: pg.Pool): Promise<void> => {
      const client = await from.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(4242)');
        const { rows } = await client.query('SELECT n FROM public.counter');
        // The client thinks between read and write, as the audit writer hashes between them.
        await new Promise((resolve) => setTimeout(resolve, 3));
        await client.query('UPDATE public.counter SET n = $1', [Number(rows[0]?.n) + 1]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: 30 }, (_, i) => increment(clients[i % 3]!)));
    const { rows } = await clients[0]!.query('SELECT n FROM public.counter');
    expect(rows[0]?.n).toBe(30);
  });

  it('rolls back the transaction of a client that dies holding the session, and serves the others', async () => {
    const victim = new pg.Client({ connectionString: server.url });
    await victim.connect();
    victim.on('error', () => undefined);
    await victim.query('BEGIN');
    await victim.query(`INSERT INTO public.probe (tag) VALUES ('orphan')`);
    const waiting = pool(1).query(`SELECT count(*)::int AS n FROM public.probe WHERE tag = 'orphan'`);
    // The process dies: its socket closes without COMMIT, ROLLBACK or Terminate.
    (victim as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const { rows } = await waiting;
    expect(rows[0]?.n).toBe(0);
  });

  it('closes a connection that holds the session idle past the hold timeout, so others go on', async () => {
    const stuck = new pg.Client({ connectionString: server.url });
    await stuck.connect();
    stuck.on('error', () => undefined);
    await stuck.query('BEGIN');
    await stuck.query(`INSERT INTO public.probe (tag) VALUES ('stuck')`);
    const started = Date.now();
    const { rows } = await pool(1).query(`SELECT count(*)::int AS n FROM public.probe WHERE tag = 'stuck'`);
    expect(rows[0]?.n).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    await stuck.end().catch(() => undefined);
  });

  it('applies migrations once when several services migrate at once (the migration lock)', async () => {
    const migrating = [0, 1, 2].map(() => openPostgres({ connectionString: server.url, poolSize: 2 }));
    stores.push(...migrating);
    const applied = await Promise.all(migrating.map((store) => migrate(store)));
    expect(applied.flat()).toEqual([]);
    const [row] = await migrating[0]!.query(sql`SELECT count(*) AS n, count(DISTINCT (service, version)) AS distinct_n FROM public.schema_migrations`);
    expect(row?.['n']).toBe(row?.['distinct_n']);
  });

  it('keeps one audit chain linear when several writers (each its own pool) append at once, and it verifies', async () => {
    const writers = [0, 1, 2].map((i) => {
      const store = openPostgres({ connectionString: server.url, poolSize: 2 });
      stores.push(store);
      return { i, writer: createAuditWriter(store, { service: 'gateway', chainId: 'wire' }) };
    });
    await Promise.all(
      writers.map(async ({ i, writer }) => {
        for (let batch = 0; batch < 10; batch += 1) {
          await writer.append(Array.from({ length: 20 }, (_, n) => anEntry({ requestId: `w${i}-${batch}`, recordId: `route-${n}` })));
        }
      }),
    );
    const reader = stores[stores.length - 1]!;
    // 30 appends of 20 records: 30 events of 20 items, seq 1..30 without a gap or a fork.
    const [summary] = await reader.query(
      sql`SELECT count(*)::int AS events, sum(item_count)::int AS items, min(seq)::int AS lo, max(seq)::int AS hi FROM audit.events WHERE chain = 'wire'`,
    );
    expect(summary).toEqual({ events: 30, items: 600, lo: 1, hi: 30 });
    const status = await verifyChains(reader, { jwks: { keys: [] } });
    expect(status.chains.find((chain) => chain.chain === 'wire')).toMatchObject({ valid: true, checkedEntries: 600 });
  });
});

describe('the embedded store on a Unix socket (as npm start serves it)', () => {
  it('answers pg through a socket in a directory only its owner may enter, and replaces a stale socket file', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'tributary-sock-'));
    const socketDir = join(parent, 'pglite.sock');
    const db = new PGlite();
    try {
      await mkdir(socketDir);
      // What a store process killed with SIGKILL leaves behind: the next one must start anyway.
      await writeFile(join(socketDir, '.s.PGSQL.5432'), '');
      const server = await startEmbeddedServer({ db, listen: { socketDir } });
      expect(server.url).toBe(`postgres://postgres@localhost:5432/postgres?host=${encodeURIComponent(socketDir)}`);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query('SELECT $1::int + 1 AS n', [41]);
      expect(rows[0]?.n).toBe(42);
      await client.end();
      await server.close();
      expect((await stat(socketDir)).mode & 0o777).toBe(0o700);
    } finally {
      await db.close();
      await rm(parent, { recursive: true, force: true });
    }
  });
});
