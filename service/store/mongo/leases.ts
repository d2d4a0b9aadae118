// Named leases with an expiry: one conditional upsert takes a free, expired or own lease; when the lease is held
// by someone else the upsert's insert meets the existing `_id` and fails with a duplicate key, which means "not yours".
import type { mongo } from "mongoose";
import type { Leases } from "../port";
import { LEASES, type LeaseDocument } from "./collections";
import { isDuplicateKey } from "./errors";

/** A lease decides who may act, so it counts only once a majority has it on disk. */
const LEASE_WRITE_CONCERN: mongo.WriteConcernSettings = { w: "majority", journal: true };

export function leases(db: mongo.Db): Leases {
  const collection = db.collection<LeaseDocument>(LEASES);
  return {
    acquire: async (name, holder, ttlMs, now) => {
      try {
        const taken = await collection.findOneAndUpdate(
          { _id: name, $or: [{ holder }, { expiresAt: { $lte: now } }] },
          { $set: { holder, expiresAt: new Date(now.getTime() + ttlMs) } },
          { upsert: true, returnDocument: "after", writeConcern: LEASE_WRITE_CONCERN },
        );
        return taken !== null;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    release: async (name, holder) => {
      await collection.deleteOne({ _id: name, holder }, { writeConcern: LEASE_WRITE_CONCERN });
    },
  };
}
