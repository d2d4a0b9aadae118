// The batch log on MongoDB: `batches` (`_id` = id, unique firstSeq) and `proofs` (`_id` = seq, one Binary each).
// Every write is a transaction of its own, so a batch and all its proofs commit together or not at all.
import { mongo } from "mongoose";
import { batchConflict, checkBatchShape, decodeProof, proofBuffer, type ClosingBatch } from "../batches";
import { StoreConflictError, type BatchLog, type StoredBatch } from "../port";
import { BATCHES, COUNTERS, PROOFS, RECORD_SEQ, RECORDS, type BatchDocument, type Counter, type ProofDocument, type StoredRecord } from "./collections";
import type { Context } from "./documents";
import { duplicateKeyValue, isDuplicateKey } from "./errors";

/** Runs `work` in a transaction of its own (see openMongoStore). */
export type InTransaction = <T>(work: (context: Context) => Promise<T>) => Promise<T>;

export function batchLog(db: mongo.Db, inTransaction: InTransaction): BatchLog {
  const batches = db.collection<BatchDocument>(BATCHES);
  const proofs = db.collection<ProofDocument>(PROOFS);
  const records = db.collection<StoredRecord>(RECORDS);
  return {
    close: async (batch, batchProofs) => {
      checkBatchShape(batch, batchProofs);
      const encoded = batchProofs.map(proofBuffer);
      await inTransaction((context) => context.track(() => closeIn(db, context.session, batch, encoded)));
    },
    get: async (id) => fromStored(await batches.findOne({ _id: id })),
    last: async () => fromStored(await batches.findOne({}, { sort: { _id: -1 } })),
    forSeq: async (seq) => {
      const found = await batches.findOne({ firstSeq: { $lte: seq } }, { sort: { firstSeq: -1 } });
      return found !== null && seq < found.firstSeq + found.count ? fromStored(found) : null;
    },
    firstUnanchored: async () => fromStored(await batches.findOne({ anchor: null }, { sort: { _id: 1 } })),
    setAnchor: (id, anchor) =>
      inTransaction((context) =>
        context.track(async () => {
          const { chainId, contract, txHash, blockNumber, anchoredAt } = anchor;
          const stored = { chainId, contract, txHash, blockNumber, anchoredAt };
          const { matchedCount } = await batches.updateOne({ _id: id }, { $set: { anchor: stored } }, { session: context.session });
          if (matchedCount === 0) throw new Error(`batches: no batch ${id}`);
        }),
      ),
    clearAnchors: (fromId) =>
      inTransaction((context) =>
        context.track(async () => {
          await batches.updateMany({ _id: { $gte: fromId }, anchor: { $ne: null } }, { $set: { anchor: null } }, { session: context.session });
        }),
      ),
    proof: async (seq) => {
      const found = await proofs.findOne({ _id: seq });
      return found === null ? null : decodeProof(found.proof.value());
    },
    recordTexts: async (fromSeq, limit) => {
      // A limit of 0 means "no limit" to MongoDB.
      if (limit <= 0) return [];
      const found = await records.find({ _id: { $gte: fromSeq } }, { projection: { body: 1 } }).sort({ _id: 1 }).limit(limit).toArray();
      return found.map((stored) => stored.body);
    },
  };
}

/** The contiguity check reads the last batch and the record counter in the same snapshot the inserts commit on. */
async function closeIn(db: mongo.Db, session: mongo.ClientSession | undefined, batch: ClosingBatch, encoded: readonly Buffer[]): Promise<void> {
  const batches = db.collection<BatchDocument>(BATCHES);
  const last = fromStored(await batches.findOne({}, { session, sort: { _id: -1 } }));
  const counter = await db.collection<Counter>(COUNTERS).findOne({ _id: RECORD_SEQ }, { session });
  const conflict = batchConflict(batch, { last, recordCount: counter?.next ?? 0 });
  if (conflict !== null) throw conflict;
  const { id, firstSeq, count, root, closedAt } = batch;
  try {
    await batches.insertOne({ _id: id, firstSeq, count, root, closedAt, anchor: null }, { session });
  } catch (err) {
    // A batcher elsewhere committed this batch after our snapshot was taken.
    if (!isDuplicateKey(err)) throw err;
    throw duplicateKeyValue(err, "_id") !== null ? new StoreConflictError("batches", `id:${id}`) : new StoreConflictError("batches", `firstSeq:${firstSeq}`);
  }
  await db.collection<ProofDocument>(PROOFS).insertMany(
    encoded.map((proof, i) => ({ _id: firstSeq + i, proof: new mongo.Binary(proof) })),
    { session, ordered: true },
  );
}

function fromStored(stored: BatchDocument | null): StoredBatch | null {
  if (stored === null) return null;
  const { _id: id, firstSeq, count, root, closedAt, anchor } = stored;
  return { id, firstSeq, count, root, closedAt, anchor };
}
