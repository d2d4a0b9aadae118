// The outbox on MongoDB: entries added in the session's transaction, numbered per target by a counter $inc-ed in that
// same transaction, so two transactions for one target conflict and their numbers follow their commit order.
import { mongo } from "mongoose";
import type { Outbox, OutboxEntry, OutboxWrites } from "../port";
import { createCollection } from "./collections";
import type { OutsideWrite } from "./leases";
import type { Context } from "./transactions";

/** An entry; `_id` is a client-made ObjectId (hex), roughly time-ordered across targets. */
interface OutboxDocument {
  _id: string;
  target: string;
  /** Position within the target, from 1. */
  seq: number;
  kind: string;
  /** JSON text: payload keys need not be valid field names. */
  payload: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  delivered: boolean;
  deliveredAt: Date | null;
}

/** A target's counter, `_id` the target: `next` is the seq of its latest entry. */
interface OutboxTarget {
  _id: string;
  next: number;
}

const OUTBOX = "outbox";
const OUTBOX_TARGETS = "outboxTargets";
/**
 * Deliveries decide what is sent again after a crash, so they count once a majority has them on disk; the wait for that
 * is bounded, so a primary cut off from its majority fails the mark (the entry is delivered again later) instead of
 * holding the deliverer forever.
 */
const MARK_WRITE_CONCERN: mongo.WriteConcernSettings = { w: "majority", journal: true, wtimeoutMS: 10_000 };

/** Creates the outbox's collections and indexes; safe to run on every start. */
export async function prepareOutbox(db: mongo.Db): Promise<void> {
  await db.collection<OutboxDocument>(OUTBOX).createIndexes([
    { key: { target: 1, seq: 1 }, name: "target_seq", unique: true },
    { key: { delivered: 1, target: 1, seq: 1 }, name: "pending" },
  ]);
  // Counters are upserted inside transactions, which must not have to create their collection.
  await createCollection(db, OUTBOX_TARGETS);
}

export function outboxWrites(db: mongo.Db, context: Context): OutboxWrites {
  const outbox = db.collection<OutboxDocument>(OUTBOX);
  const targets = db.collection<OutboxTarget>(OUTBOX_TARGETS);
  const { track } = context;
  return {
    add: ({ target, kind, payload }) =>
      track(async (session) => {
        if (!context.inTransaction) throw new Error("outbox.add needs a transaction");
        const counter = await targets.findOneAndUpdate({ _id: target }, { $inc: { next: 1 } }, { session, upsert: true, returnDocument: "after" });
        if (counter === null) throw new Error(`outbox: the counter of target ${target} was not upserted`);
        const id = new mongo.ObjectId().toHexString();
        const entry: OutboxDocument = { _id: id, target, seq: counter.next, kind, payload: JSON.stringify(payload), attempts: 0, lastError: null, nextAttemptAt: new Date(0), delivered: false, deliveredAt: null };
        await outbox.insertOne(entry, { session });
        return id;
      }),
  };
}

/**
 * The deliverer's calls: reads see majority-committed entries only (the connection's read concern), and after the
 * deliverer's own marks (causally consistent sessions), so an entry marked delivered is never handed out again.
 */
export function outboxDelivery(db: mongo.Db, add: Outbox["add"], reads: Context, outside: OutsideWrite): Outbox {
  const outbox = db.collection<OutboxDocument>(OUTBOX);
  return {
    add,
    next: (now, limit) =>
      reads.track(async (session) => {
      // A limit of 0 means "no limit" to MongoDB.
      if (limit <= 0) return [];
      const heads = await outbox
        .aggregate<{ head: OutboxDocument }>([
          { $match: { delivered: false } },
          { $sort: { target: 1, seq: 1 } },
          { $group: { _id: "$target", head: { $first: "$$ROOT" } } },
          { $match: { "head.nextAttemptAt": { $lte: now } } },
          { $sort: { "head._id": 1 } },
          { $limit: limit },
        ], { session })
        .toArray();
      return heads.map(({ head }) => entryOf(head));
    }),
    markDelivered: (id, at) =>
      outside(async (session) => {
        await outbox.updateOne({ _id: id, delivered: false }, { $set: { delivered: true, deliveredAt: at } }, { session, writeConcern: MARK_WRITE_CONCERN });
      }),
    markFailed: (id, error, retryAt) =>
      outside(async (session) => {
        await outbox.updateOne({ _id: id, delivered: false }, { $inc: { attempts: 1 }, $set: { lastError: error, nextAttemptAt: retryAt } }, { session, writeConcern: MARK_WRITE_CONCERN });
      }),
  };
}

function entryOf(stored: OutboxDocument): OutboxEntry {
  return { id: stored._id, target: stored.target, kind: stored.kind, payload: JSON.parse(stored.payload) as OutboxEntry["payload"], attempts: stored.attempts, lastError: stored.lastError };
}
