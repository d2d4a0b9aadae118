// Closing a batch: the RFC 6962 SM3 tree over the stored canonical bytes of a contiguous record range,
// with each record's inclusion proof stored alongside so that a receipt is one read.
import { buildTree, receiptProof, rootOf, sm3, toHex, utf8 } from "../evidence";
import type { Store, StoredBatch } from "../store/port";

export async function closeNextBatch(store: Store, firstSeq: number, count: number, id: number, now: Date): Promise<StoredBatch> {
  const texts = await store.batches.recordTexts(firstSeq, count);
  if (texts.length !== count) throw new Error(`expected ${count} records from seq ${firstSeq}, found ${texts.length}`);
  const tree = buildTree(sm3, texts.map(utf8));
  const proofs = texts.map((_, i) => {
    const { leaf, path } = receiptProof(tree, i);
    return { leaf, path };
  });
  const batch = { id, firstSeq, count, root: toHex(rootOf(tree)), closedAt: now.toISOString() };
  await store.batches.close(batch, proofs);
  return { ...batch, anchor: null };
}
