import { parseArgs } from 'node:util';
import { eventsOf } from '../lib/audit/event-build.js';
import { appendRows, chainRows, type ChainHead } from '../lib/audit/chain-rows.js';
import { GENESIS_HASH } from '../lib/audit/chain.js';
import type { AuditContent, AuditDecision, AuditSubject } from '../lib/audit/entry.js';
import { copyItemsSql, indexPass } from '../lib/audit/indexer.js';
import { verifyChains } from '../lib/audit/index.js';
import { defaultVerifyWorkers, startVerifyPool } from '../lib/audit/verify-pool.js';
import { readSettings } from '../lib/config.js';
import { mintToken, PERSONAS } from '../lib/identity/index.js';
import { migrate, openPostgres, sql, type Store } from '../lib/store/index.js';
import { startFederation } from '../scripts/federation.js';
import { createBenchDatabase } from './lib/database.js';
import { postgresBackendsCpu } from './lib/proc-stats.js';

/**
 * The audit log at scale (issue 12): `npm run bench:audit-scale -- --records 10000000`.
 *
 * 1. Seeds RECORDS audited records into a throwaway PostgreSQL database (created and dropped,
 *    bench/lib/database.ts) as events of about PAGE items (one per request page) over several
 *    chains, with skew: a few subjects do most reading, a few persons are seen far more often
 *    than the rest. Events are built by the writer's own code (event-build.ts eventsOf,
 *    chain-rows.ts chainRows: canonical items, Merkle root, hash links) and written through
 *    audit.append_events, the function every writer appends through, many events per call.
 * 2. Fills the auditors' index (audit.access_items, audit.index_state) by a bulk path: the
 *    indexer's own copy statement (indexer.ts copyItemsSql) over every event but each chain's
 *    last TAIL, with the secondary indexes built afterwards (as the migration defines them), and
 *    index_state set to the last bulk-filled event. Then the real indexer (indexPass) verifies
 *    and indexes the tails, starting from that state: a wrong hash or seq in it is a break the
 *    bench reports. The counts are checked (items in the index = items in the events), and
 *    verifyChains walks the whole log (audit:verify's throughput at this size, reported too).
 * 3. Starts the real audit subgraph over that database and asks it, as the auditor persona over
 *    HTTP, what an auditor asks: personAccessHistory and accessLog(filter: { subjectSub }),
 *    first page and a later page (reached by following endCursor), for a person / subject seen
 *    very often and one seen rarely; CALLS calls each, p50 / p99 / max in ms.
 *
 * Prints JSON lines; nothing is kept (the database is dropped whatever happens).
 */
const USAGE = `usage: npm run bench:audit-scale -- [--records N] [--page N] [--chains N] [--persons N] [--subjects N]
  [--tail N] [--calls N] [--later-page N] [--first N] [--seed N] [--no-verify] [--explain]`;

