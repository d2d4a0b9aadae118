// A repository over one kind's collection, inside a transaction's session or, for reads, outside any.
import { mongo } from "mongoose";
import { StoreNotFoundError, purgeTimeOf, type Documents, type Kind, type Repository } from "../port";
import { uniqueKeysOf } from "../repositories";
import type { StoredDocument } from "./collections";
import { documentConflict } from "./errors";

/** Where a repository's operations run: the transaction's session and its guard, or neither for plain reads. */
export interface Context {
  session?: mongo.ClientSession;
  /** Runs one operation of the transaction; throws once the transaction is over. */
  track<T>(operation: () => Promise<T>): Promise<T>;
}

export function documentRepository<K extends Kind>(db: mongo.Db, kind: K, context: Context): Repository<Documents[K]> {
  type T = Documents[K];
  const collection = db.collection<StoredDocument>(kind);
  const { session, track } = context;
  const stored = (doc: T, order: mongo.ObjectId): StoredDocument => {
    const keys = uniqueKeysOf(kind, doc);
    const expires = purgeTimeOf(kind, doc);
    return { ...doc, _id: doc.id, _order: order, ...(keys.length > 0 ? { uniq: keys } : {}), ...(expires !== null ? { _expires: new Date(expires) } : {}) };
  };
  return {
    get: (id) => track(async () => fromStoredOrNull<T>(await collection.findOne({ _id: id }, { session }))),
    getByKey: (key) => track(async () => fromStoredOrNull<T>(await collection.findOne({ uniq: key }, { session }))),
    list: (company, where = {}) =>
      track(async () => {
        const found = await collection.find({ $and: [{ company }, ...equalities(where)] }, { session }).sort({ _order: 1 }).toArray();
        return found.map((raw) => fromStored<T>(raw));
      }),
    insert: (doc) =>
      track(async () => {
        try {
          await collection.insertOne(stored(doc, new mongo.ObjectId()), { session });
        } catch (err) {
          throw documentConflict(err, kind, doc.id, uniqueKeysOf(kind, doc));
        }
      }),
    update: (doc) =>
      track(async () => {
        // Replacing keeps the document's place in lists: its insertion-order key is carried over.
        const current = await collection.findOne({ _id: doc.id }, { session, projection: { _order: 1 } });
        if (current === null) throw new StoreNotFoundError(kind, doc.id);
        try {
          await collection.replaceOne({ _id: doc.id }, stored(doc, current._order), { session });
        } catch (err) {
          throw documentConflict(err, kind, doc.id, uniqueKeysOf(kind, doc));
        }
      }),
    delete: (id) =>
      track(async () => {
        await collection.deleteOne({ _id: id }, { session });
      }),
  };
}

const STORAGE_FIELDS = new Set(["_id", "_order", "uniq", "_expires", "__v"]);

/** The document without the storage fields. Stored documents are written only by this repository, from a T. */
function fromStored<T>(raw: StoredDocument): T {
  return Object.fromEntries(Object.entries(raw).filter(([field]) => !STORAGE_FIELDS.has(field))) as T;
}

function fromStoredOrNull<T>(raw: StoredDocument | null): T | null {
  return raw === null ? null : fromStored<T>(raw);
}

/** One equality condition per field `where` gives; a field given as undefined is not a condition. */
function equalities(where: object): mongo.Filter<StoredDocument>[] {
  return Object.entries(where)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => ({ [field]: value }));
}
