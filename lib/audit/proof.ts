import { isRecord } from '../identity/jwk-validation.js';
import { isHash } from './chain.js';

/**
 * An INCLUSION PROOF (SPEC section 6, docs/audit.md "Inclusion proofs"): what an auditor hands a
 * court or an inspector to show that one record access is in the log, without the log. It holds
 *
 *   item        the item's canonical text (the exact bytes its leaf hashes), its id and fields
 *   leaf_index, tree_size, leaf_hash, path
 *               the RFC 6962 inclusion path from the item's leaf to the event's items_root
 *   event       the event's canonical header, items_root, prev_hash and hash
 *   links       every later event of the chain up to the checkpoint: canonical header,
 *               items_root and hash, enough to recompute each hash from its predecessor
 *   checkpoint  the first signed checkpoint whose head is at or after the event: its compact
 *               JWS and key id
 *
 * Every hash a verifier needs is recomputed from canonical texts; the hashes written in the proof
 * only let a failure be named precisely. The decoded `fields` are a reading aid and must agree
 * with the canonical texts they come from. The signing key is NEVER in the proof: the verifier
 * takes it from the audit service's published JWKS (lib/audit/proof-verify.ts).
 *
 * Legacy events (version 1, written before events existed, one record each): `event.header` is
 * the record's `tributary-audit/1` canonical entry (lib/audit/chain.ts), which holds the item's
 * seven members at positions 16..22; the path is empty, leaf_index 0, tree_size 1, items_root
 * null, and hash = SHA-256(header || "\n" || prev_hash). Links to version-1 events are the same.
 */
export const PROOF_FORMAT = 'tributary-audit-proof/1';

/** An item's members as the API names them (AccessEvent), decoded from its canonical text. */
export interface ProofItemFields {
  readonly recordId: string | null;
  readonly ownerOrg: string | null;
  readonly personId: string | null;
  readonly fieldsReleased: readonly string[];
  readonly fieldsRedacted: readonly string[];
  readonly decision: string;
  readonly rules: readonly string[];
}

/** An event header's members, decoded from its canonical text. */
export interface ProofHeaderFields {
  readonly chain: string;
  readonly seq: number;
  readonly at: string;
  readonly requestId: string;
  readonly operationName: string | null;
  readonly operationHash: string | null;
  readonly subjectIss: string | null;
  readonly subjectSub: string | null;
  readonly agency: string | null;
  readonly subjectOrg: string | null;
  readonly roles: readonly string[];
  readonly purpose: string | null;
  readonly justification: string | null;
  readonly action: string;
  readonly recordType: string | null;
  readonly service: string;
  readonly reason: string | null;
  readonly itemCount: number;
}

export type EventVersion = 1 | 2;

export interface ProofItem {
  /** `<chain>:<seq>.<item>` (AccessEvent.id). */
  readonly id: string;
  /** The canonical item array as text: leaf_hash = SHA-256(0x00 || UTF-8(canonical)). */
  readonly canonical: string;
  readonly fields: ProofItemFields;
}

export interface ProofEvent {
  readonly version: EventVersion;
  /** Version 2: the canonical header. Version 1: the tributary-audit/1 canonical entry. */
  readonly header: string;
  readonly fields: ProofHeaderFields;
  /** hex MTH of the event's items; null for version 1. */
  readonly items_root: string | null;
  readonly prev_hash: string;
  readonly hash: string;
}

/** A later event of the same chain, as much of it as recomputing its hash needs. */
export interface ProofLink {
  readonly seq: number;
  readonly version: EventVersion;
  readonly header: string;
  readonly items_root: string | null;
  readonly hash: string;
}

export interface ProofCheckpoint {
  /** The compact JWS: the only member the verifier trusts, after checking it with the JWKS. */
  readonly jws: string;
  readonly key_id: string;
  /** What the JWS payload says, repeated for reading; must agree with it. */
  readonly chain: string;
  readonly seq: number;
  readonly head_hash: string;
  readonly at: string;
  readonly kind: string;
}

export interface AuditProof {
  readonly format: typeof PROOF_FORMAT;
  readonly item: ProofItem;
  readonly leaf_index: number;
  readonly tree_size: number;
  readonly leaf_hash: string;
  /** Sibling hashes from the leaf up, nearest first (RFC 6962 PATH), hex. */
  readonly path: readonly string[];
  readonly event: ProofEvent;
  /** Events seq+1 .. checkpoint.seq, in order; empty when the checkpoint's head is the event. */
  readonly links: readonly ProofLink[];
  readonly checkpoint: ProofCheckpoint;
}

