// Receipt bundles (sealproof-receipt/1) read from the store: the record, its stored proof, its batch and
// the batch's anchor. A record not yet anchored has no receipt, only a pending status.
import { assembleReceipt, type EvidenceRecord, type ReceiptBundle } from "../evidence";
import type { PendingRecord, Store } from "../store/port";

export type ReceiptLookup = { status: "anchored"; receipt: ReceiptBundle } | { status: "pending"; batch: number | null };

/** A record not yet sequenced, or sequenced into a batch not yet anchored, is pending. */
export async function receiptFor(store: Store, record: EvidenceRecord | PendingRecord): Promise<ReceiptLookup> {
  if (record.seq === null) return { status: "pending", batch: null };
  const batch = await store.batches.forSeq(record.seq);
  if (batch === null || batch.anchor === null) return { status: "pending", batch: batch?.id ?? null };
  const proof = await store.batches.proof(record.seq);
  if (proof === null) throw new Error(`batch ${batch.id} holds seq ${record.seq} but no proof is stored for it`);
  const { chainId, contract, txHash, blockNumber } = batch.anchor;
  return {
    status: "anchored",
    receipt: assembleReceipt(
      record,
      { leafIndex: record.seq - batch.firstSeq, treeSize: batch.count, leaf: proof.leaf, path: proof.path },
      { id: batch.id, root: batch.root, firstSeq: batch.firstSeq, count: batch.count },
      { chainId, contract, txHash, blockNumber },
    ),
  };
}
