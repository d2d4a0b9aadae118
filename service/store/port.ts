// The Store port: repositories per document kind of the schema the store is opened with, plus the evidence log, all
// inside one transaction. Adapters (sqlite/, mongo/) must pass test/store/contract.ts unchanged.
import type { EvidenceRecord, JsonValue } from "../evidence";
import type { DocumentOf, Kinds, NoKinds, Owned, Schema } from "./schema";

/** What a guarded write created: a document it inserted, or a record it appended (by record id). */
export type CreatedByWrite = { kind: string; id: string } | { record: string; type: string; subject: string };

/**
 * A document to insert with the first write made in a guarded scope (Store.guarded), in that write's transaction:
 * its id, taken, refuses any other write guarded by the same id.
 */
export interface WriteGuard {
  kind: string;
  id: string;
  /** The document, given what the write created. */
  document(created: CreatedByWrite[]): Owned;
}

/** A record before the store accepts it. */
export type RecordDraft = Omit<EvidenceRecord, "v" | "seq">;

/**
 * A record accepted but not yet numbered: its seq (and in v2 its cseq and prev) are null until the sequencer gives it
 * its place in the log and in its company's chain.
 */
export type PendingRecord = RecordDraft & { v: EvidenceRecord["v"]; seq: null; cseq?: null; prev?: null };

/** A record as the log holds it, from acceptance on. */
export interface LoggedRecord {
  /** Given when the record is accepted and unique for good: names the record before it has a seq, and after. */
  id: string;
  /** The evidence record once sequenced (record.seq a number), pending until then. */
  record: EvidenceRecord | PendingRecord;
}

/** Where a page starts: after the item an earlier page's `next` names (from the start when absent), at most `limit` items. */
export interface PageRequest {
  after?: string;
  limit: number;
}

/** One page and the cursor of the next, or null when this page holds the last item. Cursors are opaque. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface Repository<T extends Owned> {
  get(id: string): Promise<T | null>;
  /** The document holding a unique key (see KindSpec.uniqueKeys), or null. */
  getByKey(key: string): Promise<T | null>;
  /** Documents of one company whose fields equal every field of `where`, oldest first. */
  list(company: string, where?: Partial<T>): Promise<T[]>;
  /** As list(), a page at a time, in creation order; an unreadable cursor fails with StoreCursorError. */
  page(company: string, where: Partial<T>, page: PageRequest): Promise<Page<T>>;
  insert(doc: T): Promise<void>;
  /** Replaces the stored document with the same id; fails with StoreNotFoundError when there is none. */
  update(doc: T): Promise<void>;
  delete(id: string): Promise<void>;
}

export type Repositories<S extends Schema> = { [K in Kinds<S>]: Repository<DocumentOf<S, K>> };

export interface RecordQuery {
  company?: string;
  fromSeq?: number;
  limit: number;
}

/** A company's records, narrowed by type or subject and by the time they carry (`at`, ISO 8601 UTC, from inclusive, to exclusive). */
export interface RecordFilter {
  company: string;
  type?: string;
  subject?: string;
  from?: string;
  to?: string;
}

/** Records accepted and not yet sequenced: how many, and when the first of them (in acceptance order) was accepted. */
export interface Waiting {
  count: number;
  oldestAcceptedAt: string | null;
}

/**
 * The evidence log. A write transaction only accepts records: each gets a fresh id and no position, and nothing
 * every writer shares is touched (no counter, no head), so writers never wait on one another for a place in the
 * log. The sequencer (BatchLog.sequence) later gives them contiguous seq values, batch by batch.
 */
