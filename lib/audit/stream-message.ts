import type { Row } from '../store/index.js';
import { GENESIS_HASH } from './chain.js';
import { EVENT_FORMAT } from './event-format.js';
import { checkEvent } from './indexer-event.js';
import type { ChainProblem } from './verify.js';

/**
 * An audit event as the stream carries it (stream TRIBUTARY_AUDIT, subject `audit.<chain>`):
 * the stored event exactly as needed to re-hash it, so that a consumer (a SIEM) can verify the
 * chains from the stream alone, with event-format.ts and any SHA-256. `items` is the stored text
 * of the items' canonical arrays; `header` holds the header's members, `at` as ISO-8601 UTC.
 */
export interface StreamMessage {
  readonly format: typeof EVENT_FORMAT;
  readonly chain: string;
  readonly seq: number;
  readonly version: number;
  readonly header: {
    readonly at: string;
    readonly requestId: unknown;
    readonly operationName: unknown;
    readonly operationHash: unknown;
    readonly subject: { readonly iss: unknown; readonly sub: unknown; readonly agency: unknown; readonly org: unknown; readonly roles: unknown } | null;
    readonly purpose: unknown;
    readonly justification: unknown;
    readonly action: unknown;
    readonly recordType: unknown;
    readonly service: unknown;
    readonly reason: unknown;
    readonly itemCount: unknown;
  };
  readonly items: unknown;
  readonly items_root: unknown;
  readonly prev_hash: unknown;
  readonly hash: unknown;
}

export const streamSubject = (prefix: string, chain: string): string => `${prefix}.${chain}`;

/**
 * The message of a stored row, taken as it is: the export publishes what the log holds, never
 * a corrected copy, so a consumer sees a tampered event as tampered.
 */
export function encodeStreamMessage(row: Row): StreamMessage {
  const at = row['at'];
  const sub = row['subject_sub'];
  return {
    format: EVENT_FORMAT,
    chain: String(row['chain']),
    seq: Number(row['seq']),
    version: Number(row['version']),
    header: {
      at: at instanceof Date ? at.toISOString() : String(at),
      requestId: row['request_id'],
      operationName: row['operation_name'],
      operationHash: row['operation_hash'],
      subject:
        sub === null && row['subject_iss'] === null
          ? null
          : { iss: row['subject_iss'], sub, agency: row['agency'], org: row['subject_org'], roles: row['roles'] },
      purpose: row['purpose'],
      justification: row['justification'],
      action: row['action'],
      recordType: row['record_type'],
      service: row['service'],
      reason: row['reason'],
      itemCount: Number(row['item_count']),
    },
    items: row['items'],
    items_root: row['items_root'],
    prev_hash: row['prev_hash'],
    hash: row['hash'],
  };
}

/** Back to the row shape the one event checker reads (indexer-event.ts), so both verify alike. */
function rowOf(message: StreamMessage): Row {
  const { header } = message;
  const subject = header.subject;
  return {
    chain: message.chain,
    seq: message.seq,
    version: message.version,
    at: header.at,
    request_id: header.requestId,
    operation_name: header.operationName,
    operation_hash: header.operationHash,
    subject_iss: subject?.iss ?? null,
    subject_sub: subject?.sub ?? null,
    agency: subject?.agency ?? null,
    subject_org: subject?.org ?? null,
    roles: subject?.roles ?? [],
    purpose: header.purpose,
    justification: header.justification,
    action: header.action,
    record_type: header.recordType,
    service: header.service,
    reason: header.reason,
    item_count: header.itemCount,
    items: message.items,
    items_root: message.items_root,
    prev_hash: message.prev_hash,
    hash: message.hash,
  };
}

export interface StreamChainReport {
  readonly chain: string;
  readonly valid: boolean;
  readonly events: number;
  readonly items: number;
  readonly headSeq: number;
  readonly headHash: string;
  /** Messages for an event already seen with the same hash (at-least-once delivery). */
  readonly duplicates: number;
  readonly firstBrokenEntry: string | null;
  readonly problem: ChainProblem | null;
  readonly reason: string | null;
}

/**
 * A stream consumer's verifier: feed it every message in stream order; it checks each chain
 * link by link from its first event (seq 1, or, with `startAfter`, a head the consumer already
 * trusts, e.g. a signed checkpoint's). Duplicates (same seq, same hash) are skipped; a different
 * event at a seen seq, a gap or a bad hash breaks the chain there, and it stays broken.
 */
export class StreamVerifier {
  private readonly chains = new Map<string, { seq: number; hash: string; events: number; items: number; duplicates: number; broken: Omit<StreamChainReport, 'chain' | 'valid' | 'events' | 'items' | 'headSeq' | 'headHash' | 'duplicates'> | null }>();

  constructor(private readonly startAfter: ReadonlyMap<string, { readonly seq: number; readonly hash: string }> = new Map()) {}

  add(data: string | Uint8Array): void {
    const message = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data)) as StreamMessage;
    const chain = String(message.chain);
    const start = this.startAfter.get(chain);
    let state = this.chains.get(chain);
    if (state === undefined) {
      state = { seq: start?.seq ?? 0, hash: start?.hash ?? GENESIS_HASH, events: 0, items: 0, duplicates: 0, broken: null };
      this.chains.set(chain, state);
    }
    if (state.broken !== null) return;
    const seq = Number(message.seq);
    if (seq <= state.seq) {
      // Seen already: at least once means a resend of the same event, never another one.
      if (seq === state.seq && message.hash === state.hash) state.duplicates += 1;
      else if (seq < state.seq) state.duplicates += 1;
      else state.broken = { firstBrokenEntry: `${chain}:${seq}`, problem: 'REORDERED', reason: `a second, different event ${chain}:${seq}` };
      return;
    }
    if (seq !== state.seq + 1) {
      state.broken = { firstBrokenEntry: `${chain}:${state.seq + 1}`, problem: 'MISSING', reason: `event ${chain}:${state.seq + 1} never came; the next was ${chain}:${seq}` };
      return;
    }
    const check = checkEvent(rowOf(message), state.hash);
    if (!check.ok) {
      state.broken = { firstBrokenEntry: check.brokenAt, problem: check.problem, reason: check.reason };
      return;
    }
    state.seq = seq;
    state.hash = check.event.hash;
    state.events += 1;
    state.items += check.event.itemCount;
  }

  report(): StreamChainReport[] {
    return [...this.chains].map(([chain, s]) => ({
      chain,
      valid: s.broken === null,
      events: s.events,
      items: s.items,
      headSeq: s.seq,
      headHash: s.hash,
      duplicates: s.duplicates,
      firstBrokenEntry: s.broken?.firstBrokenEntry ?? null,
      problem: s.broken?.problem ?? null,
      reason: s.broken?.reason ?? null,
    }));
  }
}
