import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createAuditWriter, verifyChains, type AuditEntryInput } from '../lib/audit/index.js';
import { migrate, openPostgres, type Store } from '../lib/store/index.js';

/**
 * audit:verify's throughput (issue 12: >= 1 million records/s): `npx tsx bench/audit-verify.ts`.
 * On a throwaway PostgreSQL database (POSTGRES_SERVER, default the local server), dropped
 * afterwards: RECORDS records written by the real writer in pages of PAGE (APPENDERS concurrent
 * callers, CHAINS chains), then verifyChains over the whole log, timed (wall clock, the database's
 * reads included), ROUNDS times (per page size in PAGE_SIZES, e.g. 500,5000). Prints one JSON
 * line per round.
 */
const SERVER = process.env['POSTGRES_SERVER'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RECORDS = Number(process.env['RECORDS'] ?? 300_000);
const PAGE = Number(process.env['PAGE'] ?? 100);
const APPENDERS = Number(process.env['APPENDERS'] ?? 8);
const CHAINS = Number(process.env['CHAINS'] ?? 2);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
/** Events per page of the walk (verifyChains' pageSize); unset: its default. */
const PAGE_SIZES = (process.env['PAGE_SIZES'] ?? '').split(',').filter((s) => s !== '').map(Number);

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
  for (const pageSize of PAGE_SIZES.length === 0 ? [undefined] : PAGE_SIZES) for (let round = 0; round < ROUNDS; round += 1) {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const status = await verifyChains(store, pageSize === undefined ? { jwks: { keys: [] } } : { jwks: { keys: [] }, pageSize });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    console.log(JSON.stringify({
      scenario: 'audit:verify (verifyChains over the whole log)',
      pageSize: pageSize ?? 'default',
      valid: status.valid,
      records: status.checkedEntries,
      events: status.checkedEvents,
      seconds: Number(seconds.toFixed(3)),
      recordsPerSecond: Math.round(status.checkedEntries / seconds),
      nodeCpuMicrosPerRecord: Number(((used.user + used.system) / status.checkedEntries).toFixed(3)),
    }));
  }
} finally {
  await store.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
