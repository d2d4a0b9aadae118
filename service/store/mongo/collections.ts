// Collection names, stored shapes and indexes: one collection per document kind, `records`, `counters`, and the
// batch log's `batches`, `proofs` and `leases`.
import type { mongo } from "mongoose";
import type { BatchAnchor } from "../port";
import type { Schema } from "../schema";
import { parseRecord } from "../records";
import { isDuplicateKey, isNamespaceExists } from "./errors";

/** A document as stored: its own fields plus the id as `_id`, an insertion-order key and its unique keys. */
export interface StoredDocument {
  _id: string;
  company: string;
  /** Client-made ObjectId: increasing within a process, so lists are oldest first (to clock skew across nodes). */
  _order: mongo.ObjectId;
  /** Absent when the document has no unique key, so the sparse unique index skips it. */
  uniq?: string[];
  /** When the document may be purged (KindSpec.expires); absent for kinds that never expire. */
  _expires?: Date;
}

/** A record as stored: the canonical JSON body (the hashed bytes, kept exact) plus fields to find it by. */
export interface StoredRecord {
  _id: number;
  company: string;
  type: string;
  /** The record's `at` and `subject`, absent on records stored before they were kept (filled in by backfillRecordFields). */
  at?: string;
  subject?: string;
  receipt?: string;
  body: string;
}

export interface Counter {
  _id: string;
  next: number;
}

/** A closed batch; `anchor` is null (never absent) until its root lands on chain. */
export interface BatchDocument {
  _id: number;
  firstSeq: number;
  count: number;
  root: string;
  closedAt: string;
  anchor: BatchAnchor | null;
}

/** A batched record's proof, `_id` its seq: leaf hash ‖ audit path, 32 bytes each (see encodeProof). */
export interface ProofDocument {
  _id: number;
  proof: mongo.Binary;
}

/** A lease, `_id` its name: held by `holder` while the clock is before `expiresAt`. */
export interface LeaseDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
}

export const RECORDS = "records";
export const COUNTERS = "counters";
export const BATCHES = "batches";
export const PROOFS = "proofs";
export const LEASES = "leases";
/** The counter document whose `next` is the next seq, $inc-ed in the transaction that appends. */
export const RECORD_SEQ = "records";

/** Creates the indexes (and so the collections) the schema asks for and the seq counter; safe to run on every start. */
export async function prepareCollections(db: mongo.Db, schema: Schema): Promise<void> {
  for (const [kind, spec] of Object.entries(schema)) {
    await db.collection<StoredDocument>(kind).createIndexes([
      { key: { uniq: 1 }, name: "uniq", unique: true, sparse: true },
      { key: { company: 1, _order: 1 }, name: "by_company" },
      ...spec.indexed.map((field) => ({ key: { company: 1, [field]: 1, _order: 1 }, name: `by_${field}` })),
      ...(spec.expires === null ? [] : [{ key: { _expires: 1 }, name: "by_expiry", sparse: true }]),
    ]);
  }
  await db.collection<StoredRecord>(RECORDS).createIndexes([
    { key: { receipt: 1 }, name: "receipt", unique: true, sparse: true },
    { key: { company: 1, _id: 1 }, name: "by_company" },
    { key: { company: 1, at: 1, _id: 1 }, name: "by_time" },
    { key: { company: 1, type: 1, at: 1, _id: 1 }, name: "by_type" },
    { key: { company: 1, subject: 1, at: 1, _id: 1 }, name: "by_subject" },
  ]);
  await backfillRecordFields(db);
  await db.collection<BatchDocument>(BATCHES).createIndexes([
    { key: { firstSeq: 1 }, name: "firstSeq", unique: true },
    { key: { anchor: 1, _id: 1 }, name: "unanchored" },
  ]);
  // Proofs are inserted inside transactions, which must not have to create their collection.
  await createCollection(db, PROOFS);
  await createCollection(db, LEASES);
  // Upsert without changing an existing counter; transactions then only $inc it and never create it.
  try {
    await db.collection<Counter>(COUNTERS).updateOne({ _id: RECORD_SEQ }, { $setOnInsert: { next: 0 } }, { upsert: true });
  } catch (err) {
    // Another node starting at the same moment created it first.
    if (!isDuplicateKey(err)) throw err;
  }
}

/** Records stored before `at` and `subject` were kept get them from their body, a chunk at a time. */
async function backfillRecordFields(db: mongo.Db): Promise<void> {
  const records = db.collection<StoredRecord>(RECORDS);
  for (;;) {
    const old = await records.find({ at: { $exists: false } }, { projection: { body: 1 } }).limit(BACKFILL_CHUNK).toArray();
    if (old.length === 0) return;
    await records.bulkWrite(
      old.map((stored) => {
        const { at, subject } = parseRecord(stored.body);
        return { updateOne: { filter: { _id: stored._id }, update: { $set: { at, subject } } } };
      }),
      { ordered: false },
    );
  }
}

const BACKFILL_CHUNK = 1_000;

export async function createCollection(db: mongo.Db, name: string): Promise<void> {
  try {
    await db.createCollection(name);
  } catch (err) {
    // It exists already: created on an earlier start, or by another node starting now.
    if (!isNamespaceExists(err)) throw err;
  }
}
