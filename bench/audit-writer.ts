import { createAuditWriter, type AuditEntryInput } from '../lib/audit/index.js';
import { migrate, openPostgres, sql, type Queryable, type Store } from '../lib/store/index.js';
import { postgresBackendsCpu } from './lib/proc-stats.js';
import { serve } from './lib/rpc.js';

/**
 * The audit-writer benchmark, alone in its process: several concurrent appenders pour entries
 * into ONE writer (one hash chain), or into one writer per chain when a config names several
 * chains (the real system: every service writes its own chain, all at once), on a throwaway
 * PostgreSQL database for a fixed time. Every
 * append resolves only after its events committed durably (the writer forces
 * synchronous_commit on), so entries/s here is durable records/s (records = items in committed
 * events, issue 12), and events/s the chained rows per second. Requests here are pages of 64
 * records, so an append of 100 entries holds two events.
 */

export interface AuditBenchConfig {
  /** Chains written at once, each by its own writer (default 1); appenders are per chain. */
  readonly chains?: number;
  /** Concurrent callers per chain, like concurrent requests of one service. */
  readonly appenders: number;
  /** Entries per append call, like the records of one page. */
  readonly entriesPerAppend: number;
}

export interface AuditBenchResult extends AuditBenchConfig {
  readonly entries: number;
  /** Audit events committed (one per request x service x action x record type). */
  readonly events: number;
  readonly seconds: number;
  readonly entriesPerSecond: number;
  readonly eventsPerSecond: number;
  readonly transactions: number;
  readonly entriesPerTransaction: number;
  readonly appendP50Ms: number;
  readonly appendP99Ms: number;
  /** CPU of this process (hashing, encoding) per second of wall time. */
  readonly nodeCpuCores: number;
  /** CPU of the database's PostgreSQL backends per second of wall time. */
  readonly postgresCpuCores: number;
  /** This process's CPU per entry (build, hashing, driver, bookkeeping), in microseconds. */
  readonly nodeMicrosPerEntry: number;
  /** PostgreSQL CPU per entry, in microseconds. */
  readonly postgresMicrosPerEntry: number;
  /** Every chain's items equal the entries appended to it, its head seq its events: none lost, none doubled. */
  readonly chainComplete: boolean;
}

export interface AuditBenchMethods {
  run: { params: { readonly databaseUrl: string; readonly seconds: number; readonly configs: readonly AuditBenchConfig[] }; result: AuditBenchResult[] };
}

/**
 * A store that counts the commits it runs: transactions, and the writer's one-statement
 * appends (each its own transaction; inside a transaction they are not counted again).
 */
function counting(store: Store): { store: Store; transactions: () => number } {
  let transactions = 0;
  return {
    transactions: () => transactions,
    store: {
      kind: store.kind,
      get roundTrips() {
        return store.roundTrips;
      },
      query(statement) {
        if (statement.text.includes('audit.append_events')) transactions += 1;
        return store.query(statement);
      },
      exec: (script) => store.exec(script),
      transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
        transactions += 1;
        return store.transaction(work);
      },
      close: () => store.close(),
    },
  };
}

/**
 * A page of records read as the funnel writes it (lib/access/funnel.ts): transfers with their
 * fields, one subject object per request and the same released/redacted/rules arrays for every
 * record with the same outcome.
 */
