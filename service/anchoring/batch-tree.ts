// The tree the sequencer closes a batch with: RFC 6962 SM3 over the records' final canonical texts, with each
// record's inclusion proof, so that a receipt is one read.
import { buildTree, buildTreeFromLeafHashes, rootOf, sm3, toHex, utf8, writeInclusionProof, HASH_SIZE, type MerkleTree } from "../evidence";
import type { BatchTree } from "../store/port";

export const batchTree: BatchTree = (texts, leaves) => {
  if (leaves !== undefined && leaves.length !== texts.length * HASH_SIZE) throw new RangeError(`batch tree: ${leaves.length / HASH_SIZE} leaf hashes for ${texts.length} texts`);
  const tree = leaves === undefined ? buildTree(sm3, texts.map(utf8)) : buildTreeFromLeafHashes(sm3, leaves);
  return { root: toHex(rootOf(tree)), proofs: proofsOf(tree) };
};

/**
 * Leaf hash ‖ audit path of every record, the form the store keeps: views into one buffer that holds them end to
 * end, since no path is longer than the tree has levels below its root.
 */
function proofsOf(tree: MerkleTree): Uint8Array[] {
  const leaves = tree.levels[0];
  const out = new Uint8Array(tree.size * tree.levels.length * HASH_SIZE);
  const proofs: Uint8Array[] = [];
  let at = 0;
  for (let index = 0; index < tree.size; index++) {
    const start = at;
    for (let b = 0; b < HASH_SIZE; b++) out[at + b] = leaves[index * HASH_SIZE + b];
    at = writeInclusionProof(tree, index, out, at + HASH_SIZE);
    proofs.push(out.subarray(start, at));
  }
  return proofs;
}
