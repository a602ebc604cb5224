import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createAuditWriter, type AuditEntryInput } from '../lib/audit/index.js';
import { migrate, openPostgres, sql } from '../lib/store/index.js';
import { createBenchDatabase } from './lib/database.js';

/**
 * Where a group commit's PostgreSQL CPU goes (issue 12): `npx tsx bench/audit-append-stages.ts`.
 * One connection at a time, calls in sequence, the serving backend's CPU read from /proc
 * (10 ms ticks: hence hundreds of calls per line). Compares the writer's append (one
 * transaction: lock, head check, insert, durable commit) of 1, 10 and 100 one-item events with
 * its parts alone: a round trip, a durable one-row INSERT, the advisory lock, the head read.
 */
const CALLS = Number(process.env['CALLS'] ?? 400);
const TICKS = 100;

function backendCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

async function measure(name: string, pid: number, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i += 1) await call();
  const cpu = backendCpu(pid);
  const started = performance.now();
  for (let i = 0; i < CALLS; i += 1) await call();
  const micros = (value: number): string => value.toFixed(0).padStart(6);
  console.log(`${name.padEnd(44)} PostgreSQL CPU µs/call ${micros(((backendCpu(pid) - cpu) * 1e6) / CALLS)}   wall µs/call ${micros(((performance.now() - started) * 1000) / CALLS)}`);
}

const entry = (i: number): AuditEntryInput => ({
  requestId: `r${i}`, operationName: 'Op', operationHash: null, subject: { iss: 'i', sub: 's', agency: 'ICE', org: 'o', roles: ['a'] },
  purpose: 'P', justification: null, action: 'READ', recordType: 'Transfer', recordId: `T${i}`, ownerOrg: 'o', personId: 'p',
  fieldsReleased: ['id'], fieldsRedacted: [], decision: 'ALLOW', rules: ['r'], service: 'ice', reason: null,
});

const database = await createBenchDatabase('_audit');
const client = new pg.Client({ connectionString: database.url });
// One connection: the writer's statements all run on the backend measured.
const store = openPostgres({ connectionString: database.url, poolSize: 1 });
try {
  await migrate(store);
  await client.connect();
  const own = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
  await client.query('CREATE TABLE bench_one (x int)');
  await measure('SELECT 1', own, () => client.query('SELECT 1'));
  await measure('INSERT one row, durable commit', own, () => client.query('INSERT INTO bench_one VALUES (1)'));
  await measure('advisory lock (own transaction)', own, () => client.query('SELECT pg_advisory_xact_lock(1, 2)'));
  const writer = createAuditWriter(store, { service: 'ice', chainId: 'stages' });
  await writer.append([entry(0)]);
  await measure('head read', own, () => client.query("SELECT seq, hash FROM audit.events WHERE chain = 'stages' ORDER BY seq DESC LIMIT 1"));
  const [row] = await store.query(sql`SELECT pg_backend_pid() AS pid`);
  const writerPid = Number(row?.['pid']);
  for (const events of [1, 10, 100]) {
    const batch = Array.from({ length: events }, (_, i) => entry(i));
    await measure(`writer append: ${events} event(s) of one item`, writerPid, () => writer.append(batch));
  }
} finally {
  await client.end().catch(() => undefined);
  await store.close();
  await database.drop();
}
