import { createHash } from 'node:crypto';
import type { AuditContent } from './entry.js';

/** The predecessor of every chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Bumped if the encoding ever changes; part of every hashed text, so old entries stay verifiable. */
export const CANONICAL_VERSION = 'tributary-audit/1';

/**
 * The canonical encoding of an entry: a JSON array with every member in a fixed order (so key
 * order can never differ between writer and verifier), times as UTC ISO strings with
 * milliseconds, arrays in the order given, absent values as null. Chain id and position are
 * part of it, so an entry cannot be moved to another place, or another chain, unnoticed.
 *
 * Load-bearing: the writer and every verifier must produce byte-identical text; change nothing
 * here without bumping CANONICAL_VERSION and keeping the old encoding for old entries.
 */
export function canonicalEntry(chain: string, seq: number, content: AuditContent): string {
  const { subject } = content;
  return JSON.stringify([
    CANONICAL_VERSION,
    chain,
    seq,
    content.at.toISOString(),
    content.requestId,
    content.operationName,
    content.operationHash,
    subject?.iss ?? null,
    subject?.sub ?? null,
    subject?.agency ?? null,
    subject?.org ?? null,
    subject?.roles ?? [],
    content.purpose,
    content.justification,
    content.action,
    content.recordType,
    content.recordId,
    content.ownerOrg,
    content.personId,
    content.fieldsReleased,
    content.fieldsRedacted,
    content.decision,
    content.rules,
    content.service,
    content.reason,
  ]);
}

/** SHA-256 (hex) over the canonical content, a newline, and the predecessor's hash. */
export function chainHash(canonical: string, prevHash: string): string {
  return createHash('sha256').update(canonical).update('\n').update(prevHash).digest('hex');
}

export const entryHash = (chain: string, seq: number, content: AuditContent, prevHash: string): string =>
  chainHash(canonicalEntry(chain, seq, content), prevHash);

export const isHash = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
