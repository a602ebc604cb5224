import { isOneOf, SERVICES } from '../domain.js';
import { raw, type Row, type Sql } from '../store/index.js';
import { isHash } from './chain.js';
import { itemId } from './event-format.js';
import { isAuditAction, isAuditDecision, type AuditContent, type AuditEntry } from './entry.js';

/**
 * The one mapping between per-item rows (the `audit.entries` view, or an access_items row joined
 * with its event) and AuditEntry. Rows enter as unknown: a value the writer could not have
 * stored (wrong type, unknown enum) throws instead of being trusted.
 */
export const ENTRY_COLUMNS: Sql = raw(
  `e.chain, e.seq, e.item, e.item_count, e.at, e.request_id, e.operation_name, e.operation_hash, e.subject_iss, e.subject_sub,
   e.agency, e.subject_org, e.roles, e.purpose, e.justification, e.action, e.record_type, e.record_id, e.owner_org,
   e.person_id, e.fields_released, e.fields_redacted, e.decision, e.rules, e.service, e.reason, e.prev_hash, e.hash`,
);

const isServiceName = isOneOf(SERVICES);

export class MalformedRowError extends Error {
  override readonly name = 'MalformedRowError';
}

export function parseEntryRow(row: Row): AuditEntry {
  const chain = str(row, 'chain');
  const seq = int(row, 'seq');
  const item = int(row, 'item');
  const action = row['action'];
  const decision = row['decision'];
  const service = row['service'];
  if (!isAuditAction(action)) throw new MalformedRowError(`entry ${chain}:${seq}: unknown action ${String(action)}`);
  if (!isAuditDecision(decision)) throw new MalformedRowError(`entry ${chain}:${seq}: unknown decision ${String(decision)}`);
  if (!isServiceName(service)) throw new MalformedRowError(`entry ${chain}:${seq}: unknown service ${String(service)}`);
  const iss = optStr(row, 'subject_iss');
  const sub = optStr(row, 'subject_sub');
  const agency = optStr(row, 'agency');
  const org = optStr(row, 'subject_org');
  const roles = strs(row, 'roles');
  const subject =
    iss === null && sub === null && agency === null && org === null && roles.length === 0
      ? null
      : { iss: req(iss, 'subject_iss'), sub: req(sub, 'subject_sub'), agency: req(agency, 'agency'), org: req(org, 'subject_org'), roles };
  const prevHash = row['prev_hash'];
  const hash = row['hash'];
  if (!isHash(prevHash) || !isHash(hash)) throw new MalformedRowError(`entry ${chain}:${seq}: malformed hash`);
  const content: AuditContent = {
    at: date(row, 'at'),
    requestId: str(row, 'request_id'),
    operationName: optStr(row, 'operation_name'),
    operationHash: optStr(row, 'operation_hash'),
    subject,
    purpose: optStr(row, 'purpose'),
    justification: optStr(row, 'justification'),
    action,
    recordType: optStr(row, 'record_type'),
    recordId: optStr(row, 'record_id'),
    ownerOrg: optStr(row, 'owner_org'),
    personId: optStr(row, 'person_id'),
    fieldsReleased: strs(row, 'fields_released'),
    fieldsRedacted: strs(row, 'fields_redacted'),
    decision,
    rules: strs(row, 'rules'),
    service,
    reason: optStr(row, 'reason'),
  };
  return { ...content, id: itemId(chain, seq, item), chain, seq, item, itemCount: int(row, 'item_count'), prevHash, hash };
}

/*
 * The one set of row readers for audit rows (entries, events, the indexer's and the API's reads):
 * a value no writer could have stored throws MalformedRowError, which verifiers report as the break.
 */
export function str(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new MalformedRowError(`audit row: ${column} must be text, got ${typeof value}`);
  return value;
}

export function optStr(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new MalformedRowError(`audit row: ${column} must be text or null, got ${typeof value}`);
  return value;
}

function req(value: string | null, column: string): string {
  if (value === null) throw new MalformedRowError(`audit row: ${column} is null while the subject's other columns are set`);
  return value;
}

const strs = (row: Row, column: string): readonly string[] => strings(row[column], `audit row: ${column}`);

/** A list of strings (a text[] column, or a list inside an item); `what` names it in the error. */
export function strings(value: unknown, what: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((item: unknown) => typeof item === 'string')) throw new MalformedRowError(`${what} must be a list of strings`);
  return value as readonly string[];
}

/** int8 arrives as number (the pg parser set in lib/store), bigint or string depending on the driver. */
export function int(row: Row, column: string): number {
  const value = row[column];
  const number = typeof value === 'number' ? value : typeof value === 'bigint' || typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) throw new MalformedRowError(`audit row: ${column} must be an integer, got ${String(value)}`);
  return number;
}

export function date(row: Row, column: string): Date {
  const value = row[column];
  const parsed = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (parsed === undefined || Number.isNaN(parsed.getTime())) throw new MalformedRowError(`audit row: ${column} must be a timestamp`);
  return parsed;
}
