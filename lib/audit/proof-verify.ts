import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { chainHash } from './chain.js';
import { CheckpointSignatureError, verifyCheckpoint, type CheckpointClaim } from './checkpoints.js';
import { eventHash, parseItemId } from './event-format.js';
import { leafHash, rootFromPath } from './merkle.js';
import { decodeHeader, decodeItem, sameJson } from './proof-canonical.js';
import { parseProof, ProofFormatError, type AuditProof, type EventVersion } from './proof.js';

/**
 * Verifies an inclusion proof with no database, no store and no network: only SHA-256 and the
 * ES256 public keys the caller trusts (the audit service's published JWKS). The order is the
 * order a third party follows in docs/audit.md, and the first check that fails is named:
 *
 *   MALFORMED            not shaped as a proof (a member missing or of the wrong type)
 *   ALTERED_ITEM         the item's text does not hash to the leaf, or what the proof shows
 *                        (item or header fields, item id) disagrees with the hashed texts
 *   WRONG_PATH           index, size or path do not lead from the leaf to the event's items_root
 *   BROKEN_LINK          the event's hash, or a later event's, does not recompute from its
 *                        predecessor, or the links skip or leave the chain
 *   UNKNOWN_KEY          the checkpoint names a key id the JWKS does not hold
 *   BAD_SIGNATURE        the checkpoint's signature does not verify with the JWKS's key
 *   CHECKPOINT_MISMATCH  the signed checkpoint is of another chain, position or head hash
 *
 * The key is looked up in `jwks` ONLY: a key, key URL or certificate in the JWS header or
 * anywhere in the proof is never used.
 */
export const PROOF_FAILURES = ['MALFORMED', 'ALTERED_ITEM', 'WRONG_PATH', 'BROKEN_LINK', 'UNKNOWN_KEY', 'BAD_SIGNATURE', 'CHECKPOINT_MISMATCH'] as const;
export type ProofFailure = (typeof PROOF_FAILURES)[number];

export type ProofVerdict =
  | { readonly valid: true; readonly entry: string; readonly checkpoint: CheckpointClaim & { readonly keyId: string } }
  | { readonly valid: false; readonly failure: ProofFailure; readonly reason: string };

class Failed extends Error {
  constructor(
    readonly failure: ProofFailure,
    message: string,
  ) {
    super(message);
  }
}
function fail(failure: ProofFailure, reason: string): never {
  throw new Failed(failure, reason);
}

export async function verifyProof(value: unknown, jwks: JSONWebKeySet): Promise<ProofVerdict> {
  try {
    let proof: AuditProof;
    try {
      proof = parseProof(value);
    } catch (error) {
      if (error instanceof ProofFormatError) return fail('MALFORMED', error.message);
      throw error;
    }
    const { chain, seq } = checkEvent(proof);
    const head = checkLinks(proof, chain, seq);
    const claim = await checkSignature(proof, jwks);
    const { checkpoint } = proof;
    if (claim.chain !== chain || claim.seq !== head.seq || claim.headHash !== head.hash) {
      fail('CHECKPOINT_MISMATCH', `the signed checkpoint is of ${claim.chain}:${claim.seq} head ${claim.headHash}; the links end at ${chain}:${head.seq} head ${head.hash}`);
    }
    if (checkpoint.chain !== claim.chain || checkpoint.seq !== claim.seq || checkpoint.head_hash !== claim.headHash || checkpoint.at !== claim.at.toISOString() || checkpoint.kind !== claim.kind) {
      fail('CHECKPOINT_MISMATCH', 'the checkpoint members shown in the proof disagree with its signed payload');
    }
    return { valid: true, entry: proof.item.id, checkpoint: { ...claim, keyId: checkpoint.key_id } };
  } catch (error) {
    if (error instanceof Failed) return { valid: false, failure: error.failure, reason: error.message };
    throw error;
  }
}

