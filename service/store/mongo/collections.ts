// Collection names, stored shapes and indexes: one collection per document kind, `records`, and the batch log's
// `batches`, `proofChunks` (proofs.ts) and `leases`.
import { mongo } from "mongoose";
import type { BatchAnchor } from "../port";
import type { Schema } from "../schema";
import { isNamespaceExists } from "./errors";
import { PROOF_CHUNKS } from "./proofs";

/** A document as stored: its own fields plus the id as `_id`, its creation order and its unique keys. */
export interface StoredDocument {
  _id: string;
  company: string;
  /** Creation time, ms since the epoch, by the inserting node's clock (see nextCreationOrder): lists are oldest first. */
  _created: number;
  /** A client-made ObjectId's hex, unique: breaks ties between documents created in the same millisecond. */
  _tie: string;
  /** The insertion order kept before _created and _tie; read once, to fill them in (backfillCreationOrder). */
  _order?: mongo.ObjectId;
  /** Absent when the document has no unique key, so the sparse unique index skips it. */
  uniq?: string[];
  /** When the document may be purged (KindSpec.expires); absent for kinds that never expire. */
  _expires?: Date;
}

/**
 * A record as stored, from acceptance on: the canonical JSON body (the hashed bytes, kept exact; pending until
 * sequenced, then final) plus fields to find it by. `_id` is the record id.
 */
export interface StoredRecord {
  _id: string;
  /** Null until the sequencer numbers the record; then set once, with the final body. */
  seq: number | null;
  /** Present (true) while the record waits for the sequencer, so the partial index of waiting records holds just those. */
  waiting?: true;
  company: string;
  type: string;
  at: string;
  subject: string;
  receipt?: string;
  /** When it was accepted, by the accepting node's clock; with _tie, the acceptance order the sequencer follows. */
  acceptedAt: Date;
  _tie: string;
  body: string;
}

/** A closed batch; `anchor` is null (never absent) until its root lands on chain. */
export interface BatchDocument {
  _id: number;
  firstSeq: number;
  count: number;
  root: string;
  closedAt: string;
  anchor: BatchAnchor | null;
}

/** A lease, `_id` its name: held by `holder` while the clock is before `expiresAt`. */
export interface LeaseDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
}

/** A company's head in its chain (record v2), `_id` the company: how many of its records are sequenced, and the last one's leaf hash (hex). */
export interface CompanyHeadDocument {
  _id: string;
  next: number;
  leaf: string;
}

export const RECORDS = "records";
export const BATCHES = "batches";
export const LEASES = "leases";
export const COMPANY_HEADS = "companyHeads";

/** Creates the indexes (and so the collections) the schema and the log ask for; safe to run on every start. */
export async function prepareCollections(db: mongo.Db, schema: Schema): Promise<void> {
  for (const [kind, spec] of Object.entries(schema)) {
    await db.collection<StoredDocument>(kind).createIndexes([
      { key: { uniq: 1 }, name: "uniq", unique: true, sparse: true },
      // New names: an index of an existing name but other keys would fail createIndexes on a store made before.
      { key: { company: 1, _created: 1, _tie: 1 }, name: "by_company_created" },
      ...spec.indexed.map((field) => ({ key: { company: 1, [field]: 1, _created: 1, _tie: 1 }, name: `by_${field}_created` })),
      ...(spec.expires === null ? [] : [{ key: { _expires: 1 }, name: "by_expiry", sparse: true }]),
    ]);
    await backfillCreationOrder(db.collection<StoredDocument>(kind));
  }
  // Names differ from the indexes of the log keyed by seq (by_company, by_time…), which migrateLegacyRecords drops.
  await db.collection<StoredRecord>(RECORDS).createIndexes([
    { key: { receipt: 1 }, name: "receipt", unique: true, sparse: true },
    // Partial on seq ≥ 0: waiting records (seq null) are outside it, so they never collide; every query by seq states
    // a range inside it (records.ts), which is what lets the planner use a partial index.
    { key: { seq: 1 }, name: "seq", unique: true, partialFilterExpression: { seq: { $gte: 0 } } },
    { key: { company: 1, seq: 1 }, name: "by_company_seq", partialFilterExpression: { seq: { $gte: 0 } } },
    { key: ACCEPTANCE_KEY, name: "waiting", partialFilterExpression: { waiting: true } },
    { key: { company: 1, at: 1, ...ACCEPTANCE_KEY }, name: "by_time_accepted" },
    { key: { company: 1, type: 1, at: 1, ...ACCEPTANCE_KEY }, name: "by_type_accepted" },
    { key: { company: 1, subject: 1, at: 1, ...ACCEPTANCE_KEY }, name: "by_subject_accepted" },
  ]);
  await db.collection<BatchDocument>(BATCHES).createIndexes([
    { key: { firstSeq: 1 }, name: "firstSeq", unique: true },
    { key: { anchor: 1, _id: 1 }, name: "unanchored" },
  ]);
  // Proofs are inserted inside transactions, which must not have to create their collection.
  await createCollection(db, PROOF_CHUNKS);
  await createCollection(db, LEASES);
  await createCollection(db, COMPANY_HEADS);
}

const ACCEPTANCE_KEY = { acceptedAt: 1, _tie: 1 } as const;

const BACKFILL_CHUNK = 1_000;

/**
 * Documents stored when lists were ordered by an ObjectId `_order` get `_created` (its timestamp, whole seconds) and
 * `_tie` (its hex): they keep their relative order, and sort before anything created since.
 */
async function backfillCreationOrder(collection: mongo.Collection<StoredDocument>): Promise<void> {
  for (;;) {
    const old = await collection.find({ _created: { $exists: false } }, { projection: { _order: 1 } }).limit(BACKFILL_CHUNK).toArray();
    if (old.length === 0) return;
    await collection.bulkWrite(
      old.map(({ _id, _order }) => {
        const order = _order ?? new mongo.ObjectId();
        return { updateOne: { filter: { _id }, update: { $set: { _created: order.getTimestamp().getTime(), _tie: order.toHexString() } } } };
      }),
      { ordered: false },
    );
  }
}

export async function createCollection(db: mongo.Db, name: string): Promise<void> {
  try {
    await db.createCollection(name);
  } catch (err) {
    // It exists already: created on an earlier start, or by another node starting now.
    if (!isNamespaceExists(err)) throw err;
  }
}