/** A proof that is not shaped as one (not an object, a member missing or of the wrong type). */
export class ProofFormatError extends Error {
  override readonly name = 'ProofFormatError';
}

/**
 * Checks the SHAPE of a proof read from outside (types, hex, integers); nothing about whether
 * its hashes hold, which is verifyProof's job. The decoded `fields` are taken as given here and
 * compared with the canonical texts by the verifier.
 */
export function parseProof(value: unknown): AuditProof {
  const proof = object(value, 'proof');
  if (proof['format'] !== PROOF_FORMAT) throw new ProofFormatError(`"format" must be "${PROOF_FORMAT}", got ${JSON.stringify(proof['format'] ?? null)}`);
  const item = object(proof['item'], 'item');
  const event = object(proof['event'], 'event');
  const checkpoint = object(proof['checkpoint'], 'checkpoint');
  const links = proof['links'];
  const path = proof['path'];
  if (!Array.isArray(links)) throw new ProofFormatError('"links" must be an array');
  if (!Array.isArray(path)) throw new ProofFormatError('"path" must be an array of hex hashes');
  return {
    format: PROOF_FORMAT,
    item: { id: text(item, 'id', 'item'), canonical: text(item, 'canonical', 'item'), fields: object(item['fields'], 'item.fields') as unknown as ProofItemFields },
    leaf_index: count(proof, 'leaf_index', 'proof', 0),
    tree_size: count(proof, 'tree_size', 'proof', 1),
    leaf_hash: hash(proof, 'leaf_hash', 'proof'),
    path: path.map((h: unknown, i) => {
      if (!isHash(h)) throw new ProofFormatError(`"path[${i}]" must be 64 lower-case hex digits`);
      return h;
    }),
    event: {
      version: version(event, 'event'),
      header: text(event, 'header', 'event'),
      fields: object(event['fields'], 'event.fields') as unknown as ProofHeaderFields,
      items_root: optionalHash(event, 'items_root', 'event'),
      prev_hash: hash(event, 'prev_hash', 'event'),
      hash: hash(event, 'hash', 'event'),
    },
    links: links.map((raw: unknown, i) => {
      const where = `links[${i}]`;
      const link = object(raw, where);
      return { seq: count(link, 'seq', where, 1), version: version(link, where), header: text(link, 'header', where), items_root: optionalHash(link, 'items_root', where), hash: hash(link, 'hash', where) };
    }),
    checkpoint: {
      jws: text(checkpoint, 'jws', 'checkpoint'),
      key_id: text(checkpoint, 'key_id', 'checkpoint'),
      chain: text(checkpoint, 'chain', 'checkpoint'),
      seq: count(checkpoint, 'seq', 'checkpoint', 1),
      head_hash: hash(checkpoint, 'head_hash', 'checkpoint'),
      at: text(checkpoint, 'at', 'checkpoint'),
      kind: text(checkpoint, 'kind', 'checkpoint'),
    },
  };
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ProofFormatError(`"${where}" must be a JSON object`);
  return value;
}

function text(o: Record<string, unknown>, key: string, where: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw new ProofFormatError(`"${where}.${key}" must be a string`);
  return value;
}

function count(o: Record<string, unknown>, key: string, where: string, min: number): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new ProofFormatError(`"${where}.${key}" must be an integer >= ${min}`);
  return value;
}

function hash(o: Record<string, unknown>, key: string, where: string): string {
  const value = o[key];
  if (!isHash(value)) throw new ProofFormatError(`"${where}.${key}" must be 64 lower-case hex digits`);
  return value;
}

function optionalHash(o: Record<string, unknown>, key: string, where: string): string | null {
  if (!(key in o)) throw new ProofFormatError(`"${where}.${key}" is missing (null for a version-1 event)`);
  return o[key] === null ? null : hash(o, key, where);
}

function version(o: Record<string, unknown>, where: string): EventVersion {
  const value = o['version'];
  if (value !== 1 && value !== 2) throw new ProofFormatError(`"${where}.version" must be 1 or 2`);
  return value;
}
