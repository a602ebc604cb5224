import { chainRows } from '../lib/audit/chain-rows.js';
import { GENESIS_HASH } from '../lib/audit/chain.js';
import { normalizeEntries, type AuditEntryInput } from '../lib/audit/entry.js';
import { eventsOf } from '../lib/audit/event-build.js';
import { checkEventRow } from '../lib/audit/event-verify.js';
import type { Row } from '../lib/store/index.js';

/**
 * The audit log's Node-side CPU per record, with no database (issue 12): `npx tsx
 * bench/audit-cpu.ts`. Separates what the machine's load does to the PostgreSQL figures from
 * what the code costs, so a change can be compared before/after in one run.
 *
 *  - build: normalizeEntries + eventsOf + chainRows, i.e. what the writer does per append on the
 *    request path (items' canonical texts, leaves, Merkle root, header, links, array literals);
 *  - verify: what audit:verify does per stored row once PostgreSQL has returned it (the rows
 *    are shaped as the pg driver returns them).
 * Output: one JSON line per part, microseconds of CPU per record and records per CPU-second.
 */
const PAGE = Number(process.env['PAGE'] ?? 100);
const EVENTS = Number(process.env['EVENTS'] ?? 5_000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);

/**
 * A page as the access funnel hands it over (lib/access/funnel.ts): one subject object per
 * request, and the same released/redacted/rules arrays for every record with the same outcome.
 */
const page = (r: number): AuditEntryInput[] => {
  const subject = { iss: 'tributary-dev-issuer', sub: 'ice-analyst@ice-hsi-tucson', agency: 'ICE', org: 'ice-hsi-tucson', roles: ['analyst'] };
  const fieldsReleased = ['id', 'person', 'status', 'toFacility'];
  const fieldsRedacted: string[] = [];
  const rules = ['owner.read', 'owner.pii'];
  return Array.from({ length: PAGE }, (_, i) => ({
    requestId: `bench-${r}`,
    operationName: 'TransfersPage',
    operationHash: 'b'.repeat(64),
    subject,
    purpose: 'CUSTODY_TRANSFER',
    justification: null,
    action: 'READ',
    recordType: 'Transfer',
    recordId: `T-${r}-${i}`,
    ownerOrg: 'ice-ero-phoenix',
    personId: `P-${i % 997}`,
    fieldsReleased,
    fieldsRedacted,
    decision: 'ALLOW',
    rules,
    service: 'ice',
    reason: null,
  }));
};

const cpuMicros = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** A stored row of `audit.events` from an unnest of the writer's array literals. */
function rowsOf(columns: readonly string[], items: readonly string[], count: number, chain: string): Row[] {
  // A one-dimensional PostgreSQL array literal as the writer sends it: "quoted" (\\ and \" escaped), NULL or a number.
  const parse = (literal: string): (string | null)[] => {
    const values: (string | null)[] = [];
    let i = 1;
    while (i < literal.length - 1) {
      if (literal[i] === '"') {
        // Flat strings as the driver returns them (a string built char by char is a rope, slower to scan).
        const start = (i += 1);
        for (; literal[i] !== '"'; i += 1) if (literal[i] === '\\') i += 1;
        values.push(literal.slice(start, i).replace(/\\(.)/g, '$1'));
        i += 1;
      } else {
        const end = literal.indexOf(',', i) === -1 ? literal.length - 1 : literal.indexOf(',', i);
        const bare = literal.slice(i, end);
        values.push(bare === 'NULL' ? null : bare);
        i = end;
      }
      i += 1; // the comma
    }
    return values;
  };
  const cols = columns.map(parse);
  const names = ['seq', 'at', 'request_id', 'operation_name', 'operation_hash', 'subject_iss', 'subject_sub', 'agency', 'subject_org', 'roles',
    'purpose', 'justification', 'action', 'record_type', 'service', 'reason', 'item_count', 'items_root', 'prev_hash', 'hash'];
  return Array.from({ length: count }, (_, e) => {
    const row: Record<string, unknown> = { chain, version: 2 };
    names.forEach((name, c) => {
      row[name] = cols[c]?.[e] ?? null;
    });
    row['at'] = new Date(String(row['at']));
    row['seq'] = String(row['seq']);
    row['item_count'] = Number(row['item_count']);
    row['roles'] = parse(String(row['roles']));
    // Sent as one parameter per event, outside the array literals (chain-rows.ts).
    row['items'] = items[e] ?? null;
    return row;
  });
}

function run(): void {
  const pages = Array.from({ length: EVENTS }, (_, r) => page(r));
  const now = new Date();
  let head = { seq: 0, hash: GENESIS_HASH };
  let rows: Row[] = [];
  const t0 = process.cpuUsage();
  const columnsPerBatch: { columns: string[]; items: readonly string[] }[] = [];
  for (let b = 0; b < EVENTS; b += 50) {
    const events = pages.slice(b, b + 50).flatMap((entries) => eventsOf(normalizeEntries(entries, now)));
    const chained = chainRows('ice', head, events);
    head = chained.last;
    columnsPerBatch.push({ columns: [...chained.columns], items: chained.items });
  }
  const build = cpuMicros(t0);
  for (const { columns, items } of columnsPerBatch) rows = rows.concat(rowsOf(columns, items, Math.min(50, EVENTS), 'ice'));
  let prev = GENESIS_HASH;
  const t1 = process.cpuUsage();
  for (const row of rows) {
    const result = checkEventRow('ice', row);
    if (!result.ok || result.mismatch !== null || result.prevHash !== prev) throw new Error(`bench: event ${String(row["seq"])} does not verify: ${JSON.stringify(result)}`);
    prev = result.hash;
  }
  const verify = cpuMicros(t1);
  const records = EVENTS * PAGE;
  const line = (part: string, micros: number): string =>
    JSON.stringify({ part, records, microsPerRecord: Number((micros / records).toFixed(3)), recordsPerCpuSecond: Math.round((records / micros) * 1e6) });
  console.log(line('build (request path, Node)', build));
  console.log(line('verify (per stored row, Node)', verify));
}

for (let i = 0; i < ROUNDS; i += 1) run();
