// The evidence log collection: seq is `_id`, taken from a counter $inc-ed in the same transaction, so an aborted
// append leaves no gap; the canonical JSON body is stored as a string so the hashed bytes come back exactly.
import type { mongo } from "mongoose";
import { canonicalJson, type EvidenceRecord } from "../../evidence";
import { checkLimit, decodeCursor, pageOf } from "../cursor";
import { StoreConflictError, type RecordFilter, type RecordLog } from "../port";
import { parseRecord, receiptOf, recordAt } from "../records";
import { COUNTERS, RECORD_SEQ, RECORDS, type Counter, type StoredRecord } from "./collections";
import type { Context } from "./documents";
import { duplicateKeyValue, isDuplicateKey } from "./errors";

export function recordLog(db: mongo.Db, context: Context): RecordLog {
  const records = db.collection<StoredRecord>(RECORDS);
  const counters = db.collection<Counter>(COUNTERS);
  const { session, track } = context;
  return {
    append: (drafts) =>
      track(async () => {
        if (session === undefined) throw new Error("records.append needs a transaction");
        if (drafts.length === 0) return [];
        const counter = await counters.findOneAndUpdate({ _id: RECORD_SEQ }, { $inc: { next: drafts.length } }, { session, returnDocument: "after" });
        if (counter === null) throw new Error("the records counter is missing: the store was not opened with openMongoStore");
        const first = counter.next - drafts.length;
        const appended: EvidenceRecord[] = [];
        for (const [i, draft] of drafts.entries()) {
          const body = canonicalJson(recordAt(first + i, draft));
          const record = parseRecord(body);
          await insertRecord(records, session, record, body);
          appended.push(record);
        }
        return appended;
      }),
    get: (seq) => track(async () => fromStored(await records.findOne({ _id: seq }, { session }))),
    getByReceipt: (receiptId) => track(async () => fromStored(await records.findOne({ receipt: receiptId }, { session }))),
    list: ({ company, fromSeq = 0, limit }) =>
      track(async () => {
        // A limit of 0 means "no limit" to MongoDB.
        if (limit <= 0) return [];
        const filter: mongo.Filter<StoredRecord> = company === undefined ? { _id: { $gte: fromSeq } } : { company, _id: { $gte: fromSeq } };
        const found = await records.find(filter, { session }).sort({ _id: 1 }).limit(limit).toArray();
        return found.map((stored) => parseRecord(stored.body));
      }),
    page: (filter, { after, limit }) =>
      track(async () => {
        checkLimit(limit);
        const found = await records.find(pageFilter(filter, after), { session }).sort({ at: 1, _id: 1 }).limit(limit + 1).toArray();
        const page = pageOf(found, limit, (stored) => [stored.at ?? "", stored._id]);
        return { items: page.items.map((stored) => parseRecord(stored.body)), next: page.next };
      }),
    count: () => track(async () => (await counters.findOne({ _id: RECORD_SEQ }, { session }))?.next ?? 0),
  };
}

async function insertRecord(records: mongo.Collection<StoredRecord>, session: mongo.ClientSession, record: EvidenceRecord, body: string): Promise<void> {
  const receipt = receiptOf(record);
  try {
    const { seq, company, type, at, subject } = record;
    await records.insertOne({ _id: seq, company, type, at, subject, ...(receipt === null ? {} : { receipt }), body }, { session });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    if (duplicateKeyValue(err, "_id") !== null) throw new Error(`records: seq ${record.seq} is taken, the counter is behind the log`, { cause: err });
    throw new StoreConflictError("records", `receipt:${receipt}`);
  }
}

/** The records a RecordFilter and a cursor select; the by_time, by_type and by_subject indexes serve it. */
function pageFilter(filter: RecordFilter, after: string | undefined): mongo.Filter<StoredRecord> {
  const { company, type, subject, from, to } = filter;
  const conditions: mongo.Filter<StoredRecord>[] = [{ company }];
  if (type !== undefined) conditions.push({ type });
  if (subject !== undefined) conditions.push({ subject });
  if (from !== undefined) conditions.push({ at: { $gte: from } });
  if (to !== undefined) conditions.push({ at: { $lt: to } });
  if (after !== undefined) {
    const [at, seq] = decodeCursor(after, ["string", "number"] as const);
    conditions.push({ $or: [{ at: { $gt: at } }, { at, _id: { $gt: seq } }] });
  }
  return { $and: conditions };
}

function fromStored(stored: StoredRecord | null): EvidenceRecord | null {
  return stored === null ? null : parseRecord(stored.body);
}
