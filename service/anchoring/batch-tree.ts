// The tree the sequencer closes a batch with: RFC 6962 SM3 over the records' final canonical texts, with each
// record's inclusion proof, so that a receipt is one read.
import { buildTree, buildTreeFromLeafHashes, inclusionProof, rootOf, sm3, toHex, utf8, HASH_SIZE, type MerkleTree } from "../evidence";
import type { BatchTree } from "../store/port";

export const batchTree: BatchTree = (texts, leaves) => {
  if (leaves !== undefined && leaves.length !== texts.length * HASH_SIZE) throw new RangeError(`batch tree: ${leaves.length / HASH_SIZE} leaf hashes for ${texts.length} texts`);
  const tree = leaves === undefined ? buildTree(sm3, texts.map(utf8)) : buildTreeFromLeafHashes(sm3, leaves);
  return { root: toHex(rootOf(tree)), proofs: texts.map((_, i) => proofBytes(tree, i)) };
};

/** Leaf hash ‖ audit path of record `index`, the form the store keeps. */
function proofBytes(tree: MerkleTree, index: number): Uint8Array {
  const path = inclusionProof(tree, index);
  const out = new Uint8Array((1 + path.length) * HASH_SIZE);
  out.set(tree.levels[0].subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE), 0);
  path.forEach((node, k) => out.set(node, (k + 1) * HASH_SIZE));
  return out;
}
