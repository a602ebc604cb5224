import { join, raw, sql, type Queryable } from '../store/index.js';
import { arrayLiteral, element } from './array-literal.js';
import { entryHash, GENESIS_HASH, isHash } from './chain.js';
import type { AuditContent } from './entry.js';
import { int } from './entry-row.js';

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * The entries of one commit chained from `from`, as columns (ENTRY_COLUMN_TYPES order), each
 * already one PostgreSQL array literal.
 */
export interface ChainedRows {
  readonly from: ChainHead;
  readonly last: ChainHead;
  readonly columns: readonly string[];
}

/**
 * The columns of `audit.entries` an append writes after `chain`, in the order of
 * `audit.append_entries`'s parameters, each with the type its values travel as. text[] columns
 * travel as text (one array literal per row), because unnest() of a 2-D array cannot carry
 * ragged rows; the function casts them back per row.
 */
const ENTRY_COLUMN_TYPES = [
  ['seq', 'bigint'],
  ['at', 'timestamptz'],
  ['request_id', 'text'],
  ['operation_name', 'text'],
  ['operation_hash', 'text'],
  ['subject_iss', 'text'],
  ['subject_sub', 'text'],
  ['agency', 'text'],
  ['subject_org', 'text'],
  ['roles', 'text[]'],
  ['purpose', 'text'],
  ['justification', 'text'],
  ['action', 'text'],
  ['record_type', 'text'],
  ['record_id', 'text'],
  ['owner_org', 'text'],
  ['person_id', 'text'],
  ['fields_released', 'text[]'],
  ['fields_redacted', 'text[]'],
  ['decision', 'text'],
  ['rules', 'text[]'],
  ['service', 'text'],
  ['reason', 'text'],
  ['prev_hash', 'text'],
  ['hash', 'text'],
] as const;

export function chainRows(chain: string, from: ChainHead, contents: readonly AuditContent[]): ChainedRows {
  const columns: string[] = ENTRY_COLUMN_TYPES.map(() => '{');
  let { seq, hash } = from;
  contents.forEach((content, i) => {
    seq += 1;
    const prevHash = hash;
    hash = entryHash(chain, seq, content, prevHash);
    const { subject } = content;
    const row = [
      String(seq),
      element(content.at.toISOString()),
      element(content.requestId),
      element(content.operationName),
      element(content.operationHash),
      element(subject?.iss ?? null),
      element(subject?.sub ?? null),
      element(subject?.agency ?? null),
      element(subject?.org ?? null),
      element(arrayLiteral(subject?.roles ?? [])),
      element(content.purpose),
      element(content.justification),
      element(content.action),
      element(content.recordType),
      element(content.recordId),
      element(content.ownerOrg),
      element(content.personId),
      element(arrayLiteral(content.fieldsReleased)),
      element(arrayLiteral(content.fieldsRedacted)),
      element(content.decision),
      element(arrayLiteral(content.rules)),
      element(content.service),
      element(content.reason),
      element(prevHash),
      element(hash),
    ];
    const separator = i > 0 ? ',' : '';
    row.forEach((value, column) => {
      columns[column] += separator + value;
    });
  });
  return { from, last: { seq, hash }, columns: columns.map((column) => `${column}}`) };
}

/**
 * One call of `audit.append_entries` for any number of entries: every column travels as one
 * array parameter, turned back into rows by unnest() in the database. (jsonb_to_recordset,
 * used before, spent more server CPU converting the document than the INSERT itself;
 * json_to_recordset is slower still with array columns: measured by bench/.)
 */
export async function appendRows(db: Queryable, chain: string, rows: ChainedRows): Promise<{ appended: boolean }> {
  const arrays = join(ENTRY_COLUMN_TYPES.map(([, type], i) => sql`${rows.columns[i]}::${raw(type === 'text[]' ? 'text' : type)}[]`));
  const result = await db.query(sql`SELECT appended FROM audit.append_entries(${chain}, ${rows.from.seq}, ${rows.from.hash}, ${arrays})`);
  return { appended: result[0]?.['appended'] === true };
}

/**
 * Takes the chain's append lock for the rest of the transaction and returns its head (seq 0 and
 * the genesis hash for a new chain). See audit.lock_chain in the migration for why this is one
 * function call and not two statements here.
 */
export async function lockChain(tx: Queryable, chain: string): Promise<ChainHead> {
  const rows = await tx.query(sql`SELECT head_seq, head_hash FROM audit.lock_chain(${chain})`);
  const head = rows[0];
  if (head === undefined) return { seq: 0, hash: GENESIS_HASH };
  const hash = head['head_hash'];
  if (!isHash(hash)) throw new Error(`audit chain ${chain}: the head's hash is malformed`);
  return { seq: int(head, 'head_seq'), hash };
}
