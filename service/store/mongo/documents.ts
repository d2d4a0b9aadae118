// A repository over one kind's collection, inside a transaction's session or, for reads, outside any.
import { mongo } from "mongoose";
import { checkLimit, decodeCursor, pageOf } from "../cursor";
import { StoreCursorError, StoreNotFoundError, type Repository } from "../port";
import { purgeTimeOf, uniqueKeysOf, type KindSpec, type Owned } from "../schema";
import type { StoredDocument } from "./collections";
import { documentConflict } from "./errors";

/** Where a repository's operations run: the transaction's session and its guard, or neither for plain reads. */
export interface Context {
  session?: mongo.ClientSession;
  /** Runs one operation of the transaction; throws once the transaction is over. */
  track: <T>(operation: () => Promise<T>) => Promise<T>;
}

export function documentRepository(db: mongo.Db, kind: string, spec: KindSpec<Owned>, context: Context): Repository<Owned> {
  const collection = db.collection<StoredDocument>(kind);
  const { session, track } = context;
  const stored = (doc: Owned, order: mongo.ObjectId): StoredDocument => {
    const keys = uniqueKeysOf(spec, doc);
    const expires = purgeTimeOf(spec, doc);
    return { ...doc, _id: doc.id, _order: order, ...(keys.length > 0 ? { uniq: keys } : {}), ...(expires !== null ? { _expires: new Date(expires) } : {}) };
  };
  return {
    get: (id) => track(async () => fromStoredOrNull(await collection.findOne({ _id: id }, { session }))),
    getByKey: (key) => track(async () => fromStoredOrNull(await collection.findOne({ uniq: key }, { session }))),
    list: (company, where = {}) =>
      track(async () => {
        const found = await collection.find({ $and: [{ company }, ...equalities(where)] }, { session }).sort({ _order: 1 }).toArray();
        return found.map((raw) => fromStored(raw));
      }),
    // _order is an ObjectId, unique: creation order is a total order and the cursor is the last item's _order.
    page: (company, where, { after, limit }) =>
      track(async () => {
        checkLimit(limit);
        const from = after === undefined ? [] : [{ _order: { $gt: orderOf(after) } }];
        const found = await collection.find({ $and: [{ company }, ...equalities(where), ...from] }, { session }).sort({ _order: 1 }).limit(limit + 1).toArray();
        const page = pageOf(found, limit, (raw) => [raw._order.toHexString()]);
        return { items: page.items.map((raw) => fromStored(raw)), next: page.next };
      }),
    insert: (doc) =>
      track(async () => {
        try {
          await collection.insertOne(stored(doc, new mongo.ObjectId()), { session });
        } catch (err) {
          throw documentConflict(err, kind, doc.id, uniqueKeysOf(spec, doc));
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
          throw documentConflict(err, kind, doc.id, uniqueKeysOf(spec, doc));
        }
      }),
    delete: (id) =>
      track(async () => {
        await collection.deleteOne({ _id: id }, { session });
      }),
  };
}

const STORAGE_FIELDS = new Set(["_id", "_order", "uniq", "_expires", "__v"]);

/** The document without the storage fields. Stored documents are written only by this repository, from a document of its kind. */
function fromStored(raw: StoredDocument): Owned {
  return Object.fromEntries(Object.entries(raw).filter(([field]) => !STORAGE_FIELDS.has(field))) as Owned;
}

function fromStoredOrNull(raw: StoredDocument | null): Owned | null {
  return raw === null ? null : fromStored(raw);
}

function orderOf(cursor: string): mongo.ObjectId {
  const [hex] = decodeCursor(cursor, ["string"] as const);
  if (!mongo.ObjectId.isValid(hex) || hex.length !== 24) throw new StoreCursorError(cursor);
  return new mongo.ObjectId(hex);
}

/** One equality condition per field `where` gives; a field given as undefined is not a condition. */
function equalities(where: object): mongo.Filter<StoredDocument>[] {
  const fields: [string, unknown][] = Object.entries(where);
  return fields
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => ({ [field]: value }));
}
