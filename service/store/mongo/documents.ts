// A repository over one kind's collection, inside a transaction's session or, outside any, in a causally consistent
// session of its own per call (see causal.ts).
import { isDeepStrictEqual } from "node:util";
import { mongo } from "mongoose";
import { checkLimit, decodeCursor, pageOf } from "../cursor";
import { StoreNotFoundError, type Repository } from "../port";
import { purgeTimeOf, uniqueKeysOf, type KindSpec, type Owned } from "../schema";
import type { StoredDocument } from "./collections";
import { documentConflict } from "./errors";
import type { Context } from "./transactions";

export function documentRepository(db: mongo.Db, kind: string, spec: KindSpec<Owned>, context: Context): Repository<Owned> {
  const collection = db.collection<StoredDocument>(kind);
  const { track } = context;
  const stored = (doc: Owned, order: CreationOrder): StoredDocument => {
    const keys = uniqueKeysOf(spec, doc);
    const expires = purgeTimeOf(spec, doc);
    return { ...doc, _id: doc.id, ...order, ...(keys.length > 0 ? { uniq: keys } : {}), ...(expires !== null ? { _expires: new Date(expires) } : {}) };
  };
  return {
    get: (id) => track(async (session) => fromStoredOrNull(await collection.findOne({ _id: id }, { session }))),
    getByKey: (key) => track(async (session) => fromStoredOrNull(await collection.findOne({ uniq: key }, { session }))),
    list: (company, where = {}) =>
      track(async (session) => {
        const found = await collection.find(narrowing(company, where), { session }).sort(CREATION_SORT).toArray();
        return found.map(fromStored).filter((doc) => matches(doc, where));
      }),
    // (_created, _tie) is unique and in creation order: the cursor is the last item's pair.
    page: (company, where, { after, limit }) =>
      track(async (session) => {
        checkLimit(limit);
        const from = after === undefined ? [] : [afterFilter(after)];
        const query = { $and: [narrowing(company, where), ...from] };
        // The server's equality is broader than ours (an array field matches one of its elements, null matches a
        // missing field): read on until limit + 1 documents pass the deep-equality check or the list ends.
        const cursor = collection.find(query, { session, batchSize: limit + 1 }).sort(CREATION_SORT);
        const found: StoredDocument[] = [];
        try {
          for await (const raw of cursor) {
            if (!matches(fromStored(raw), where)) continue;
            found.push(raw);
            if (found.length > limit) break;
          }
        } finally {
          await cursor.close();
        }
        const page = pageOf(found, limit, (raw) => [raw._created, raw._tie]);
        return { items: page.items.map(fromStored), next: page.next };
      }),
    insert: (doc) =>
      track(async (session) => {
        try {
          await collection.insertOne(stored(doc, nextCreationOrder()), { session });
        } catch (err) {
          throw documentConflict(err, kind, doc.id, uniqueKeysOf(spec, doc));
        }
      }),
    update: (doc) =>
      track(async (session) => {
        // Replacing keeps the document's place in lists: its creation order is carried over.
        const current = await collection.findOne({ _id: doc.id }, { session, projection: { _created: 1, _tie: 1 } });
        if (current === null) throw new StoreNotFoundError(kind, doc.id);
        try {
          await collection.replaceOne({ _id: doc.id }, stored(doc, { _created: current._created, _tie: current._tie }), { session });
        } catch (err) {
          throw documentConflict(err, kind, doc.id, uniqueKeysOf(spec, doc));
        }
      }),
    delete: (id) =>
      track(async (session) => {
        await collection.deleteOne({ _id: id }, { session });
      }),
  };
}

/** Where a document sits in "oldest first": when it was created, and a unique tie-breaker. */
export type CreationOrder = Pick<StoredDocument, "_created" | "_tie">;

export const CREATION_SORT = { _created: 1, _tie: 1 } as const;

let lastCreated = 0;

/**
 * The creation order of a document inserted now. Time is this node's clock in milliseconds, never going back within
 * the process; the tie-breaker is a fresh ObjectId, whose counter rises within a process, so documents one process
 * inserts list in the order it inserted them. Across nodes the order is their clocks' (to their skew), ties broken
 * by ObjectId: an ObjectId alone would order documents made in the same second by each process's random bytes.
 */
export function nextCreationOrder(): CreationOrder {
  lastCreated = Math.max(lastCreated, Date.now());
  return { _created: lastCreated, _tie: new mongo.ObjectId().toHexString() };
}

const STORAGE_FIELDS = new Set(["_id", "_created", "_tie", "_order", "uniq", "_expires", "__v"]);

/** The document without the storage fields. Stored documents are written only by this repository, from a document of its kind. */
function fromStored(raw: StoredDocument): Owned {
  return Object.fromEntries(Object.entries(raw).filter(([field]) => !STORAGE_FIELDS.has(field))) as Owned;
}

function fromStoredOrNull(raw: StoredDocument | null): Owned | null {
  return raw === null ? null : fromStored(raw);
}

function afterFilter(cursor: string): mongo.Filter<StoredDocument> {
  const [created, tie] = decodeCursor(cursor, ["number", "string"] as const);
  return { $or: [{ _created: { $gt: created } }, { _created: created, _tie: { $gt: tie } }] };
}

/**
 * What the server can narrow by: the company, and an equality per scalar (or null) field `where` gives. The server's
 * equality only ever keeps more than deep equality does (an array holding the value, a missing field for null), never
 * less, so matches() decides. Arrays and objects are left to matches() alone: the server compares embedded documents
 * field order and all, which would drop documents deep equality keeps.
 */
function narrowing(company: string, where: object): mongo.Filter<StoredDocument> {
  const fields: [string, unknown][] = Object.entries(where);
  const conditions = fields
    .filter(([, value]) => value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    .map(([field, value]) => ({ [field]: value }));
  return { $and: [{ company }, ...conditions] };
}

/** Equality on every field `where` names, as SQLite's list checks it; a field given as undefined is not a condition. */
function matches(doc: Owned, where: object): boolean {
  const fields = doc as unknown as Record<string, unknown>;
  return Object.entries(where).every(([field, value]) => value === undefined || isDeepStrictEqual(fields[field], value));
}