/** Leaf, path and the event's own hash; returns the event's place. */
function checkEvent(proof: AuditProof): { chain: string; seq: number } {
  const { item, event } = proof;
  const id = parseItemId(item.id) ?? fail('MALFORMED', `"item.id" ${JSON.stringify(item.id)} is not an AccessEvent id <chain>:<seq>.<item>`);
  const header = decodeHeader(event.version, event.header) ?? fail('MALFORMED', `"event.header" is not a canonical ${event.version === 2 ? 'event header' : 'version-1 entry'}`);
  const { fields } = header;

  // The item: its text, what the proof shows of it, and its leaf.
  const shown = decodeItem(item.canonical) ?? fail('ALTERED_ITEM', '"item.canonical" is not a canonical item array');
  if (!sameJson(shown, item.fields)) fail('ALTERED_ITEM', '"item.fields" disagree with the item\'s canonical text');
  if (leafHash(item.canonical).toString('hex') !== proof.leaf_hash) fail('ALTERED_ITEM', `the item's canonical text does not hash to leaf_hash ${proof.leaf_hash}`);
  if (!sameJson(fields, event.fields)) fail('ALTERED_ITEM', '"event.fields" disagree with the event\'s canonical header');
  if (id.chain !== fields.chain || id.seq !== fields.seq) fail('ALTERED_ITEM', `the item's id ${item.id} names another event than the header's ${fields.chain}:${fields.seq}`);

  // The path: from the leaf to the root the event's hash covers.
  if (id.item !== proof.leaf_index) fail('WRONG_PATH', `leaf_index ${proof.leaf_index} is not the item's index ${id.item}`);
  if (proof.tree_size !== fields.itemCount) fail('WRONG_PATH', `tree_size ${proof.tree_size} is not the event's item count ${fields.itemCount}`);
  if (event.version === 2) {
    const root = rootFromPath(proof.leaf_index, proof.tree_size, Buffer.from(proof.leaf_hash, 'hex'), proof.path.map((h) => Buffer.from(h, 'hex')));
    if (root === null) return fail('WRONG_PATH', `a path of ${proof.path.length} hashes cannot lead from leaf ${proof.leaf_index} to the root of a tree of ${proof.tree_size}`);
    if (event.items_root === null) return fail('MALFORMED', '"event.items_root" is null for a version-2 event');
    if (root.toString('hex') !== event.items_root) fail('WRONG_PATH', `the path leads from the leaf to ${root.toString('hex')}, not to items_root ${event.items_root}`);
  } else {
    if (proof.path.length !== 0 || event.items_root !== null) fail('WRONG_PATH', 'a version-1 event holds one item: its path is empty and items_root null');
    if (header.legacyItem !== item.canonical) fail('ALTERED_ITEM', 'the item is not the one the version-1 entry holds (members 16..22)');
  }

  const recomputed = hashOf(event.version, event.header, event.items_root, event.prev_hash);
  if (recomputed !== event.hash) fail('BROKEN_LINK', `event ${fields.chain}:${fields.seq}: its hash does not recompute from prev_hash, header and items_root (got ${recomputed})`);
  return { chain: fields.chain, seq: fields.seq };
}

/** Each later event's hash from its predecessor's; returns the last position and hash reached. */
function checkLinks(proof: AuditProof, chain: string, seq: number): { seq: number; hash: string } {
  let at = { seq, hash: proof.event.hash };
  for (const link of proof.links) {
    const where = `link ${chain}:${link.seq}`;
    const header = decodeHeader(link.version, link.header) ?? fail('MALFORMED', `${where}: "header" is not a canonical ${link.version === 2 ? 'event header' : 'version-1 entry'}`);
    if (header.fields.chain !== chain || header.fields.seq !== at.seq + 1 || link.seq !== at.seq + 1) {
      fail('BROKEN_LINK', `${where}: expected ${chain}:${at.seq + 1} next, the link's header is ${header.fields.chain}:${header.fields.seq}`);
    }
    if ((link.version === 2) !== (link.items_root !== null)) fail('MALFORMED', `${where}: items_root must be hex for a version-2 event and null for version 1`);
    const recomputed = hashOf(link.version, link.header, link.items_root, at.hash);
    if (recomputed !== link.hash) fail('BROKEN_LINK', `${where}: its hash does not recompute from its predecessor's (got ${recomputed}, the proof says ${link.hash})`);
    at = { seq: link.seq, hash: link.hash };
  }
  return at;
}

function hashOf(version: EventVersion, header: string, itemsRoot: string | null, prevHash: string): string {
  return version === 2 ? eventHash(prevHash, header, itemsRoot ?? '') : chainHash(header, prevHash);
}

/** The checkpoint's claim, once its signature verifies with a key of `jwks` named by its kid. */
async function checkSignature(proof: AuditProof, jwks: JSONWebKeySet): Promise<CheckpointClaim> {
  const { jws, key_id: keyId } = proof.checkpoint;
  let kid: unknown;
  try {
    ({ kid } = decodeProtectedHeader(jws));
  } catch {
    return fail('MALFORMED', '"checkpoint.jws" is not a compact JWS');
  }
  if (typeof kid !== 'string' || kid === '') return fail('MALFORMED', 'the checkpoint\'s JWS header names no key id ("kid")');
  if (kid !== keyId) fail('MALFORMED', `"checkpoint.key_id" ${keyId} is not the key id its JWS names (${kid})`);
  // Only the trusted set's keys of that id: nothing the JWS header carries (jwk, jku, x5c) is read.
  const keys = jwks.keys.filter((key) => key.kid === kid);
  if (keys.length === 0) fail('UNKNOWN_KEY', `the checkpoint is signed with key ${kid}, which the JWKS does not hold`);
  try {
    return await verifyCheckpoint(jws, { keys });
  } catch (error) {
    if (error instanceof CheckpointSignatureError) return fail('BAD_SIGNATURE', `the checkpoint's signature does not verify with key ${kid} of the JWKS: ${error.message}`);
    throw error;
  }
}
