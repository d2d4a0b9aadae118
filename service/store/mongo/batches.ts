// The batch log on MongoDB: `batches` (`_id` = id, unique firstSeq) and the proofs in chunk documents (proofs.ts).
// Every write is a transaction of its own, so a batch, its records' seq values and texts, and all its proofs commit
// together or not at all; reads run in causally consistent sessions (causal.ts), so a batch this process closed is
// never missing from its next read.
import type { mongo } from "mongoose";
import { batchConflict, checkBatchShape, proofBuffer, type ClosingBatch } from "../batches";
import { StoreConflictError, type BatchLog, type BatchTree, type StoredBatch } from "../port";
import { sequenceRecords, type CompanyHead } from "../records";
import { toHex } from "../../evidence";
import { BATCHES, COMPANY_HEADS, RECORDS, type BatchDocument, type CompanyHeadDocument, type StoredRecord } from "./collections";
import { duplicateKeyValue, isDuplicateKey } from "./errors";
import { MONGO_BATCH_MAX } from "./limits";
import { PROOF_CHUNKS, proofChunks, readProof, type ProofChunkDocument } from "./proofs";
import { ACCEPTANCE_SORT } from "./records";
import type { Context } from "./transactions";

/** Runs `work` in a transaction of its own (see openMongoStore). */
export type InTransaction = <T>(work: (context: Context) => Promise<T>) => Promise<T>;

/** `reads` runs each read in a causally consistent session of its own. */
export function batchLog(db: mongo.Db, inTransaction: InTransaction, reads: Context): BatchLog {
  const batches = db.collection<BatchDocument>(BATCHES);
  const records = db.collection<StoredRecord>(RECORDS);
  const { track } = reads;
  return {
    sequence: (max, closedAt, tree) => {
      if (!Number.isSafeInteger(max) || max < 1) return Promise.reject(new RangeError(`batches: max must be a positive integer, got ${max}`));
      // However large a batch the caller allows, one transaction holds at most MONGO_BATCH_MAX records (limits.ts):
      // the rest wait for the next call, as records beyond max do.
      const take = Math.min(max, MONGO_BATCH_MAX);
      return inTransaction((context) => context.track((session) => sequenceIn(db, session, take, closedAt, tree)));
    },
    get: (id) => track(async (session) => fromStored(await batches.findOne({ _id: id }, { session }))),
    last: () => track(async (session) => fromStored(await batches.findOne({}, { session, sort: { _id: -1 } }))),
    forSeq: (seq) =>
      track(async (session) => {
        const found = await batches.findOne({ firstSeq: { $lte: seq } }, { session, sort: { firstSeq: -1 } });
        return found !== null && seq < found.firstSeq + found.count ? fromStored(found) : null;
      }),
    firstUnanchored: () => track(async (session) => fromStored(await batches.findOne({ anchor: null }, { session, sort: { _id: 1 } }))),
    setAnchor: (id, anchor) =>
      inTransaction((context) =>
        context.track(async (session) => {
          const { chainId, contract, txHash, blockNumber, anchoredAt } = anchor;
          const stored = { chainId, contract, txHash, blockNumber, anchoredAt };
          const { matchedCount } = await batches.updateOne({ _id: id }, { $set: { anchor: stored } }, { session });
          if (matchedCount === 0) throw new Error(`batches: no batch ${id}`);
        }),
      ),
    clearAnchors: (fromId) =>
      inTransaction((context) =>
        context.track(async (session) => {
          await batches.updateMany({ _id: { $gte: fromId }, anchor: { $ne: null } }, { $set: { anchor: null } }, { session });
        }),
      ),
    proof: (seq) => track((session) => readProof(db, seq, session)),
    recordTexts: (fromSeq, limit) =>
      track(async (session) => {
        // A limit of 0 means "no limit" to MongoDB.
        if (limit <= 0) return [];
        const found = await records.find({ seq: { $gte: Math.max(0, fromSeq) } }, { session, projection: { body: 1 } }).sort({ seq: 1 }).limit(limit).toArray();
        return found.map((stored) => stored.body);
      }),
  };
}

/**
 * The sequencer's transaction. It reads the last batch to place the next one (no counter: the log ends where the last
 * batch does), takes up to `take` waiting records in acceptance order, gives them the next seq values, their place in
 * their company's chain (record v2) and their final texts, and inserts the batch, its proof chunks and the companies'
 * new chain heads. Everything it reads is in the transaction's snapshot and everything it changes is written in it,
 * so a second sequencer running at the same moment meets a write conflict on the same records or heads (and is
 * retried on the new state) or a duplicate batch id (StoreConflictError): never a fork.
 */
