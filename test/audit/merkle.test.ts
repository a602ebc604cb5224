import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inclusionPath, leafHash, merkleRoot, nodeHash, rootFromPath, rootOfLeafHashes } from '../../lib/audit/merkle.js';

/**
 * lib/audit/merkle.ts against RFC 6962 / RFC 9162 section 2.1: the published Certificate
 * Transparency test vectors (certificate-transparency merkle_tree_test.cc, used unchanged by
 * Trillian and RFC 9162 implementations), an independent transcription of the RFC's recursive
 * definitions for every index of trees of 1..70 leaves, and proofs that must be rejected.
 */

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Buffer => Buffer.from(h, 'hex');

// The CT test leaves (hex-encoded inputs; the first is the empty string).
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(bytes);

// MTH(D[0:n]) for n = 1..8.
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

// Inclusion proofs from the same vectors: leaf index (0-based here), tree size, PATH.
const CT_PATHS: readonly { readonly index: number; readonly size: number; readonly path: readonly string[] }[] = [
  { index: 0, size: 1, path: [] },
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

// The RFC's definitions, transcribed independently of lib/audit/merkle.ts (recursive, on bytes).
const k = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(d: readonly Uint8Array[]): Buffer {
  if (d.length === 0) return sha256();
  if (d.length === 1) return sha256(Buffer.from([0]), d[0] as Uint8Array);
  const split = k(d.length);
  return sha256(Buffer.from([1]), mth(d.slice(0, split)), mth(d.slice(split)));
}
function path(m: number, d: readonly Uint8Array[]): Buffer[] {
  if (d.length <= 1) return [];
  const split = k(d.length);
  return m < split ? [...path(m, d.slice(0, split)), mth(d.slice(split))] : [...path(m - split, d.slice(split)), mth(d.slice(0, split))];
}

const itemsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => JSON.stringify([`record-${i}`, 'org-a', null, ['name'], [], 'ALLOW', ['r1']]));

