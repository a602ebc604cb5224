import type { AuditContent, AuditSubject } from './entry.js';
import { canonicalItemWith, itemsRoot, type AuditEventHeader } from './event-format.js';

/**
 * An event as the writer holds it before it has a place in a chain: everything that does not
 * depend on seq or the previous hash is computed here, once, on the caller's tick (the items'
 * canonical texts and their Merkle root), so a group commit only adds the header and the links.
 */
export interface PreparedEvent {
  readonly header: AuditEventHeader;
  readonly itemCount: number;
  /** The `items` column: a JSON array of the items' canonical arrays, exactly the hashed bytes. */
  readonly items: string;
  /** hex MTH over the items' canonical texts. */
  readonly itemsRoot: string;
}

/**
 * The entries of ONE `append` call as events: one per distinct header (request, service, action,
 * record type and every other shared field, the time included), in order of first appearance,
 * items in the order given. Entries that differ in any header field go to different events, so
 * nothing an item claims is ever attributed to another header.
 */
export function eventsOf(contents: readonly AuditContent[]): PreparedEvent[] {
  // Items are kept as their canonical texts straight away: the only form hashed and stored.
  const groups: { header: AuditEventHeader; items: string[] }[] = [];
  // The common case is one header for a whole page: compare with the last group first, and only
  // fall back to a map keyed by the header's text when headers alternate.
  let last: { header: AuditEventHeader; items: string[] } | undefined;
  let byKey: Map<string, { header: AuditEventHeader; items: string[] }> | undefined;
  const lists = new Map<readonly string[], string>();
  for (const content of contents) {
    // An AuditContent carries every item member under the same names (canonicalItem reads only those).
    const item = canonicalItemWith(content, lists);
    if (last !== undefined && sameHeader(last.header, content)) {
      last.items.push(item);
      continue;
    }
    if (byKey === undefined) {
      byKey = new Map();
      for (const group of groups) byKey.set(headerKey(group.header), group);
    }
    const key = headerKey(content);
    let group = byKey.get(key);
    if (group === undefined) {
      group = { header: headerOf(content), items: [] };
      groups.push(group);
      byKey.set(key, group);
    }
    group.items.push(item);
    last = group;
  }
  return groups.map(({ header, items }) => ({ header, itemCount: items.length, items: `[${items.join(',')}]`, itemsRoot: itemsRoot(items) }));
}

function headerOf(content: AuditContent): AuditEventHeader {
  return {
    at: content.at,
    requestId: content.requestId,
    operationName: content.operationName,
    operationHash: content.operationHash,
    subject: content.subject,
    purpose: content.purpose,
    justification: content.justification,
    action: content.action,
    recordType: content.recordType,
    service: content.service,
    reason: content.reason,
  };
}

function sameHeader(header: AuditEventHeader, content: AuditContent): boolean {
  return (
    header.at.getTime() === content.at.getTime() &&
    header.requestId === content.requestId &&
    header.operationName === content.operationName &&
    header.operationHash === content.operationHash &&
    sameSubject(header.subject, content.subject) &&
    header.purpose === content.purpose &&
    header.justification === content.justification &&
    header.action === content.action &&
    header.recordType === content.recordType &&
    header.service === content.service &&
    header.reason === content.reason
  );
}

function sameSubject(a: AuditSubject | null, b: AuditSubject | null): boolean {
  // The writer's entries of one call share one subject copy (normalizeEntries): mostly the same object.
  if (a === b) return true;
  if (a === null || b === null) return false;
  return a.iss === b.iss && a.sub === b.sub && a.agency === b.agency && a.org === b.org && a.roles.length === b.roles.length && a.roles.every((role, i) => role === b.roles[i]);
}

const headerKey = (h: AuditEventHeader): string =>
  JSON.stringify([
    h.at.getTime(),
    h.requestId,
    h.operationName,
    h.operationHash,
    h.subject === null ? null : [h.subject.iss, h.subject.sub, h.subject.agency, h.subject.org, h.subject.roles],
    h.purpose,
    h.justification,
    h.action,
    h.recordType,
    h.service,
    h.reason,
  ]);
