import { createHash, hash } from 'node:crypto';

/**
 * The Merkle tree of an audit event's items, exactly as RFC 6962 section 2.1 (and RFC 9162
 * section 2.1) define it, so that a third party can check an inclusion proof with any SHA-256:
 *
 *   MTH({})       = SHA-256()
 *   MTH({d0})     = SHA-256(0x00 || d0)                       (a leaf)
 *   MTH(D[0:n])   = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) (a node; k the largest power of
 *                                                              two smaller than n)
 *
 * The 0x00 / 0x01 prefixes keep a leaf from ever being passed off as a node (second-preimage
 * attacks on unprefixed trees). Leaves here are the UTF-8 bytes of an item's canonical text.
 */

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

// One-shot crypto.hash (Node >= 20.12): about half the CPU of createHash().update().digest() for
// inputs this small, and the writer hashes a leaf and a node per record on the request path.
// A string is hashed as its UTF-8 bytes, and U+0000 is the single byte 0x00: the same input.
export const leafHash = (data: string | Uint8Array): Buffer =>
  typeof data === 'string' ? hash('sha256', `\u0000${data}`, 'buffer') : hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');

// One reused 65-byte input (0x01 || left || right): a Merkle root over a page's items hashes a node
// per item, and Buffer.concat allocated a fresh buffer for each. Synchronous, so never shared
// between two calls in flight.
const NODE_INPUT = Buffer.alloc(65);

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32) return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
  NODE_INPUT[0] = 0x01;
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 33);
  return hash('sha256', NODE_INPUT, 'buffer');
}

/** The largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over already-hashed leaves, iteratively bottom-up (same result as the recursive definition). */
export function rootOfLeafHashes(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  return subtreeRoot(leaves, 0, leaves.length);
}

function subtreeRoot(leaves: readonly Uint8Array[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 1) return Buffer.from(leaves[start] as Uint8Array);
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

/** MTH over the items' canonical texts. */
export const merkleRoot = (items: readonly string[]): Buffer => Buffer.from(merkleRootHex(items), 'hex');

/**
 * hex(MTH) over the items' canonical texts: the writer's and the verifier's path, one per event.
 * The same tree as rootOfLeafHashes, with every inner hash held as a 32-character string of
 * one byte per character ('binary', i.e. latin1) instead of a Buffer: a Buffer per leaf and node
 * was most of the garbage made per record, and a short string is the cheapest thing V8 allocates.
 */
export function merkleRootHex(items: readonly string[]): string {
  if (items.length === 0) return createHash('sha256').digest('hex');
  const leaves = new Array<string>(items.length);
  for (let i = 0; i < items.length; i += 1) leaves[i] = hash('sha256', `\u0000${items[i] as string}`, 'binary');
  return Buffer.from(subtreeLatin1(leaves, 0, leaves.length), 'latin1').toString('hex');
}

function subtreeLatin1(leaves: readonly string[], start: number, end: number): string {
  const n = end - start;
  if (n === 1) return leaves[start] as string;
  const k = splitPoint(n);
  const left = subtreeLatin1(leaves, start, start + k);
  const right = subtreeLatin1(leaves, start + k, end);
  NODE_INPUT[0] = 0x01;
  NODE_INPUT.write(left, 1, 32, 'latin1');
  NODE_INPUT.write(right, 33, 32, 'latin1');
  return hash('sha256', NODE_INPUT, 'binary');
}

/**
 * RFC 6962 PATH(m, D[n]): the sibling hashes from leaf `index` up to the root, nearest first.
 */
export function inclusionPath(leaves: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`inclusionPath: index ${index} is outside a tree of ${leaves.length} leaves`);
  }
  return pathIn(leaves, index, 0, leaves.length);
}

function pathIn(leaves: readonly Uint8Array[], index: number, start: number, end: number): Buffer[] {
  const n = end - start;
  if (n === 1) return [];
  const k = splitPoint(n);
  return index < k
    ? [...pathIn(leaves, index, start, start + k), subtreeRoot(leaves, start + k, end)]
    : [...pathIn(leaves, index - k, start + k, end), subtreeRoot(leaves, start, start + k)];
}

/**
 * The root an inclusion path leads to (RFC 9162 section 2.1.3.2), or null when the path cannot
 * belong to a tree of `size` leaves at `index` (wrong length, index out of range). A proof is
 * valid when this equals the root the event's hash covers.
 */
export function rootFromPath(index: number, size: number, leaf: Uint8Array, path: readonly Uint8Array[]): Buffer | null {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}