describe('the Merkle tree of RFC 6962', () => {
  it('hashes the empty tree to SHA-256 of nothing', () => {
    expect(hex(rootOfLeafHashes([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(merkleRoot([]))).toBe(hex(mth([])));
  });

  it('prefixes leaves with 0x00 and nodes with 0x01', () => {
    expect(hex(leafHash(new Uint8Array()))).toBe(CT_ROOTS[0]);
    expect(hex(leafHash('abc'))).toBe(hex(sha256(Buffer.from([0]), Buffer.from('abc'))));
    const [a, b] = [leafHash('a'), leafHash('b')];
    expect(hex(nodeHash(a, b))).toBe(hex(sha256(Buffer.from([1]), a, b)));
  });

  it.each(CT_ROOTS.map((root, i) => [i + 1, root] as const))('reproduces the CT test vector root of %i leaves', (n, root) => {
    const leaves = CT_LEAVES.slice(0, n).map((leaf) => leafHash(leaf));
    expect(hex(rootOfLeafHashes(leaves))).toBe(root);
  });

  it.each(CT_PATHS)('reproduces the CT inclusion proof of leaf $index in a tree of $size', ({ index, size, path: expected }) => {
    const leaves = CT_LEAVES.slice(0, size).map((leaf) => leafHash(leaf));
    expect(inclusionPath(leaves, index).map(hex)).toEqual(expected);
    const root = rootFromPath(index, size, leafHash(CT_LEAVES[index] as Buffer), expected.map(bytes));
    expect(root && hex(root)).toBe(CT_ROOTS[size - 1]);
  });

  it('agrees with the RFC definitions at every index of every tree of 1..70 leaves, and each path leads back to the root', () => {
    for (let n = 1; n <= 70; n++) {
      const items = itemsOf(n);
      const raw = items.map((item) => Buffer.from(item, 'utf8'));
      const leaves = items.map((item) => leafHash(item));
      const root = merkleRoot(items);
      expect(hex(root), `root of ${n}`).toBe(hex(mth(raw)));
      for (let m = 0; m < n; m++) {
        const p = inclusionPath(leaves, m);
        expect(p.map(hex), `PATH(${m}, D[${n}])`).toEqual(path(m, raw).map(hex));
        const back = rootFromPath(m, n, leaves[m] as Buffer, p);
        expect(back && hex(back), `root from PATH(${m}, D[${n}])`).toBe(hex(root));
      }
    }
  });

  it('rejects, at every index of trees of 1..70 leaves, a changed leaf, a changed path hash, a wrong index, a wrong size, a path too long or too short', () => {
    const differs = (got: Buffer | null, root: Buffer): boolean => got === null || !got.equals(root);
    for (let n = 1; n <= 70; n++) {
      const items = itemsOf(n);
      const leaves = items.map((item) => leafHash(item));
      const root = merkleRoot(items);
      for (let m = 0; m < n; m++) {
        const leaf = leaves[m] as Buffer;
        const p = inclusionPath(leaves, m);
        const where = `leaf ${m} of ${n}`;
        expect(differs(rootFromPath(m, n, leafHash(`${items[m] as string} `), p), root), `${where}: altered leaf`).toBe(true);
        for (let j = 0; j < p.length; j++) {
          const bent = p.map((h, i) => (i === j ? Buffer.from(h.map((byte, b) => (b === 0 ? byte ^ 1 : byte))) : h));
          expect(differs(rootFromPath(m, n, leaf, bent), root), `${where}: path hash ${j} altered`).toBe(true);
        }
        for (const other of [m - 1, m + 1, -1, n]) {
          if (other === m || (other >= 0 && other < n && leaves[other]?.equals(leaf))) continue;
          expect(differs(rootFromPath(other, n, leaf, p), root), `${where}: presented as index ${other}`).toBe(true);
        }
        for (const size of [n - 1, n + 1, 0]) {
          // A tree of another size can share the same path shape only where the leaf's subtree is
          // identical, and then it is a different tree's root anyway: the size is hashed into the
          // event header (item count), so here only "not this root" or "refused" is acceptable.
          if (size >= 1 && m < size && pathShapeEqual(m, n, size)) continue;
          expect(differs(rootFromPath(m, size, leaf, p), root), `${where}: presented in a tree of ${size}`).toBe(true);
        }
        expect(rootFromPath(m, n, leaf, [...p, leaf]), `${where}: one hash too many`).toBeNull();
        if (p.length > 0) expect(differs(rootFromPath(m, n, leaf, p.slice(0, -1)), root), `${where}: one hash short`).toBe(true);
      }
    }
  });

  it('refuses indexes and sizes that are not positions in a tree', () => {
    const leaf = leafHash('x');
    expect(rootFromPath(0, 0, leaf, [])).toBeNull();
    expect(rootFromPath(1, 1, leaf, [])).toBeNull();
    expect(rootFromPath(0.5, 2, leaf, [leaf])).toBeNull();
    expect(rootFromPath(0, 2.5, leaf, [leaf])).toBeNull();
    expect(() => inclusionPath([leaf], 1)).toThrow(RangeError);
    expect(() => inclusionPath([leaf], -1)).toThrow(RangeError);
  });
});

/**
 * Whether RFC 9162's verification walks leaf `m` up identically in trees of `a` and `b` leaves
 * (same sides at every level, same number of levels): then the same path yields the same root
 * in both computations, and that is the tree-size ambiguity the header's item count removes.
 */
function pathShapeEqual(m: number, a: number, b: number): boolean {
  const shape = (size: number): string => {
    let fn = m;
    let sn = size - 1;
    const steps: string[] = [];
    while (sn > 0) {
      if (fn % 2 === 1 || fn === sn) {
        steps.push('L');
        if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
      } else steps.push('R');
      [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
    }
    return steps.join('');
  };
  return shape(a) === shape(b);
}
