// RFC 6962 §2.1 Merkle tree with a pluggable hash; inclusion proofs verified per RFC 9162 §2.1.3.2.
// Each level is one flat byte array (measured: ~4x less memory and 2x faster than one buffer per node), and a hash
// with an `into` fast path writes every digest straight into it (measured with SM3 at 1M leaves: ~3x faster than
// one crypto.hash call per hash, see sm3.ts).
import { invariant, validateArgument } from "./errors";
import { HASH_SIZE, type HashFn } from "./hash";
import { equalBytes } from "./bytes";

export const RFC6962_LEAF_HASH_PREFIX = 0x00;
export const RFC6962_NODE_HASH_PREFIX = 0x01;

/** levels[0] holds the leaf hashes, the last level holds the root; each level is `count * 32` bytes. */
export interface MerkleTree {
  readonly size: number;
  readonly levels: readonly Uint8Array[];
}

export function leafHash(hash: HashFn, data: Uint8Array): Uint8Array {
  const input = new Uint8Array(data.length + 1);
  input[0] = RFC6962_LEAF_HASH_PREFIX;
  input.set(data, 1);
  return hash(input);
}

export function nodeHash(hash: HashFn, left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + 2 * HASH_SIZE);
  input[0] = RFC6962_NODE_HASH_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + HASH_SIZE);
  return hash(input);
}

/** Builds the tree over raw leaf data: leaf hashes first, then every level up to the root. */
export function buildTree(hash: HashFn, leaves: readonly Uint8Array[]): MerkleTree {
  validateArgument(leaves.length >= 1, "INVALID_TREE_ARGUMENT", "a tree needs at least one leaf");
  const level0 = new Uint8Array(leaves.length * HASH_SIZE);
  const hashLeaf = leafHasher(hash, level0);
  leaves.forEach((leaf, i) => hashLeaf(leaf, i));
  return buildTreeFromLeafHashes(hash, level0);
}

/**
 * Writes leaf hashes one at a time into `out` (leaf i at i * 32), for callers that need each leaf before hashing the
 * next (the sequencer chains a company's records by their leaves). Leaves usually share one length: the prefixed
 * input buffer is reused rather than allocated per leaf.
 */
export function leafHasher(hash: HashFn, out: Uint8Array): (data: Uint8Array, index: number) => void {
  let scratch = new Uint8Array(0);
  return (data, index) => {
    if (scratch.length !== data.length + 1) {
      scratch = new Uint8Array(data.length + 1);
      scratch[0] = RFC6962_LEAF_HASH_PREFIX;
    }
    scratch.set(data, 1);
    hashInto(hash, scratch, out, index * HASH_SIZE);
  };
}

/** Builds the tree from leaf hashes already computed, given as one flat array of 32-byte hashes. */
export function buildTreeFromLeafHashes(hash: HashFn, leafHashes: Uint8Array): MerkleTree {
  validateArgument(
    leafHashes.length >= HASH_SIZE && leafHashes.length % HASH_SIZE === 0,
    "INVALID_TREE_ARGUMENT",
    "leaf hashes must be a non-empty multiple of 32 bytes",
  );
  const levels = [leafHashes];
  while (nodeCount(levels[levels.length - 1]) > 1) levels.push(parentLevel(hash, levels[levels.length - 1]));
  return { size: nodeCount(leafHashes), levels };
}

export function rootOf(tree: MerkleTree): Uint8Array {
  return nodeAt(tree.levels[tree.levels.length - 1], 0);
}

/** The audit path for `index`, leaf to root, as in RFC 6962 §2.1.1. */
export function inclusionProof(tree: MerkleTree, index: number): Uint8Array[] {
  checkLeafIndex(tree, index);
  const path: Uint8Array[] = [];
  let i = index;
  for (const level of tree.levels.slice(0, -1)) {
    const sibling = siblingIndex(i);
    if (sibling < nodeCount(level)) path.push(nodeAt(level, sibling));
    i = parentIndex(i);
  }
  return path;
}

