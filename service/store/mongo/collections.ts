// Collection names, stored shapes and indexes: one collection per document kind, `records`, and `counters`.
import type { mongo } from "mongoose";
import type { Kind } from "../port";
import { isDuplicateKey } from "./errors";

/** A document as stored: its own fields plus the id as `_id`, an insertion-order key and its unique keys. */
export interface StoredDocument {
  _id: string;
  company: string;
  /** Client-made ObjectId: increasing within a process, so lists are oldest first (to clock skew across nodes). */
  _order: mongo.ObjectId;
  /** Absent when the document has no unique key, so the sparse unique index skips it. */
  uniq?: string[];
}

/** A record as stored: the canonical JSON body (the hashed bytes, kept exact) plus fields to find it by. */
export interface StoredRecord {
  _id: number;
  company: string;
  type: string;
  receipt?: string;
  body: string;
}

export interface Counter {
  _id: string;
  next: number;
}

export const RECORDS = "records";
export const COUNTERS = "counters";
/** The counter document whose `next` is the next seq, $inc-ed in the transaction that appends. */
export const RECORD_SEQ = "records";

/** Creates the indexes (and so the collections) and the seq counter; safe to run on every start. */
export async function prepareCollections(db: mongo.Db, kinds: readonly Kind[]): Promise<void> {
  for (const kind of kinds) {
    await db.collection<StoredDocument>(kind).createIndexes([
      { key: { uniq: 1 }, name: "uniq", unique: true, sparse: true },
      { key: { company: 1, _order: 1 }, name: "by_company" },
    ]);
  }
  await db.collection<StoredRecord>(RECORDS).createIndexes([
    { key: { receipt: 1 }, name: "receipt", unique: true, sparse: true },
    { key: { company: 1, _id: 1 }, name: "by_company" },
  ]);
  // Upsert without changing an existing counter; transactions then only $inc it and never create it.
  try {
    await db.collection<Counter>(COUNTERS).updateOne({ _id: RECORD_SEQ }, { $setOnInsert: { next: 0 } }, { upsert: true });
  } catch (err) {
    // Another node starting at the same moment created it first.
    if (!isDuplicateKey(err)) throw err;
  }
}
