import { CompactSign, compactVerify, createLocalJWKSet } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { ALLOWED_ALGORITHMS } from '../identity/algorithms.js';
import { isRecord } from '../identity/jwk-validation.js';
import { isOneOf } from '../domain.js';
import { sql, type Queryable, type Row } from '../store/index.js';
import { isHash } from './chain.js';
import { CHAIN_ID } from './entry.js';
import { date, int } from './entry-row.js';
import type { AuditSigningKey } from './signing-key.js';

/**
 * A signed statement "chain C had S entries, the last with hash H, at time T". Kept in
 * `audit.checkpoints`, apart from the entries, and fetched by auditors to keep outside the
 * system: with one in hand, deleting the newest entries can no longer pass as a shorter chain.
 */
export const CHECKPOINT_KINDS = ['PERIODIC', 'SHUTDOWN', 'RETENTION'] as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];
const isCheckpointKind = isOneOf(CHECKPOINT_KINDS);

/** What a checkpoint asserts: exactly the signed payload. */
export interface CheckpointClaim {
  readonly chain: string;
  /** Entries the chain had ever held (= the head's seq). */
  readonly seq: number;
  readonly headHash: string;
  readonly at: Date;
  /** RETENTION marks the cut of a purge: entries up to `seq` were removed on purpose. */
  readonly kind: CheckpointKind;
}

export interface Checkpoint extends CheckpointClaim {
  readonly keyId: string;
  /** Compact JWS over the claim. The only part a verifier trusts; the other members are a convenience. */
  readonly signature: string;
}

const PAYLOAD_TYPE = 'tributary-audit-checkpoint';
const HEADER_TYPE = 'tributary-audit-checkpoint+jws';

export async function signCheckpoint(key: AuditSigningKey, claim: CheckpointClaim): Promise<Checkpoint> {
  const payload = JSON.stringify({
    typ: PAYLOAD_TYPE,
    chain: claim.chain,
    seq: claim.seq,
    headHash: claim.headHash,
    at: claim.at.toISOString(),
    kind: claim.kind,
  });
  const signature = await new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: HEADER_TYPE })
    .sign(key.privateKey);
  return { ...claim, at: new Date(claim.at.getTime()), keyId: key.kid, signature };
}

export class CheckpointSignatureError extends Error {
  override readonly name = 'CheckpointSignatureError';
}

/**
 * The claim a checkpoint's signature vouches for. Throws CheckpointSignatureError when the
 * signature does not verify with `jwks` or the payload is not a checkpoint. The algorithm is
 * pinned to the allowed ones, so `alg: none` and HMAC key confusion are refused.
 */
export async function verifyCheckpoint(signature: string, jwks: JSONWebKeySet): Promise<CheckpointClaim> {
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(signature, createLocalJWKSet(jwks), { algorithms: [...ALLOWED_ALGORITHMS] }));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CheckpointSignatureError(`checkpoint signature does not verify with the trusted audit keys: ${why}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(payload));
  } catch (error) {
    throw new CheckpointSignatureError('checkpoint payload is not JSON', { cause: error });
  }
  if (!isRecord(value) || value['typ'] !== PAYLOAD_TYPE) throw new CheckpointSignatureError('signed payload is not an audit checkpoint');
  const { chain, seq, headHash, at, kind } = value;
  const when = typeof at === 'string' ? new Date(at) : undefined;
  if (
    typeof chain !== 'string' ||
    !CHAIN_ID.test(chain) ||
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    seq < 1 ||
    !isHash(headHash) ||
    when === undefined ||
    Number.isNaN(when.getTime()) ||
    !isCheckpointKind(kind)
  ) {
    throw new CheckpointSignatureError('signed checkpoint payload is malformed');
  }
  return { chain, seq, headHash, at: when, kind };
}

/** Appends checkpoints to `audit.checkpoints` in one statement. */
export async function recordCheckpoints(tx: Queryable, checkpoints: readonly Checkpoint[]): Promise<void> {
  if (checkpoints.length === 0) return;
  const records = checkpoints.map((c) => ({
    chain: c.chain,
    seq: c.seq,
    head_hash: c.headHash,
    at: c.at.toISOString(),
    kind: c.kind,
    key_id: c.keyId,
    signature: c.signature,
  }));
  await tx.query(sql`
    INSERT INTO audit.checkpoints (chain, seq, head_hash, at, kind, key_id, signature)
    SELECT chain, seq, head_hash, at, kind, key_id, signature
    FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
      AS r(chain text, seq bigint, head_hash text, at timestamptz, kind text, key_id text, signature text)`);
}

const CHECKPOINT_COLUMNS = sql`c.chain, c.seq, c.head_hash, c.at, c.kind, c.key_id, c.signature`;

/** The newest checkpoint of every chain (by position, then time): what auditors fetch and keep. */
export async function latestCheckpoints(store: Queryable): Promise<readonly Checkpoint[]> {
  const rows = await store.query(sql`
    WITH RECURSIVE chains AS (
      -- Loose index scan over (chain, seq, id): a few probes per chain, however many checkpoints.
      (SELECT c.chain FROM audit.checkpoints c ORDER BY c.chain LIMIT 1)
      UNION ALL
      SELECT (SELECT c.chain FROM audit.checkpoints c WHERE c.chain > chains.chain ORDER BY c.chain LIMIT 1)
      FROM chains WHERE chains.chain IS NOT NULL
    )
    SELECT ${CHECKPOINT_COLUMNS}
    FROM chains
    CROSS JOIN LATERAL (
      SELECT * FROM audit.checkpoints c WHERE c.chain = chains.chain ORDER BY c.seq DESC, c.id DESC LIMIT 1
    ) c
    ORDER BY c.chain`);
  return rows.map(parseCheckpointRow);
}

/** The newest checkpoint of one chain, or null when it has none yet. */
export async function latestCheckpoint(store: Queryable, chain: string): Promise<Checkpoint | null> {
  const rows = await store.query(sql`
    SELECT ${CHECKPOINT_COLUMNS} FROM audit.checkpoints c WHERE c.chain = ${chain} ORDER BY c.seq DESC, c.id DESC LIMIT 1`);
  const row = rows[0];
  return row === undefined ? null : parseCheckpointRow(row);
}

/** For listing and the API; verification trusts only the signature, never these columns. */
export function parseCheckpointRow(row: Row): Checkpoint {
  const { chain, head_hash: headHash, kind, key_id: keyId, signature } = row;
  if (typeof chain !== 'string' || !isHash(headHash) || !isCheckpointKind(kind) || typeof keyId !== 'string' || typeof signature !== 'string') {
    throw new Error('audit.checkpoints: malformed row');
  }
  return { chain, seq: int(row, 'seq'), headHash, at: date(row, 'at'), kind, keyId, signature };
}

/**
 * Checkpoints an auditor kept, from JSON: one checkpoint (as `latestCheckpoint` returns it), a
 * list of them, `{ "checkpoints": [...] }`, or bare compact JWS strings. Only the signatures
 * are taken; what they vouch for is read from the signed payload at verification.
 */
export function parseCheckpointFile(value: unknown, where: string): readonly string[] {
  const list = isRecord(value) && Array.isArray(value['checkpoints']) ? (value['checkpoints'] as unknown[]) : Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new Error(`${where}: no checkpoint found`);
  return list.map((item: unknown, i) => {
    const signature = typeof item === 'string' ? item : isRecord(item) ? item['signature'] : undefined;
    if (typeof signature !== 'string' || signature.split('.').length !== 3) {
      throw new Error(`${where}: checkpoint ${i} has no compact JWS "signature"`);
    }
    return signature;
  });
}
