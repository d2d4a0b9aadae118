// The evidence log collection. A write transaction only accepts records: each is inserted under a fresh random id
// (`_id`), with seq null, `waiting: true`, its accept time and its pending text, and touches no document other writers
// share (the counter document every append used to $inc, and hold until its majority commit, is gone: it made one
// document the lock of the whole service). The sequencer (batches.ts) later sets seq and the final text and drops
// `waiting`. The canonical JSON body is stored as a string so the hashed bytes come back exactly.
import type { mongo } from "mongoose";
import { checkLimit, decodeCursor, pageOf } from "../cursor";
import { StoreConflictError, type LoggedRecord, type RecordFilter, type RecordLog } from "../port";
import { newRecordId, parseLogged, parseRecord, pendingRecord, pendingText, receiptOf } from "../records";
import { RECORDS, type StoredRecord } from "./collections";
import { nextCreationOrder } from "./documents";
import { isDuplicateKey } from "./errors";
import type { Context } from "./transactions";

/** Acceptance order: the accepting node's clock, then a tie-breaker rising within a process (see nextCreationOrder). */
export const ACCEPTANCE_SORT = { acceptedAt: 1, _tie: 1 } as const;

export function recordLog(db: mongo.Db, context: Context): RecordLog {
  const records = db.collection<StoredRecord>(RECORDS);
  const { track } = context;
  return {
    append: (drafts) =>
      track(async (session) => {
        if (!context.inTransaction) throw new Error("records.append needs a transaction");
        const accepted: LoggedRecord[] = [];
        for (const draft of drafts) {
          const record = pendingRecord(draft);
          const body = pendingText(record);
          const { _created, _tie } = nextCreationOrder();
          const stored: StoredRecord = {
            _id: newRecordId(),
            seq: null,
            waiting: true,
            company: record.company,
            type: record.type,
            at: record.at,
            subject: record.subject,
            acceptedAt: new Date(_created),
            _tie,
            body,
          };
          const receipt = receiptOf(record);
          if (receipt !== null) stored.receipt = receipt;
          try {
            await records.insertOne(stored, { session });
          } catch (err) {
            // The one unique key a record can meet (its _id is 96 random bits).
            if (isDuplicateKey(err)) throw new StoreConflictError("records", `receipt:${receipt}`);
            throw err;
          }
          accepted.push({ id: stored._id, record: parseLogged(body) });
        }
        return accepted;
      }),
    byId: (id) => track(async (session) => loggedOrNull(await records.findOne({ _id: id }, { session }))),
    get: (seq) =>
      track(async (session) => {
        if (!isSeq(seq)) return null;
        const found = await records.findOne({ seq }, { session, projection: { body: 1 } });
        return found === null ? null : parseRecord(found.body);
      }),
    getByReceipt: (receiptId) => track(async (session) => loggedOrNull(await records.findOne({ receipt: receiptId }, { session }))),
    list: ({ company, fromSeq = 0, limit }) =>
      track(async (session) => {
        // A limit of 0 means "no limit" to MongoDB.
        if (limit <= 0) return [];
        const sequenced = { seq: { $gte: Math.max(0, fromSeq) } };
        const filter: mongo.Filter<StoredRecord> = company === undefined ? sequenced : { company, ...sequenced };
        const found = await records.find(filter, { session, projection: { body: 1 } }).sort({ seq: 1 }).limit(limit).toArray();
        return found.map((stored) => parseRecord(stored.body));
      }),
    page: (filter, { after, limit }) =>
      track(async (session) => {
        checkLimit(limit);
        const found = await records.find(pageFilter(filter, after), { session }).sort(PAGE_SORT).limit(limit + 1).toArray();
        const page = pageOf(found, limit, (stored) => [stored.at, stored.acceptedAt.getTime(), stored._tie]);
        return { items: page.items.map(logged), next: page.next };
      }),
    count: () =>
      track(async (session) => {
        const last = await records.findOne({ seq: { $gte: 0 } }, { session, sort: { seq: -1 }, projection: { seq: 1 } });
        return last === null || last.seq === null ? 0 : last.seq + 1;
      }),
    waiting: () =>
      track(async (session) => {
        // Both read the partial index of waiting records only, never the log.
        const count = await records.countDocuments({ waiting: true }, { session });
        const oldest = count === 0 ? null : await records.findOne({ waiting: true }, { session, sort: ACCEPTANCE_SORT, projection: { acceptedAt: 1 } });
        return { count, oldestAcceptedAt: oldest === null ? null : oldest.acceptedAt.toISOString() };
      }),
  };
}

/** A seq the log can hold; anything else finds nothing (and must not reach the partial seq index as a query). */
function isSeq(seq: number): boolean {
  return Number.isSafeInteger(seq) && seq >= 0;
}

const PAGE_SORT = { at: 1, acceptedAt: 1, _tie: 1 } as const;

/** The records a RecordFilter and a cursor select; the by_time, by_type and by_subject indexes serve it. */
function pageFilter(filter: RecordFilter, after: string | undefined): mongo.Filter<StoredRecord> {
  const { company, type, subject, from, to } = filter;
  const conditions: mongo.Filter<StoredRecord>[] = [{ company }];
  if (type !== undefined) conditions.push({ type });
  if (subject !== undefined) conditions.push({ subject });
  if (from !== undefined) conditions.push({ at: { $gte: from } });
  if (to !== undefined) conditions.push({ at: { $lt: to } });
  if (after !== undefined) {
    const [at, acceptedMs, tie] = decodeCursor(after, ["string", "number", "string"] as const);
    const acceptedAt = new Date(acceptedMs);
    conditions.push({ $or: [{ at: { $gt: at } }, { at, acceptedAt: { $gt: acceptedAt } }, { at, acceptedAt, _tie: { $gt: tie } }] });
  }
  return { $and: conditions };
}

function logged(stored: StoredRecord): LoggedRecord {
  return { id: stored._id, record: parseLogged(stored.body) };
}

function loggedOrNull(stored: StoredRecord | null): LoggedRecord | null {
  return stored === null ? null : logged(stored);
}
