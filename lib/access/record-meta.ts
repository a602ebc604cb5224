import { AGENCIES, SENSITIVITIES, type RecordMeta } from '../domain.js';
import { sql, raw, type Sql } from '../store/sql.js';
import { date, oneOf, text, textArray } from '../store/row.js';
import type { Row } from '../store/store.js';

/**
 * The common metadata every shared record carries, read from the columns every table has.
 * Row readers add their own fields with `Object.assign(readMeta(row), { ... })`, not
 * `{ ...readMeta(row), ... }`: V8 builds a literal that starts with a spread and goes on with
 * more properties through its slow path, measured at about 40 times the cost of the record's
 * own reads (the largest self time of the subgraphs at N = 100, bench/results/before-after.md).
 */
export function readMeta(row: Row): RecordMeta {
  return {
    id: text(row, 'id'),
    ownerOrg: text(row, 'owner_org'),
    ownerAgency: oneOf(row, 'owner_agency', AGENCIES),
    sensitivity: oneOf(row, 'sensitivity', SENSITIVITIES),
    jurisdictions: textArray(row, 'jurisdictions'),
    disseminate: textArray(row, 'disseminate'),
    createdAt: date(row, 'created_at'),
    updatedAt: date(row, 'updated_at'),
  };
}

/** Policy columns for the metadata, qualified by a table alias (a trusted identifier). */
export function metaColumns(alias: string): Record<string, Sql> {
  const column = (name: string): Sql => raw(`${alias}.${name}`);
  return {
    id: column('id'),
    ownerOrg: column('owner_org'),
    ownerAgency: column('owner_agency'),
    sensitivity: column('sensitivity'),
    jurisdictions: column('jurisdictions'),
    disseminate: column('disseminate'),
    createdAt: column('created_at'),
    updatedAt: column('updated_at'),
  };
}

/**
 * The metadata columns of an INSERT, in the order `metaValues` fills them: every table of a
 * shared record starts with these (`INSERT INTO t (${META_INSERT_COLUMNS}, …) VALUES (${metaValues(record)}, …)`).
 */
export const META_INSERT_COLUMNS: Sql = raw('id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at');

/** The values of `META_INSERT_COLUMNS` for a record about to be stored, as the policy saw it. */
export const metaValues = (record: RecordMeta): Sql =>
  sql`${record.id}, ${record.ownerOrg}, ${record.ownerAgency}, ${record.sensitivity}, ${[...record.jurisdictions]}::text[],
      ${[...record.disseminate]}::text[], ${record.createdAt}, ${record.updatedAt}`;

export const idIn = (column: Sql, ids: readonly string[]): Sql => sql`${column} = ANY(${[...ids]}::text[])`;
