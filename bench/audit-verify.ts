import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { createAuditWriter, verifyChains, type AuditEntryInput } from '../lib/audit/index.js';
import { startVerifyPool, type VerifyPool } from '../lib/audit/verify-pool.js';
import { migrate, openPostgres, type Store } from '../lib/store/index.js';
import { postgresBackendsCpu } from './lib/proc-stats.js';

/**
 * audit:verify's throughput (issue 12: >= 1 million records/s): `npx tsx bench/audit-verify.ts`.
 * On a throwaway PostgreSQL database (POSTGRES_SERVER, default the local server), dropped
 * afterwards: RECORDS records written by the real writer in pages of PAGE (APPENDERS concurrent
 * callers, CHAINS chains), then verifyChains over the whole log, timed (wall clock, the database's
 * reads included), ROUNDS times (per page size in PAGE_SIZES, e.g. 500,5000). WORKERS (default
 * `0,2`) lists the walks to compare in the same run, rounds alternating between them: 0 reads and
 * hashes in this thread, N > 0 in N worker threads (lib/audit/verify-pool.ts). Prints one JSON
 * line per round; nodeCpuMicrosPerRecord counts the whole process (workers included),
 * postgresCpuMicrosPerRecord the backends serving the database (/proc), and
 * recordsPerSecondCeilingIdle what that CPU allows with the machine's cores all free (Node's part
 * held to one core in one thread, to one per worker), a figure a loaded machine moves far less.
 */
const SERVER = process.env['POSTGRES_SERVER'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RECORDS = Number(process.env['RECORDS'] ?? 300_000);
const PAGE = Number(process.env['PAGE'] ?? 100);
const APPENDERS = Number(process.env['APPENDERS'] ?? 8);
const CHAINS = Number(process.env['CHAINS'] ?? 2);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
/** Events per page of the walk (verifyChains' pageSize); unset: its default. */
const PAGE_SIZES = (process.env['PAGE_SIZES'] ?? '').split(',').filter((s) => s !== '').map(Number);
const CORES = availableParallelism();
const WORKERS = (process.env['WORKERS'] ?? '0,2').split(',').filter((s) => s !== '').map(Number);

const page = (request: string): AuditEntryInput[] =>
  Array.from({ length: PAGE }, (_, i) => ({
    requestId: request,
    operationName: 'People',
    operationHash: 'a'.repeat(64),
    subject: { iss: 'bench', sub: 'analyst@cbp-tucson', agency: 'CBP', org: 'cbp-tucson', roles: ['analyst'] },
    purpose: 'INTERDICTION',
    justification: null,
    action: 'READ',
    recordType: 'Person',
    recordId: `person-${request}-${i}`,
    ownerOrg: 'cbp-tucson',
    personId: `person-${i}`,
    fieldsReleased: ['id', 'name', 'dateOfBirth'],
    fieldsRedacted: ['aNumber'],
    decision: 'PARTIAL',
    rules: ['owner.core', 'redact.pii'],
    service: 'cbp',
    reason: null,
  }));

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function seed(store: Store): Promise<void> {
  const writers = Array.from({ length: CHAINS }, (_, c) => createAuditWriter(store, { service: 'cbp', chainId: `verify-${c}` }));
  let next = 0;
  await Promise.all(
    Array.from({ length: APPENDERS }, async (_, a) => {
      for (let r = 0; next < RECORDS; r += 1) {
        next += PAGE;
        await writers[a % CHAINS]?.append(page(`${a}-${r}`));
      }
    }),
  );
}

const name = `audit_verify_bench_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${name}`);
const url = new URL(SERVER);
url.pathname = `/${name}`;
const store = openPostgres({ connectionString: url.toString() });
try {
  await migrate(store);
  await seed(store);
  const pools = new Map<number, VerifyPool>();
  for (const workers of WORKERS) if (workers > 0) pools.set(workers, startVerifyPool(url.toString(), workers));
  try {
    for (const pageSize of PAGE_SIZES.length === 0 ? [undefined] : PAGE_SIZES) for (let round = 0; round < ROUNDS; round += 1) for (const workers of round % 2 === 0 ? WORKERS : [...WORKERS].reverse()) {
      const pool = pools.get(workers);
      const cpu = process.cpuUsage();
      const pgCpu = postgresBackendsCpu(name);
      const started = process.hrtime.bigint();
      const status = await verifyChains(store, { jwks: { keys: [] }, ...(pageSize === undefined ? {} : { pageSize }), ...(pool === undefined ? {} : { pool }) });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const used = process.cpuUsage(cpu);
      let pgSeconds = 0;
      for (const [pid, seconds] of postgresBackendsCpu(name)) pgSeconds += seconds - (pgCpu.get(pid) ?? 0);
      const nodeMicros = (used.user + used.system) / status.checkedEntries;
      const cpuMicros = nodeMicros + (pgSeconds * 1e6) / status.checkedEntries;
      // On an idle machine: all its cores share Node's and PostgreSQL's work, but Node's part
      // runs on at most one core in this thread, or one per worker.
      const ceiling = Math.round(Math.min((CORES * 1e6) / cpuMicros, (Math.max(1, workers) * 1e6) / nodeMicros));
      console.log(JSON.stringify({
        scenario: 'audit:verify (verifyChains over the whole log)',
        workers,
        pageSize: pageSize ?? 'default',
        valid: status.valid,
        records: status.checkedEntries,
        events: status.checkedEvents,
        seconds: Number(seconds.toFixed(3)),
        recordsPerSecond: Math.round(status.checkedEntries / seconds),
        nodeCpuMicrosPerRecord: Number(((used.user + used.system) / status.checkedEntries).toFixed(3)),
        postgresCpuMicrosPerRecord: Number(((pgSeconds * 1e6) / status.checkedEntries).toFixed(3)),
        // What that CPU per record allows with every core free for the walk: load-insensitive.
        recordsPerSecondCeilingIdle: ceiling,
        cores: CORES,
      }));
    }
  } finally {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  }
} finally {
  await store.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
