// Closing a batch: the RFC 6962 SM3 tree over the stored canonical bytes of a contiguous record range,
// with each record's inclusion proof stored alongside so that a receipt is one read.
import { buildTree, inclusionProof, rootOf, sm3, utf8, HASH_SIZE } from "../evidence";
import type { Store, StoredBatch } from "../store/port";

export async function closeNextBatch(store: Store, firstSeq: number, count: number, id: number, now: Date): Promise<StoredBatch> {
  const texts = await store.batches.recordTexts(firstSeq, count);
  if (texts.length !== count) throw new Error(`expected ${count} records from seq ${firstSeq}, found ${texts.length}`);
  const tree = buildTree(sm3, texts.map(utf8));
  const leaves = tree.levels[0];
  const proofs = texts.map((_, i) => ({ leaf: hex(leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)), path: inclusionProof(tree, i).map(hex) }));
  const batch = { id, firstSeq, count, root: hex(rootOf(tree)), closedAt: now.toISOString() };
  await store.batches.close(batch, proofs);
  return { ...batch, anchor: null };
}

// Node's native hex encoder: a batch of 4,096 records needs ~50,000 of these, and this runs only in the service.
const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
