import pg from 'pg';
import { migrate, openStore } from '../../lib/store/index.js';
import { seedIfEmpty } from '../../seed/index.js';
const scale = process.argv[2] as 'medium' | 'large';
const name = `tributary_bench_seedtest_${Date.now()}`;
const admin = async (q: string) => { const c = new pg.Client('postgres://postgres@127.0.0.1:5432/postgres'); await c.connect(); await c.query(q); await c.end(); };
await admin(`CREATE DATABASE ${name}`);
const store = await openStore({ databaseUrl: `postgres://postgres@127.0.0.1:5432/${name}` });
try {
  const t0 = Date.now();
  await migrate(store);
  const t1 = Date.now();
  const out = await seedIfEmpty(store, { scale });
  const t2 = Date.now();
  console.log('migrate', t1 - t0, 'seed', t2 - t1, out.status === 'seeded' ? out.counts : out);
} finally { await store.close(); await admin(`DROP DATABASE ${name} WITH (FORCE)`); }