/**
 * inclusionProof(tree, index) written node after node into out[offset, …) without a view or an array per node (a
 * batch writes one path per leaf: measured ~4x faster at 4,096 leaves); returns the offset after the last node.
 */
export function writeInclusionProof(tree: MerkleTree, index: number, out: Uint8Array, offset: number): number {
  checkLeafIndex(tree, index);
  let at = offset;
  let i = index;
  for (let k = 0; k + 1 < tree.levels.length; k++) {
    const level = tree.levels[k];
    const sibling = siblingIndex(i);
    if (sibling < nodeCount(level)) {
      const from = sibling * HASH_SIZE;
      for (let b = 0; b < HASH_SIZE; b++) out[at + b] = level[from + b];
      at += HASH_SIZE;
    }
    i = parentIndex(i);
  }
  return at;
}

function checkLeafIndex(tree: MerkleTree, index: number): void {
  validateArgument(Number.isSafeInteger(index) && index >= 0 && index < tree.size, "INVALID_TREE_ARGUMENT", `leaf index ${index} is outside the tree of ${tree.size}`);
}

/** The root that `path` leads to from `leaf` at `index` in a tree of `size` leaves, or null if the path cannot belong to such a tree. */
export function rootFromInclusionProof(hash: HashFn, index: number, size: number, leaf: Uint8Array, path: readonly Uint8Array[]): Uint8Array | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  if (leaf.length !== HASH_SIZE || path.some((p) => p.length !== HASH_SIZE)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(hash, p, r);
      while (!isOdd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(hash, r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 ? r : null;
}

/** RFC 9162 §2.1.3.2: true when `path` proves `leaf` is at `index` of the tree of `size` with `root`. */
export function verifyInclusion(hash: HashFn, index: number, size: number, leaf: Uint8Array, path: readonly Uint8Array[], root: Uint8Array): boolean {
  const computed = rootFromInclusionProof(hash, index, size, leaf, path);
  return computed !== null && equalBytes(computed, root);
}

function parentLevel(hash: HashFn, level: Uint8Array): Uint8Array {
  const count = nodeCount(level);
  const parent = new Uint8Array(Math.ceil(count / 2) * HASH_SIZE);
  // One scratch buffer for every node hash: the build is bound by hashing, so avoid an allocation per node.
  const scratch = new Uint8Array(1 + 2 * HASH_SIZE);
  scratch[0] = RFC6962_NODE_HASH_PREFIX;
  for (let i = 0; i + 1 < count; i += 2) {
    copyPair(level, i, scratch);
    hashInto(hash, scratch, parent, parentIndex(i) * HASH_SIZE);
  }
  // RFC 6962's unbalanced right edge: an odd last node moves up unchanged.
  if (isOdd(count)) parent.set(nodeAt(level, count - 1), parentIndex(count - 1) * HASH_SIZE);
  return parent;
}

/** out[offset, offset + 32) = hash(data), without allocating a digest when the hash offers `into`. */
function hashInto(hash: HashFn, data: Uint8Array, out: Uint8Array, offset: number): void {
  if (hash.into) hash.into(data, out, offset);
  else out.set(hash(data), offset);
}

/** Copies nodes i and i + 1 of `level` to scratch[1, 65), after the node prefix; a byte loop needs no subarray view. */
function copyPair(level: Uint8Array, i: number, scratch: Uint8Array): void {
  const from = i * HASH_SIZE;
  for (let k = 0; k < 2 * HASH_SIZE; k++) scratch[1 + k] = level[from + k];
}

function nodeAt(level: Uint8Array, i: number): Uint8Array {
  invariant(i < nodeCount(level), "node index inside its level");
  return level.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
}

const nodeCount = (level: Uint8Array): number => level.length / HASH_SIZE;
const siblingIndex = (i: number): number => (isOdd(i) ? i - 1 : i + 1);
const parentIndex = (i: number): number => half(i);
const half = (i: number): number => Math.floor(i / 2);
const isOdd = (i: number): boolean => i % 2 === 1;