async function sequenceIn(db: mongo.Db, session: mongo.ClientSession, take: number, closedAt: Date, tree: BatchTree): Promise<StoredBatch | null> {
  const batches = db.collection<BatchDocument>(BATCHES);
  const records = db.collection<StoredRecord>(RECORDS);
  const last = fromStored(await batches.findOne({}, { session, sort: { _id: -1 } }));
  const firstSeq = last === null ? 0 : last.firstSeq + last.count;
  // Records numbered when they were written (a store from before sequencing, see legacy-records.ts) and not yet
  // batched are batched first, as they are; otherwise the waiting records are numbered now.
  const projection = { body: 1, company: 1 };
  const numbered = await records.find({ seq: { $gte: firstSeq } }, { session, projection }).sort({ seq: 1 }).limit(take).toArray();
  const taken = numbered.length > 0 ? numbered : await records.find({ waiting: true }, { session, projection }).sort(ACCEPTANCE_SORT).limit(take).toArray();
  if (taken.length === 0) return null;
  const final = numbered.length > 0;
  const heads = await headsOf(db, session, new Set(taken.map((stored) => stored.company)), firstSeq);
  const { texts, leaves } = sequenceRecords(
    taken.map((stored) => ({ company: stored.company, text: stored.body, final })),
    firstSeq,
    heads,
  );
  const { root, proofs } = tree(texts, leaves);
  const batch: ClosingBatch = { id: last === null ? 0 : last.id + 1, firstSeq, count: texts.length, root, closedAt: closedAt.toISOString() };
  checkBatchShape(batch, proofs);
  const conflict = batchConflict(batch, { last, recordCount: firstSeq + texts.length });
  if (conflict !== null) throw conflict;
  if (!final) await numberWaiting(records, session, taken, firstSeq, texts);
  const { id, count } = batch;
  try {
    await batches.insertOne({ ...batch, _id: id, anchor: null }, { session });
  } catch (err) {
    // A sequencer elsewhere committed this batch after our snapshot was taken.
    if (!isDuplicateKey(err)) throw err;
    throw duplicateKeyValue(err, "_id") !== null ? new StoreConflictError("batches", `id:${id}`) : new StoreConflictError("batches", `firstSeq:${firstSeq}`);
  }
  await db.collection<ProofChunkDocument>(PROOF_CHUNKS).insertMany(proofChunks(id, firstSeq, proofs.map(proofBuffer)), { session, ordered: true });
  await db.collection<CompanyHeadDocument>(COMPANY_HEADS).bulkWrite(
    [...heads].map(([company, head]) => ({
      updateOne: { filter: { _id: company }, update: { $set: { next: head.next, leaf: toHex(head.leaf) } }, upsert: true },
    })),
    { session, ordered: false },
  );
  return { id, firstSeq, count, root, closedAt: batch.closedAt, anchor: null };
}

/**
 * The chain heads of these companies before seq `sequencedThrough`: stored, or for a company whose records were all
 * sequenced before record v2, counted from them (its last record's leaf is in that record's proof).
 */
async function headsOf(db: mongo.Db, session: mongo.ClientSession, companies: Set<string>, sequencedThrough: number): Promise<Map<string, CompanyHead>> {
  const records = db.collection<StoredRecord>(RECORDS);
  const stored = await db.collection<CompanyHeadDocument>(COMPANY_HEADS).find({ _id: { $in: [...companies] } }, { session }).toArray();
  const heads = new Map<string, CompanyHead>(stored.map((head) => [head._id, { next: head.next, leaf: Buffer.from(head.leaf, "hex") }]));
  for (const company of companies) {
    if (heads.has(company)) continue;
    const before = { company, seq: { $gte: 0, $lt: sequencedThrough } };
    const lastOne = await records.findOne(before, { session, sort: { seq: -1 }, projection: { seq: 1 } });
    if (lastOne === null || lastOne.seq === null) continue;
    const proof = await readProof(db, lastOne.seq, session);
    if (proof === null) throw new Error(`invariant: record seq ${lastOne.seq} is sequenced but has no proof`);
    heads.set(company, { next: await records.countDocuments(before, { session }), leaf: Buffer.from(proof.leaf, "hex") });
  }
  return heads;
}

/**
 * Numbers the waiting records taken, in one bulk write (one round trip, however many records), with their final
 * texts. Each update is conditioned on the record still waiting: one that no longer matches was numbered by a
 * sequencer that committed after our snapshot, which the unique seq index and the batch id refuse anyway; it is
 * reported as the conflict it is.
 */
async function numberWaiting(records: mongo.Collection<StoredRecord>, session: mongo.ClientSession, taken: Array<Pick<StoredRecord, "_id">>, firstSeq: number, texts: string[]): Promise<void> {
  const { matchedCount } = await records.bulkWrite(
    taken.map((stored, i) => ({
      updateOne: { filter: { _id: stored._id, waiting: true }, update: { $set: { seq: firstSeq + i, body: texts[i] }, $unset: { waiting: "" } } },
    })),
    { session, ordered: true },
  );
  if (matchedCount !== taken.length) throw new StoreConflictError("batches", `firstSeq:${firstSeq}`);
}

function fromStored(stored: BatchDocument | null): StoredBatch | null {
  if (stored === null) return null;
  const { _id: id, firstSeq, count, root, closedAt, anchor } = stored;
  return { id, firstSeq, count, root, closedAt, anchor };
}