function page(caller: number, size: number): AuditEntryInput[] {
  const subject = { iss: 'tributary-dev-issuer', sub: 'ice-analyst@ice-hsi-tucson', agency: 'ICE', org: 'ice-hsi-tucson', roles: ['analyst'] };
  const fieldsReleased = ['id', 'person', 'status', 'toFacility'];
  const fieldsRedacted: string[] = [];
  const rules = ['owner.read', 'owner.pii'];
  return Array.from({ length: size }, (_, i) => ({
    requestId: `bench-${caller}-${i >> 6}`,
    operationName: 'TransfersPage',
    operationHash: 'b'.repeat(64),
    subject,
    purpose: 'CUSTODY_TRANSFER',
    justification: null,
    action: 'READ',
    recordType: 'Transfer',
    recordId: `T-${caller}-${i}`,
    ownerOrg: 'ice-ero-phoenix',
    personId: `P-${i % 997}`,
    fieldsReleased,
    fieldsRedacted,
    decision: 'ALLOW',
    rules,
    service: 'ice',
    reason: 'visible under owner.read (The owning agency reads its own records in the caller\'s jurisdictions)',
  }));
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

function postgresCpu(database: string): number {
  let total = 0;
  for (const cpu of postgresBackendsCpu(database).values()) total += cpu;
  return total;
}

async function runOne(store: Store, database: string, chainPrefix: string, seconds: number, config: AuditBenchConfig): Promise<AuditBenchResult> {
  const counted = counting(store);
  const chains = Array.from({ length: config.chains ?? 1 }, (_, c) => ((config.chains ?? 1) === 1 ? chainPrefix : `${chainPrefix}-${c}`));
  const writers = chains.map((chainId) => createAuditWriter(counted.store, { service: 'ice', chainId }));
  const batches = Array.from({ length: config.appenders }, (_, caller) => page(caller, config.entriesPerAppend));
  // Warm the connection pool and each chain's first transaction outside the measurement.
  for (const writer of writers) await writer.append(batches[0]?.slice(0, 1) ?? []);
  const eventsPerAppend = new Set(batches[0]?.map((e) => e.requestId)).size;
  const before = counted.transactions();
  const latencies: number[] = [];
  const entriesOf = chains.map(() => 0);
  const eventsOf = chains.map(() => 0);
  const cpu = process.cpuUsage();
  const postgresBefore = postgresCpu(database);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    writers.flatMap((writer, c) =>
      batches.map(async (batch) => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          // Counted only once append resolved, i.e. once its events are durably committed.
          await writer.append(batch);
          latencies.push(performance.now() - t0);
          entriesOf[c] = (entriesOf[c] ?? 0) + batch.length;
          eventsOf[c] = (eventsOf[c] ?? 0) + eventsPerAppend;
        }
      }),
    ),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const postgresSeconds = postgresCpu(database) - postgresBefore;
  const transactions = counted.transactions() - before;
  const entries = entriesOf.reduce((a, b) => a + b, 0);
  const events = eventsOf.reduce((a, b) => a + b, 0);
  let chainComplete = true;
  for (const [c, chainId] of chains.entries()) {
    const [head] = await store.query(sql`SELECT max(seq)::bigint AS seq, sum(item_count)::bigint AS items FROM audit.events WHERE chain = ${chainId}`);
    // +1: the warm-up append (one entry, one event).
    if (Number(head?.['items']) !== (entriesOf[c] ?? 0) + 1 || Number(head?.['seq']) !== (eventsOf[c] ?? 0) + 1) chainComplete = false;
  }
  latencies.sort((a, b) => a - b);
  return {
    ...config,
    entries,
    seconds: elapsed,
    events,
    entriesPerSecond: entries / elapsed,
    eventsPerSecond: events / elapsed,
    transactions,
    entriesPerTransaction: transactions === 0 ? 0 : entries / transactions,
    appendP50Ms: percentile(latencies, 0.5),
    appendP99Ms: percentile(latencies, 0.99),
    nodeCpuCores: (used.user + used.system) / 1e6 / elapsed,
    postgresCpuCores: postgresSeconds / elapsed,
    nodeMicrosPerEntry: entries === 0 ? 0 : (used.user + used.system) / entries,
    postgresMicrosPerEntry: entries === 0 ? 0 : (postgresSeconds * 1e6) / entries,
    chainComplete,
  };
}

serve<AuditBenchMethods>(
  {
    async run({ databaseUrl, seconds, configs }) {
      const store = openPostgres({ connectionString: databaseUrl });
      try {
        await migrate(store);
        const results: AuditBenchResult[] = [];
        const database = new URL(databaseUrl).pathname.slice(1);
        for (const [i, config] of configs.entries()) results.push(await runOne(store, database, `bench-${i}`, seconds, config));
        return results;
      } finally {
        await store.close();
      }
    },
  },
  async () => undefined,
);