export interface RecordLog {
  /** Accepts records, in this order, without a seq; visible only if the transaction commits. */
  append(drafts: RecordDraft[]): Promise<LoggedRecord[]>;
  /** A record by its id, sequenced or not. */
  byId(id: string): Promise<LoggedRecord | null>;
  /** A sequenced record by seq. */
  get(seq: number): Promise<EvidenceRecord | null>;
  /** The record whose receipt id (data.receipt of a type whose record spec has receiptId) is this one, sequenced or not. */
  getByReceipt(receiptId: string): Promise<LoggedRecord | null>;
  /** Sequenced records from a seq on, in seq order; of one company when given. */
  list(query: RecordQuery): Promise<EvidenceRecord[]>;
  /** Records matching `filter`, sequenced or not, in time order (`at`, then acceptance), a page at a time. */
  page(filter: RecordFilter, page: PageRequest): Promise<Page<LoggedRecord>>;
  /** Number of sequenced records, which is also the next seq. */
  count(): Promise<number>;
  /** The records waiting for the sequencer. */
  waiting(): Promise<Waiting>;
}

export type Tx<S extends Schema = NoKinds> = Repositories<S> & { records: RecordLog; outbox: OutboxWrites };

/**
 * A side effect outside the database (a device command, a webhook call), added in the transaction whose state
 * change needs it and delivered by a job once that transaction has committed: at least once, in order per target.
 */
export interface OutboxDraft {
  /** Who receives it: a target's entries are delivered one at a time, in the order their transactions committed. */
  target: string;
  /** What it is, which picks the handler that delivers it. */
  kind: string;
  payload: { [key: string]: JsonValue };
}

export interface OutboxEntry extends OutboxDraft {
  /** Unique and never reused: a receiver can drop a repeated delivery by it. */
  id: string;
  /** Failed deliveries so far. */
  attempts: number;
  lastError: string | null;
}

export interface OutboxWrites {
  /** Adds an entry, to be delivered only if the transaction commits; resolves with its id. */
  add(entry: OutboxDraft): Promise<string>;
}

/** The deliverer's side of the outbox; every method is a transaction of its own. */
export interface Outbox extends OutboxWrites {
  /**
   * The oldest undelivered entry of each target whose next attempt is due at `now`, the longest-waiting first, at
   * most `limit`. Only entries whose transactions have committed durably.
   */
  next(now: Date, limit: number): Promise<OutboxEntry[]>;
  markDelivered(id: string, at: Date): Promise<void>;
  /** Counts a failed attempt: the entry, and so its target's later entries, wait until `retryAt`. */
  markFailed(id: string, error: string, retryAt: Date): Promise<void>;
}

/** Where and when a batch root landed on chain. */
export interface BatchAnchor {
  chainId: number;
  contract: string;
  txHash: string;
  blockNumber: number;
  anchoredAt: string;
}

/** A closed batch: records [firstSeq, firstSeq + count) under the RFC 6962 SM3 root `root` (hex). */
export interface StoredBatch {
  id: number;
  firstSeq: number;
  count: number;
  root: string;
  closedAt: string;
  anchor: BatchAnchor | null;
}

/** A record's inclusion proof in its batch, hex: the leaf hash and the audit path, leaf to root. */
export interface StoredProof {
  leaf: string;
  path: string[];
}

/**
 * The batch tree over the records' final canonical texts (the leaves, in seq order): its root, hex, and each
 * record's proof as its leaf hash followed by its audit path, 32 bytes each (bytes, not hex: a batch of 4,096 has
 * ~50,000 nodes, and hex both ways cost more than the insert). `leaves`, the texts' SM3 leaf hashes concatenated,
 * are given by a sequencer that hashed the texts already (record v2's prev is the previous record's leaf).
 */
export type BatchTree = (texts: string[], leaves?: Uint8Array) => { root: string; proofs: Uint8Array[] };

