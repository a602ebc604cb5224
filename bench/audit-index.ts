import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createAuditWriter, type AuditEntryInput } from '../lib/audit/index.js';
import { indexPass } from '../lib/audit/indexer.js';
import { startIndexer } from '../lib/audit/indexer-run.js';
import { indexLagMs } from '../lib/audit/indexer-status.js';
import { migrate, openPostgres, sql, type Store } from '../lib/store/index.js';

/**
 * The audit indexer's benchmark (issue 12): `npx tsx bench/audit-index.ts`, on a throwaway
 * PostgreSQL database (POSTGRES_SERVER, default the local server), dropped afterwards.
 *
 *  1. Throughput: a backlog of events written by the real writer, then one indexer pass over
 *     it, timed: items (records) and events verified and indexed per second.
 *  2. Lag under load: concurrent appenders (pages of PAGE records, like concurrent requests)
 *     for SECONDS while the indexer runs as the audit service runs it; the index lag
 *     (auditChainStatus.indexLagMs) sampled every 100 ms. The SPEC wants it under 2 s.
 */
const SERVER = process.env['POSTGRES_SERVER'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BACKLOG_RECORDS = Number(process.env['BACKLOG_RECORDS'] ?? 200_000);
const PAGE = Number(process.env['PAGE'] ?? 100);
const APPENDERS = Number(process.env['APPENDERS'] ?? 8);
const SECONDS = Number(process.env['SECONDS'] ?? 10);

const page = (n: number, request: string): AuditEntryInput[] =>
  Array.from({ length: n }, (_, i) => ({
    requestId: request,
    operationName: 'People',
    operationHash: 'a'.repeat(64),
    subject: { iss: 'bench', sub: `analyst-${request.length % 7}`, agency: 'CBP', org: 'cbp-tucson', roles: ['analyst'] },
    purpose: 'INTERDICTION',
    justification: null,
    action: 'READ',
    recordType: 'Person',
    recordId: `person-${i}`,
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

async function throughput(store: Store): Promise<void> {
  const writer = createAuditWriter(store, { service: 'cbp' });
  for (let written = 0, r = 0; written < BACKLOG_RECORDS; written += PAGE, r += 1) await writer.append(page(PAGE, `backlog-${r}`));
  const started = process.hrtime.bigint();
  const result = await indexPass(store);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({
    scenario: 'indexer throughput (backlog, one pass)',
    events: result.events,
    items: result.items,
    seconds: Number(seconds.toFixed(3)),
    itemsPerSecond: Math.round(result.items / seconds),
    eventsPerSecond: Math.round(result.events / seconds),
    broken: result.broken,
  }));
}

async function lagUnderLoad(store: Store): Promise<void> {
  const indexer = startIndexer(store, { onError: (error) => console.error(error) });
  const writers = Array.from({ length: APPENDERS }, (_, i) => createAuditWriter(store, { service: 'cbp', chainId: `load-${i % 2}` }));
  const lags: number[] = [];
  let records = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      lags.push(await indexLagMs(store));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    writers.map(async (writer, w) => {
      for (let r = 0; Date.now() < deadline; r += 1) {
        await writer.append(page(PAGE, `load-${w}-${r}`));
        records += PAGE;
      }
    }),
  );
  running = false;
  await sampler;
  const caughtUp = Date.now();
  while ((await indexLagMs(store)) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const drainMs = Date.now() - caughtUp;
  await indexer.stop();
  lags.sort((a, b) => a - b);
  console.log(JSON.stringify({
    scenario: 'index lag under load',
    appenders: APPENDERS,
    recordsPerAppend: PAGE,
    recordsPerSecond: Math.round(records / SECONDS),
    lagP50Ms: lags[Math.floor(lags.length * 0.5)] ?? 0,
    lagP99Ms: lags[Math.floor(lags.length * 0.99)] ?? 0,
    lagMaxMs: lags[lags.length - 1] ?? 0,
    drainAfterLoadMs: drainMs,
  }));
}

const name = `audit_index_bench_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${name}`);
const url = new URL(SERVER);
url.pathname = `/${name}`;
const store = openPostgres({ connectionString: url.toString() });
try {
  await migrate(store);
  await throughput(store);
  await lagUnderLoad(store);
  const [count] = await store.query(sql`SELECT count(*) AS n FROM audit.access_items`);
  console.log(JSON.stringify({ indexedItems: Number(count?.['n']) }));
} finally {
  await store.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
