// Closing a batch: the RFC 6962 SM3 tree over the stored canonical bytes of a contiguous record range,
// with each record's inclusion proof stored alongside so that a receipt is one read.
import { buildTree, inclusionProof, rootOf, sm3, toHex, utf8, HASH_SIZE, type MerkleTree } from "../evidence";
import type { Store, StoredBatch } from "../store/port";

export async function closeNextBatch(store: Store, firstSeq: number, count: number, id: number, now: Date): Promise<StoredBatch> {
  const texts = await store.batches.recordTexts(firstSeq, count);
  if (texts.length !== count) throw new Error(`expected ${count} records from seq ${firstSeq}, found ${texts.length}`);
  const tree = buildTree(sm3, texts.map(utf8));
  const proofs = texts.map((_, i) => proofBytes(tree, i));
  const batch = { id, firstSeq, count, root: toHex(rootOf(tree)), closedAt: now.toISOString() };
  await store.batches.close(batch, proofs);
  return { ...batch, anchor: null };
}

/** Leaf hash ‖ audit path of record `index`, the form the store keeps. */
function proofBytes(tree: MerkleTree, index: number): Uint8Array {
  const path = inclusionProof(tree, index);
  const out = new Uint8Array((1 + path.length) * HASH_SIZE);
  out.set(tree.levels[0].subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE), 0);
  path.forEach((node, k) => out.set(node, (k + 1) * HASH_SIZE));
  return out;
}