export interface BatchLog {
  /**
   * The sequencer's step, in one transaction: the records waiting for a seq, in acceptance order and at most `max`,
   * get the next contiguous seq values (the last batch's end, 0 first) and their final canonical text, and batch
   * last id + 1 (0 first) closes over them with the root and proofs `tree` computes from those texts. All of it
   * commits or none does. Resolves with the batch, or null when no record waits. A malformed tree is a RangeError and
   * writes nothing. Only one sequencer runs at a time (the batcher's lease); a second one's batch meets
   * StoreConflictError("batches", …) rather than a fork.
   */
  sequence(max: number, closedAt: Date, tree: BatchTree): Promise<StoredBatch | null>;
  get(id: number): Promise<StoredBatch | null>;
  last(): Promise<StoredBatch | null>;
  /** The batch holding `seq`, or null while the record is not yet batched. */
  forSeq(seq: number): Promise<StoredBatch | null>;
  /** The lowest-id batch without an anchor, or null. */
  firstUnanchored(): Promise<StoredBatch | null>;
  setAnchor(id: number, anchor: BatchAnchor): Promise<void>;
  /** Forgets the anchors of batches with id >= fromId (the chain lost them); batches and proofs stay. */
  clearAnchors(fromId: number): Promise<void>;
  /** The proof stored for `seq` when its batch closed, or null. */
  proof(seq: number): Promise<StoredProof | null>;
  /** The stored canonical JSON text of records [fromSeq, fromSeq + limit), in seq order: the exact leaf bytes. */
  recordTexts(fromSeq: number, limit: number): Promise<string[]>;
}

export interface Leases {
  /**
   * Takes or renews the lease `name` for `holder` until now + ttlMs. Succeeds when the lease is free,
   * expired, or already held by `holder`; atomic across processes sharing the store.
   */
  acquire(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

export interface StoreCore<S extends Schema> {
  batches: BatchLog;
  leases: Leases;
  outbox: Outbox;
  readonly adapter: "sqlite" | "mongo";
  /** The schema the store was opened with. */
  readonly schema: S;
  /**
   * Runs `fn` in one transaction: every write and every appended record commits together, durably, before
   * the promise resolves, or none does. `fn` may be retried on a transient conflict, so it must not have
   * side effects outside `tx`.
   */
  transaction<T>(fn: (tx: Tx<S>) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` so that the first write it commits through this store (a transaction(), or a single write outside
   * one) also inserts guard.document(created) into guard.kind, in that same transaction, `created` naming what the
   * write inserted and appended: the write and its guard are durable together or not at all. When a document with
   * the guard's id exists (or another write commits one first), that write fails with GuardTakenError and writes
   * nothing. Resolves with fn's value and whether the guard was written.
   */
  guarded<T>(guard: WriteGuard, fn: () => Promise<T>): Promise<{ value: T; written: boolean }>;
  /** Deletes every document whose purge time (KindSpec.expires) is at or before `now`; resolves with how many. */
  purgeExpired(now: Date): Promise<number>;
  close(): Promise<void>;
}

/** A store of the kinds of S; Store without a schema is the evidence log alone (what the batcher needs). */
export type Store<S extends Schema = NoKinds> = Tx<S> & StoreCore<S>;

/** What a StoreConflictError can name: a document kind, the record log, or the batch log. */
export type ConflictKind = string;

export class StoreConflictError extends Error {
  constructor(
    readonly kind: ConflictKind,
    readonly key: string,
  ) {
    super(`${kind}: unique key ${key} is taken`);
    this.name = "StoreConflictError";
  }
}

/** A guarded write found its guard's id taken: an earlier write with the same guard has committed. */
export class GuardTakenError extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind}: ${id} exists`);
    this.name = "GuardTakenError";
  }
}

/** A page cursor this store did not hand out. */
export class StoreCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`not a cursor of this list: ${JSON.stringify(cursor.slice(0, 64))}`);
    this.name = "StoreCursorError";
  }
}

/** The store stopped accepting writes after a failure that left durability unknown (a failed WAL sync). */
export class StoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("the store stopped accepting writes: a commit could not be made durable", options);
    this.name = "StoreUnavailableError";
  }
}

export class StoreNotFoundError extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind}: no document ${id}`);
    this.name = "StoreNotFoundError";
  }
}