const { values: flags } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    page: { type: 'string', default: '100' },
    chains: { type: 'string', default: '4' },
    persons: { type: 'string' },
    subjects: { type: 'string', default: '2000' },
    tail: { type: 'string', default: '200' },
    calls: { type: 'string', default: '40' },
    'later-page': { type: 'string', default: '20' },
    first: { type: 'string', default: '100' },
    seed: { type: 'string', default: '12' },
    'no-verify': { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = (name: keyof typeof flags, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`--${String(name)} must be a positive whole number, got ${String(value)}\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const RECORDS = positive('records', flags.records);
const PAGE = positive('page', flags.page);
const CHAINS = positive('chains', flags.chains);
// One person per ten records by default: 1M persons at 10M records.
const PERSONS = positive('persons', flags.persons ?? String(Math.max(10, Math.round(RECORDS / 10))));
const SUBJECTS = positive('subjects', flags.subjects);
const TAIL = positive('tail', flags.tail);
const CALLS = positive('calls', flags.calls);
const LATER_PAGE = positive('later-page', flags['later-page']);
const FIRST = positive('first', flags.first);
const SEED = positive('seed', flags.seed);
/** Events per append_events call: about 20,000 records, a few MB of parameters. */
const EVENTS_PER_APPEND = Math.max(1, Math.round(20_000 / PAGE));
const SPAN_MS = 30 * 24 * 3_600_000;
const VERIFY_WORKERS = Math.max(2, defaultVerifyWorkers());

/** mulberry32: a seeded generator, so two runs seed the same log. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const rand = random(SEED);
/** An index in [0, n) skewed towards 0: u^k puts a share of about n^(-1/k) on index 0. */
const skewed = (n: number, k: number): number => Math.min(n - 1, Math.floor(n * rand() ** k));

const SUBJECT_AGENCIES = [
  { agency: 'CBP', org: 'cbp-tucson', service: 'cbp', roles: ['analyst'] },
  { agency: 'ICE', org: 'ice-ero-phoenix', service: 'ice', roles: ['officer'] },
  { agency: 'PARTNER', org: 'partner-saguaro', service: 'partner', roles: ['officer'] },
  { agency: 'NGO', org: 'ngo-desert-refuge', service: 'ngo', roles: ['caseworker', 'legal'] },
] as const;
const RECORD_TYPES = ['Person', 'Encounter', 'Transfer', 'Booking', 'Referral'] as const;
const PURPOSES = ['INVESTIGATION', 'INTERDICTION', 'CUSTODY_TRANSFER', 'LEGAL_SERVICES', 'HUMANITARIAN'] as const;

const subjectOf = (i: number): AuditSubject & { readonly service: (typeof SUBJECT_AGENCIES)[number]['service'] } => {
  const home = SUBJECT_AGENCIES[i % SUBJECT_AGENCIES.length] as (typeof SUBJECT_AGENCIES)[number];
  return { iss: 'tributary-dev-issuer', sub: `user-${i}@${home.org}`, agency: home.agency, org: home.org, roles: [...home.roles], service: home.service };
};
const personOf = (i: number): string => `person-${i}`;

const personCounts = new Uint32Array(PERSONS);
const subjectCounts = new Uint32Array(SUBJECTS);

/** One request's page of records as the entries a subgraph would append (one event). */
function page(request: number, at: Date): AuditContent[] {
  const s = skewed(SUBJECTS, 2);
  const subject = subjectOf(s);
  const recordType = RECORD_TYPES[Math.floor(rand() * RECORD_TYPES.length)] as (typeof RECORD_TYPES)[number];
  const purpose = PURPOSES[s % PURPOSES.length] as string;
  const size = Math.max(1, Math.round(PAGE * (0.5 + rand())));
  subjectCounts[s] = (subjectCounts[s] ?? 0) + size;
  const { service, ...who } = subject;
  return Array.from({ length: size }, (_, i) => {
    const p = skewed(PERSONS, 3);
    personCounts[p] = (personCounts[p] ?? 0) + 1;
    const personId = personOf(p);
    const roll = rand();
    const decision: AuditDecision = roll < 0.8 ? 'ALLOW' : roll < 0.97 ? 'PARTIAL' : 'DENY';
    return {
      at,
      requestId: `req-${request}`,
      operationName: `${recordType}List`,
      operationHash: 'b'.repeat(64),
      subject: who,
      purpose,
      justification: purpose === 'INVESTIGATION' ? 'CASE-2026-0042' : null,
      action: 'READ',
      recordType,
      recordId: recordType === 'Person' ? personId : `${recordType.toLowerCase()}-${request}-${i}`,
      ownerOrg: who.org,
      personId,
      fieldsReleased: decision === 'DENY' ? [] : ['id', 'name', 'status'],
      fieldsRedacted: decision === 'PARTIAL' ? ['aNumber', 'dateOfBirth'] : [],
      decision,
      rules: decision === 'DENY' ? ['tactical.cbp-only'] : ['owner.core'],
      service,
      reason: null,
    };
  });
}

const log = (value: Record<string, unknown>): void => console.log(JSON.stringify(value));
const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

interface Seeded {
  readonly chain: string;
  readonly head: ChainHead;
  readonly records: number;
}

/**
 * Every chain's events, appended chain by chain in turn (two appends in flight: Node builds the
 * next batch while PostgreSQL stores the last), times spread over the last 30 days in order.
 */
async function seedEvents(store: Store): Promise<Seeded[]> {
  const started = process.hrtime.bigint();
  const events = Math.ceil(RECORDS / PAGE);
  const end = Date.now() - 60_000;
  const heads: ChainHead[] = Array.from({ length: CHAINS }, () => ({ seq: 0, hash: GENESIS_HASH }));
  const perChain = new Array<number>(CHAINS).fill(0);
  const chainName = (c: number): string => `scale-${c}`;
  let written = 0;
  let inFlight: Promise<void> = Promise.resolve();
  for (let first = 0; first < events; first += EVENTS_PER_APPEND * CHAINS) {
    // One batch per chain: events first.. interleaved over the chains, in time order.
    for (let c = 0; c < CHAINS; c += 1) {
      const contents: AuditContent[][] = [];
      for (let e = first + c; e < Math.min(events, first + EVENTS_PER_APPEND * CHAINS); e += CHAINS) {
        contents.push(page(e, new Date(end - SPAN_MS + Math.floor((e * SPAN_MS) / events))));
      }
      if (contents.length === 0) continue;
      const prepared = contents.flatMap((entries) => eventsOf(entries));
      const rows = chainRows(chainName(c), heads[c] as ChainHead, prepared);
      heads[c] = rows.last;
      const records = prepared.reduce((sum, event) => sum + event.itemCount, 0);
      perChain[c] = (perChain[c] ?? 0) + records;
      written += records;
      const previous = inFlight;
      inFlight = (async () => {
        await previous;
        const { appended } = await appendRows(store, chainName(c), rows);
        if (!appended) throw new Error(`audit.append_events refused the batch ending at ${chainName(c)}:${rows.last.seq}`);
      })();
      // Keep at most one batch waiting behind the one being written.
      await previous;
    }
    if (first % (EVENTS_PER_APPEND * CHAINS * 20) === 0) process.stderr.write(`seeded ${written} records${process.stderr.isTTY ? '\r' : '\n'}`);
  }
  await inFlight;
  const seconds = ms(started) / 1000;
  log({ step: 'seed events (eventsOf + chainRows + audit.append_events)', records: written, events: heads.reduce((n, h) => n + h.seq, 0), chains: CHAINS, seconds: round(seconds), recordsPerSecond: Math.round(written / seconds) });
  return heads.map((head, c) => ({ chain: chainName(c), head, records: perChain[c] ?? 0 }));
}

/**
 * The auditors' index by the bulk path, then the real indexer on each chain's tail (see the
 * file's comment). The secondary indexes are dropped first and built again from their own
 * definitions (pg_get_indexdef), so what the queries use is exactly what the migrations made.
 */
async function fillIndex(store: Store, seeded: readonly Seeded[]): Promise<void> {
  const started = process.hrtime.bigint();
  const definitions = await store.query(sql`
    SELECT c.relname AS name, pg_get_indexdef(c.oid) AS definition
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = 'audit.access_items'::regclass AND NOT i.indisprimary`);
  for (const row of definitions) await store.exec(`DROP INDEX audit.${String(row['name'])}`);
  let bulkItems = 0;
  await Promise.all(
    seeded.map(async ({ chain, head }) => {
      const through = Math.max(0, head.seq - TAIL);
      const step = Math.max(1, Math.round(200_000 / PAGE));
      for (let after = 0; after < through; after += step) await store.query(copyItemsSql(chain, after, Math.min(through, after + step)));
      if (through === 0) return;
      const [state] = await store.query(sql`
        SELECT e.hash, (SELECT sum(x.item_count) FROM audit.events x WHERE x.chain = ${chain} AND x.seq <= ${through}) AS items
        FROM audit.events e WHERE e.chain = ${chain} AND e.seq = ${through}`);
      const items = Number(state?.['items']);
      bulkItems += items;
      await store.query(sql`
        INSERT INTO audit.index_state (chain, indexed_seq, indexed_hash, first_seq, events_checked, items_checked)
        VALUES (${chain}, ${through}, ${String(state?.['hash'])}, 1, ${through}, ${items})`);
    }),
  );
  const copied = ms(started);
  const building = process.hrtime.bigint();
  // Two at a time (the machine's cores), each with room to sort in memory.
  const lanes = [definitions.filter((_, i) => i % 2 === 0), definitions.filter((_, i) => i % 2 === 1)];
  await Promise.all(lanes.map(async (lane) => {
    for (const row of lane) await store.exec(`SET maintenance_work_mem = '256MB'; ${String(row['definition'])}`);
  }));
  // What autovacuum does to an insert-mostly table soon after a load (statistics, and the
  // visibility map that lets counts be answered from an index alone); done here at once.
  await store.exec('VACUUM (ANALYZE) audit.access_items');
  await store.exec('VACUUM (ANALYZE) audit.events');
  const built = ms(building);
  // The real indexer from the bulk state on: verifies each tail event and its link to the hash
  // index_state names, then indexes it. A bulk state off by one event would break the chain here.
  const tail = process.hrtime.bigint();
  const pass = await indexPass(store, { jwks: { keys: [] } });
  if (pass.broken.length > 0) throw new Error(`the indexer found chains broken after the bulk fill: ${pass.broken.join(', ')}`);
  const [counts] = await store.query(sql`
    SELECT (SELECT count(*) FROM audit.access_items) AS indexed, (SELECT sum(item_count) FROM audit.events) AS held,
      (SELECT sum(items_checked) FROM audit.index_state) AS checked,
      (SELECT bool_and(s.indexed_seq = h.head_seq) FROM audit.chain_heads() h JOIN audit.index_state s USING (chain)) AS caught_up`);
  const indexed = Number(counts?.['indexed']);
  const held = Number(counts?.['held']);
  if (indexed !== held || Number(counts?.['checked']) !== held || counts?.['caught_up'] !== true) {
    throw new Error(`index inconsistent after the fill: ${indexed} items indexed, ${held} in events, ${String(counts?.['checked'])} counted checked, caught up ${String(counts?.['caught_up'])}`);
  }
  log({
    step: 'fill the auditors index (bulk copy, index build, then the real indexer on the tails)',
    bulkItems,
    bulkCopySeconds: round(copied / 1000),
    indexBuildSeconds: round(built / 1000),
    indexerTailEvents: pass.events,
    indexerTailItems: pass.items,
    indexerTailSeconds: round(ms(tail) / 1000),
    indexedItems: indexed,
    consistent: true,
  });
}

/**
 * audit:verify's walk over the whole log, in this thread and with worker threads
 * (verify-pool.ts), alternating, the same run: CPU per record counts every thread of the process.
 */
async function verifyWhole(store: Store, url: string): Promise<void> {
  const pool = startVerifyPool(url, VERIFY_WORKERS);
  try {
    for (const workers of [0, VERIFY_WORKERS, 0, VERIFY_WORKERS]) {
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      const status = await verifyChains(store, { jwks: { keys: [] }, ...(workers === 0 ? {} : { pool }) });
      const seconds = ms(started) / 1000;
      const used = process.cpuUsage(cpu);
      if (!status.valid) throw new Error(`the seeded log does not verify: ${status.reason ?? '?'}`);
      log({ step: 'verifyChains over the whole log', workers, valid: status.valid, records: status.checkedEntries, events: status.checkedEvents, seconds: round(seconds), recordsPerSecond: Math.round(status.checkedEntries / seconds), nodeCpuMicrosPerRecord: round((used.user + used.system) / status.checkedEntries) });
    }
  } finally {
    await pool.close();
  }
}

const HISTORY = `query History($id: ID!, $first: Int, $after: String) {
  personAccessHistory(personId: $id, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at subjectSub subjectOrg purpose action recordType recordId decision fieldsReleased fieldsRedacted rules itemCount hash } }
  }
}`;
const BY_SUBJECT = `query BySubject($id: String, $first: Int, $after: String) {
  accessLog(filter: { subjectSub: $id }, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at subjectSub subjectOrg purpose action recordType recordId decision fieldsReleased fieldsRedacted rules itemCount hash } }
  }
}`;

interface Connection {
  readonly totalCount: number;
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly edges: readonly unknown[];
}

async function queries(databaseName: string, settingsEnv: NodeJS.ProcessEnv): Promise<void> {
  const federation = await startFederation({ settings: readSettings(settingsEnv), services: ['audit'], ephemeralPorts: true, seed: false });
  try {
    const endpoint = federation.urls.audit;
    if (endpoint === undefined) throw new Error('the audit subgraph did not start');
    const token = await mintToken(PERSONAS.auditor, { expiresIn: 3_600 });
    const ask = async (query: string, variables: Record<string, unknown>, field: string): Promise<{ ms: number; page: Connection }> => {
      const started = process.hrtime.bigint();
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose-of-use': 'OVERSIGHT_AUDIT' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, Connection>; errors?: unknown };
      const took = ms(started);
      const result = body.data?.[field];
      if (response.status !== 200 || result === undefined || body.errors !== undefined) throw new Error(`${field} failed: ${response.status} ${JSON.stringify(body.errors ?? body)}`);
      return { ms: took, page: result };
    };
    const byCount = (counts: Uint32Array): { many: number; few: number } => {
      // Most seen, and least seen among those seen at all.
      let many = 0;
      let few = -1;
      for (let i = 0; i < counts.length; i += 1) {
        const n = counts[i] ?? 0;
        if (n > (counts[many] ?? 0)) many = i;
        if (n > 0 && (few < 0 || n < (counts[few] ?? 0))) few = i;
      }
      return { many, few: Math.max(0, few) };
    };
    const persons = byCount(personCounts);
    const subjects = byCount(subjectCounts);
    const cases = [
      { what: 'personAccessHistory', who: 'person seen most', query: HISTORY, field: 'personAccessHistory', id: personOf(persons.many), records: personCounts[persons.many] },
      { what: 'personAccessHistory', who: 'person seen rarely', query: HISTORY, field: 'personAccessHistory', id: personOf(persons.few), records: personCounts[persons.few] },
      { what: 'accessLog(filter: { subjectSub })', who: 'subject reading most', query: BY_SUBJECT, field: 'accessLog', id: subjectOf(subjects.many).sub, records: subjectCounts[subjects.many] },
      { what: 'accessLog(filter: { subjectSub })', who: 'subject reading rarely', query: BY_SUBJECT, field: 'accessLog', id: subjectOf(subjects.few).sub, records: subjectCounts[subjects.few] },
    ];
    for (const c of cases) {
      // The later page's cursor: follow endCursor page by page, as a client would.
      let after: string | null = null;
      let depth = 1;
      for (; depth < LATER_PAGE; depth += 1) {
        const { page: p } = await ask(c.query, { id: c.id, first: FIRST, after }, c.field);
        if (!p.pageInfo.hasNextPage) break;
        after = p.pageInfo.endCursor;
      }
      for (const [which, cursor, pageNo] of [['first page', null, 1], ['later page', after, depth]] as const) {
        if (which === 'later page' && cursor === null) continue;
        const times: number[] = [];
        let total = 0;
        let rows = 0;
        // Warm-up: the first call after start pays connection set-up and plan caching.
        await ask(c.query, { id: c.id, first: FIRST, after: cursor }, c.field);
        // CPU per call, which a shared machine's load moves far less than latency: this process
        // (client, subgraph, its indexer) and the PostgreSQL backends serving this database.
        const nodeCpu = process.cpuUsage();
        const pgCpu = postgresBackendsCpu(databaseName);
        for (let i = 0; i < CALLS; i += 1) {
          const r = await ask(c.query, { id: c.id, first: FIRST, after: cursor }, c.field);
          times.push(r.ms);
          total = r.page.totalCount;
          rows = r.page.edges.length;
        }
        const nodeMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(nodeCpu)) / CALLS;
        let pgSeconds = 0;
        for (const [pid, seconds] of postgresBackendsCpu(databaseName)) pgSeconds += seconds - (pgCpu.get(pid) ?? 0);
        times.sort((a, b) => a - b);
        log({ nodeCpuMsPerCall: round(nodeMs), postgresCpuMsPerCall: round((pgSeconds * 1000) / CALLS), query: c.what, who: c.who, id: c.id, seeded: c.records, totalCount: total, page: `${which} (${pageNo})`, first: FIRST, returned: rows, calls: CALLS, p50Ms: round(pct(times, 0.5)), p99Ms: round(pct(times, 0.99)), maxMs: round(times[times.length - 1] ?? 0) });
      }
    }
  } finally {
    await federation.close();
  }
}

const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? 0;
const round = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * The counts behind personAccessHistory's totalCount for the person seen most, before and after
 * migration 011 (same run, same data): the one OR condition as the API asked it until then, and
 * the two disjoint parts it asks now (query.ts filterParts). Plans and times on stderr; the
 * execution times also as a JSON line.
 */
async function explain(store: Store): Promise<void> {
  let many = 0;
  for (let i = 0; i < personCounts.length; i += 1) if ((personCounts[i] ?? 0) > (personCounts[many] ?? 0)) many = i;
  const id = personOf(many);
  const plans = {
    'count, one OR condition (before)': sql`SELECT count(*) FROM audit.access_items e WHERE (e.person_id = ${id} OR (e.record_type = 'Person' AND e.record_id = ${id}))`,
    'count, two disjoint parts (after)': sql`SELECT (SELECT count(*) FROM audit.access_items e WHERE e.person_id = ${id})
      + (SELECT count(*) FROM audit.access_items e WHERE e.record_type = 'Person' AND e.record_id = ${id} AND e.person_id IS DISTINCT FROM ${id})`,
  };
  const times: Record<string, number[]> = {};
  // Alternating, three times each: the first of each pays for cold pages.
  for (let round = 0; round < 3; round += 1) {
    for (const [name, statement] of Object.entries(plans)) {
      const plan = await store.query(sql`EXPLAIN (ANALYZE, BUFFERS) ${statement}`);
      const lines = plan.map((row) => String(row['QUERY PLAN']));
      if (round === 2) console.error(`-- ${name}\n${lines.join('\n')}`);
      const ms = Number(/Execution Time: ([0-9.]+) ms/.exec(lines.join('\n'))?.[1]);
      (times[name] ??= []).push(ms);
    }
  }
  log({ step: 'EXPLAIN ANALYZE of the person count', id, executionMs: times });
}

const database = await createBenchDatabase('_audit_scale');
const store = openPostgres({ connectionString: database.url, poolSize: 4, statementTimeoutMs: 3_600_000 });
try {
  await migrate(store);
  const seeded = await seedEvents(store);
  await fillIndex(store, seeded);
  if (!flags['no-verify']) await verifyWhole(store, database.url);
  if (flags.explain) await explain(store);
  await queries(database.name, { ...process.env, DATABASE_URL: database.url, SEED_SCALE: 'off', RATE_LIMIT_PER_SUBJECT: '0', RATE_LIMIT_PER_ORG: '0' });
} finally {
  await store.close();
  await database.drop();
}
