// Records stored when seq was assigned at write time (`_id` = seq, a counter document beside them) become records
// keyed by id, once, at start: each keeps its seq and body and is known by legacyRecordId(seq), as SQLite's migration 7
// does. Such records were all numbered when written; those not yet batched are batched first, as they are (batches.ts).
import type { mongo } from "mongoose";
import { legacyRecordId, parseRecord, receiptOf } from "../records";
import { RECORDS, type StoredRecord } from "./collections";
import type { Context } from "./transactions";

/** A record of the log keyed by seq. `at` and `subject` were not kept by its first versions: the body has them. */
interface LegacyRecord {
  _id: number;
  body: string;
}

/** Records converted per transaction: bounded, far inside the limits a batch keeps to (limits.ts). */
const CHUNK = 500;
const OLD_INDEXES = ["by_company", "by_time", "by_type", "by_subject"];
const COUNTERS = "counters";
const RECORD_SEQ = "records";

/**
 * Converts every legacy record, a chunk per transaction (deleted and reinserted together, so a crash leaves each record
 * in one form or the other, and a rerun — or another node starting at the same time — finishes the job), then drops
 * the seq counter and the indexes keyed by the old `_id`.
 */
export async function migrateLegacyRecords(db: mongo.Db, inTransaction: <T>(work: (context: Context) => Promise<T>) => Promise<T>): Promise<void> {
  const legacy = db.collection<LegacyRecord>(RECORDS);
  const records = db.collection<StoredRecord>(RECORDS);
  for (;;) {
    const converted = await inTransaction((context) =>
      context.track(async (session) => {
        // Comparisons match values of their own BSON type only: this finds the numeric ids, never a record id.
        const old = await legacy.find({ _id: { $gte: 0 } }, { session, projection: { body: 1 } }).sort({ _id: 1 }).limit(CHUNK).toArray();
        if (old.length === 0) return 0;
        // Deleted first: the reinserted record keeps its receipt id, which the unique index would see twice.
        await legacy.deleteMany({ _id: { $in: old.map((stored) => stored._id) } }, { session });
        await records.insertMany(old.map(keyedById), { session, ordered: true });
        return old.length;
      }),
    );
    if (converted === 0) break;
  }
  await db.collection<{ _id: string }>(COUNTERS).deleteOne({ _id: RECORD_SEQ });
  const existing = new Set((await records.listIndexes().toArray()).map((index: { name?: string }) => index.name));
  for (const name of OLD_INDEXES) if (existing.has(name)) await records.dropIndex(name).catch(ignoreIndexGone);
}

function keyedById(stored: LegacyRecord): StoredRecord {
  const record = parseRecord(stored.body);
  const receipt = receiptOf(record);
  const acceptedAt = new Date(Date.parse(record.at) || 0);
  // Zero-padded hex of the seq: among legacy records of the same time, seq order; before any ObjectId-based tie.
  const tie = stored._id.toString(16).padStart(24, "0");
  return { _id: legacyRecordId(stored._id), seq: stored._id, company: record.company, type: record.type, at: record.at, subject: record.subject, ...(receipt === null ? {} : { receipt }), acceptedAt, _tie: tie, body: stored.body };
}

/** Another node starting at the same moment dropped it first. */
function ignoreIndexGone(err: unknown): void {
  if (!(err instanceof Error && /index not found|ns not found/i.test(err.message))) throw err;
}
