// Named leases with an expiry: one conditional upsert takes a free, expired or own lease; when the lease is held
// by someone else the upsert's insert meets the existing `_id` and fails with a duplicate key, which means "not yours".
import type { mongo } from "mongoose";
import type { Leases } from "../port";
import { LEASES, type LeaseDocument } from "./collections";
import { isDuplicateKey } from "./errors";

/** Runs one write outside any transaction (refused inside a transaction's fn, causally consistent: see store.ts). */
export type OutsideWrite = <T>(operation: (session: mongo.ClientSession) => Promise<T>) => Promise<T>;

/**
 * Longest wait for a majority to acknowledge a lease write. Without a bound, a write to a primary that lost its
 * majority (a partition, secondaries down) waits forever, and the batcher with it, holding nothing useful; with one,
 * it fails with a write-concern error and the job runner backs off and tries again. The write may still have been
 * applied on the primary: that is harmless, the lease then simply expires at its time.
 */
const LEASE_WTIMEOUT_MS = 5_000;

/**
 * The write concern of a lease taken for ttlMs: it counts only once a majority has it on disk, and the wait for that
 * is at most a third of the TTL, so that a lease reported acquired still has most of its time to run.
 */
function leaseWriteConcern(ttlMs: number): mongo.WriteConcernSettings {
  return { w: "majority", journal: true, wtimeoutMS: Math.max(1, Math.min(LEASE_WTIMEOUT_MS, Math.floor(ttlMs / 3))) };
}

export function leases(db: mongo.Db, outside: OutsideWrite): Leases {
  const collection = db.collection<LeaseDocument>(LEASES);
  return {
    acquire: (name, holder, ttlMs, now) =>
      outside(async (session) => {
        try {
          const taken = await collection.findOneAndUpdate(
            { _id: name, $or: [{ holder }, { expiresAt: { $lte: now } }] },
            { $set: { holder, expiresAt: new Date(now.getTime() + ttlMs) } },
            { session, upsert: true, returnDocument: "after", writeConcern: leaseWriteConcern(ttlMs) },
          );
          return taken !== null;
        } catch (err) {
          if (isDuplicateKey(err)) return false;
          throw err;
        }
      }),
    release: (name, holder) =>
      outside(async (session) => {
        await collection.deleteOne({ _id: name, holder }, { session, writeConcern: { w: "majority", journal: true, wtimeoutMS: LEASE_WTIMEOUT_MS } });
      }),
  };
}
