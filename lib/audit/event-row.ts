import { isOneOf, SERVICES } from '../domain.js';
import { raw, type Row, type Sql } from '../store/index.js';
import { entryHash, isHash } from './chain.js';
import { isAuditAction, isAuditDecision, type AuditContent } from './entry.js';
import { date, int, MalformedRowError, optStr, str, strings } from './entry-row.js';
import { canonicalHeader, eventHash, itemsRoot, type AuditEventHeader, type AuditEventItem } from './event-format.js';

/**
 * The one mapping between `audit.events` rows and what verifiers compute over. A value no
 * writer could have stored throws MalformedRowError, which the verifier reports as the break.
 */
export const eventColumns = (alias: string): Sql =>
  raw(
    ['chain', 'seq', 'version', 'at', 'request_id', 'operation_name', 'operation_hash', 'subject_iss', 'subject_sub', 'agency',
      'subject_org', 'roles', 'purpose', 'justification', 'action', 'record_type', 'service', 'reason', 'item_count', 'items',
      'items_root', 'prev_hash', 'hash'].map((column) => `${alias}.${column}`).join(', '),
  );

/** The columns parseEventRow reads, for alias `e`. */
export const EVENT_COLUMNS: Sql = eventColumns('e');

export interface StoredEvent {
  readonly chain: string;
  readonly seq: number;
  /** 1: a legacy per-record entry (tributary-audit/1); 2: an event (tributary-audit-event/2). */
  readonly version: 1 | 2;
  readonly header: AuditEventHeader;
  readonly items: readonly AuditEventItem[];
  /** The items' canonical texts (the Merkle leaves' data), in order. */
  readonly itemTexts: readonly string[];
  /** The item_count column (the hash covers the number of items actually held). */
  readonly itemCountColumn: number;
  /** The items_root column: null for version 1. */
  readonly itemsRootColumn: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

const isServiceName = isOneOf(SERVICES);

export function parseEventRow(row: Row): StoredEvent {
  const chain = str(row, 'chain');
  const seq = int(row, 'seq');
  const where = `event ${chain}:${seq}`;
  const version = int(row, 'version');
  if (version !== 1 && version !== 2) throw new MalformedRowError(`${where}: unknown version ${version}`);
  const { action, service } = row;
  if (!isAuditAction(action)) throw new MalformedRowError(`${where}: unknown action ${String(action)}`);
  if (!isServiceName(service)) throw new MalformedRowError(`${where}: unknown service ${String(service)}`);
  const iss = optStr(row, 'subject_iss');
  const sub = optStr(row, 'subject_sub');
  const agency = optStr(row, 'agency');
  const org = optStr(row, 'subject_org');
  const roles = strings(row['roles'], `${where}: roles`);
  const subject =
    iss === null && sub === null && agency === null && org === null && roles.length === 0
      ? null
      : iss !== null && sub !== null && agency !== null && org !== null
        ? { iss, sub, agency, org, roles }
        : malformed(`${where}: the subject's columns are partly null`);
  const { prev_hash: prevHash, hash, items_root: rootColumn } = row;
  if (!isHash(prevHash) || !isHash(hash)) throw new MalformedRowError(`${where}: malformed hash`);
  if (rootColumn !== null && !isHash(rootColumn)) throw new MalformedRowError(`${where}: malformed items_root`);
  const { items, itemTexts } = parseItems(str(row, 'items'), where);
  return {
    chain,
    seq,
    version,
    header: {
      at: date(row, 'at'),
      requestId: str(row, 'request_id'),
      operationName: optStr(row, 'operation_name'),
      operationHash: optStr(row, 'operation_hash'),
      subject,
      purpose: optStr(row, 'purpose'),
      justification: optStr(row, 'justification'),
      action,
      recordType: optStr(row, 'record_type'),
      service,
      reason: optStr(row, 'reason'),
    },
    items,
    itemTexts,
    itemCountColumn: int(row, 'item_count'),
    itemsRootColumn: rootColumn,
    prevHash,
    hash,
  };
}

/**
 * The `items` text as items, and each item's canonical text. Each element is validated as a
 * CanonicalItemArray and re-serialized with JSON.stringify, which for such an array IS the
 * canonical text (event-format.ts): so the leaves hashed are exactly what the format defines,
 * whatever spacing the stored text has (version-1 rows were written by PostgreSQL).
 */
export function parseItems(text: string, where: string): { items: AuditEventItem[]; itemTexts: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedRowError(`${where}: items is not JSON`);
  }
  if (!Array.isArray(value) || value.length === 0) throw new MalformedRowError(`${where}: items must be a non-empty JSON array`);
  const items: AuditEventItem[] = [];
  const itemTexts: string[] = [];
  value.forEach((element: unknown, i) => {
    const bad = (): never => malformed(`${where}: item ${i} is not an item array`);
    if (!Array.isArray(element) || element.length !== 7) return bad();
    const [recordId, ownerOrg, personId, released, redacted, decision, rules] = element as unknown[];
    if (!optString(recordId) || !optString(ownerOrg) || !optString(personId) || !isAuditDecision(decision)) return bad();
    items.push({
      recordId,
      ownerOrg,
      personId,
      fieldsReleased: strings(released, `${where}: item ${i} fieldsReleased`),
      fieldsRedacted: strings(redacted, `${where}: item ${i} fieldsRedacted`),
      decision,
      rules: strings(rules, `${where}: item ${i} rules`),
    });
    itemTexts.push(JSON.stringify(element));
    return undefined;
  });
  return { items, itemTexts };
}

/**
 * Why the event does not match its own hash, or null when it does. Version 2: the event hash
 * over prev hash, canonical header and the items' Merkle root, and the stored items_root and
 * item_count must agree with the items. Version 1: the legacy entry hash over its one record.
 */
export function eventMismatch(chain: string, event: StoredEvent): string | null {
  if (event.itemCountColumn !== event.items.length) return `item_count says ${event.itemCountColumn} but the event holds ${event.items.length} items`;
  if (event.version === 1) {
    const [item] = event.items;
    if (item === undefined || event.items.length !== 1 || event.itemsRootColumn !== null) return 'a legacy entry must hold exactly one item and no items root';
    const { service } = event.header;
    if (!isServiceName(service)) return `unknown service ${service}`;
    const content: AuditContent = { ...event.header, service, ...item };
    return entryHash(chain, event.seq, content, event.prevHash) === event.hash ? null : 'its content no longer matches its hash';
  }
  const root = itemsRoot(event.itemTexts);
  if (event.itemsRootColumn !== root) return 'its items no longer match its items root';
  const hash = eventHash(event.prevHash, canonicalHeader(chain, event.seq, event.header, event.items.length), root);
  return hash === event.hash ? null : 'its content no longer matches its hash';
}

function malformed(message: string): never {
  throw new MalformedRowError(message);
}

const optString = (value: unknown): value is string | null => value === null || typeof value === 'string';
