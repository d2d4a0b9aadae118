// The Store port: repositories per aggregate plus the evidence log, all inside one transaction.
// Adapters (sqlite/, mongo/) must pass test/store/contract.ts unchanged.
import type { EvidenceRecord } from "../evidence";
import type { ApiKey, Company, Grant, Member, Reservation, Scenario, Seal, SealRequest } from "../domain/model";

/** What a guarded write created: a document it inserted, or a record it appended. */
export type CreatedByWrite = { kind: Kind; id: string } | { record: number; type: string; subject: string };

/**
 * The outcome of the first request made with an idempotency key. It is inserted in the same transaction as the
 * request's write (Store.guarded), with `created` naming what that write made, and `status` 0 and `body` "" until
 * the response is stored; a crash in between leaves an entry that still says what happened.
 */
export interface IdempotencyEntry {
  id: string;
  company: string;
  /** The method, path and body the key was first used with. */
  fingerprint: string;
  /** The response's HTTP status, or 0 while only the write is known. */
  status: number;
  /** The response's JSON body, or "" while only the write is known. */
  body: string;
  /** Absent on entries written before the write and its entry shared a transaction. */
  created?: CreatedByWrite[];
  createdAt: string;
  expiresAt: string;
}

/** A record before the store gives it its place in the log. */
export type RecordDraft = Omit<EvidenceRecord, "v" | "seq">;

export interface Documents {
  companies: Company;
  members: Member;
  apiKeys: ApiKey;
  seals: Seal;
  scenarios: Scenario;
  grants: Grant;
  requests: SealRequest;
  reservations: Reservation;
  idempotency: IdempotencyEntry;
}

export type Kind = keyof Documents;


/**
 * The unique keys of each kind. A key is a string unique across all documents of its kind; inserting or
 * updating a document whose key another document holds fails with StoreConflictError(kind, key).
 */
export const UNIQUE_KEYS: { [K in Kind]: (doc: Documents[K]) => string[] } = {
  companies: (c) => [`creditCode:${c.creditCode}`],
  members: () => [],
  apiKeys: (k) => [`hash:${k.hash}`],
  seals: () => [],
  scenarios: (s) => [`code:${s.company}:${s.code}`],
  grants: () => [],
  requests: () => [],
  reservations: () => [],
  idempotency: (e) => [`key:${e.id}`],
};

/** How long after a reservation expires it is kept, so a late submit learns RESERVATION_EXPIRED rather than NOT_FOUND. */
export const RESERVATION_KEPT_AFTER_EXPIRY_MS = 3_600_000;

/**
 * The kinds whose documents expire, and when each may be purged (an ISO time; purgeExpired deletes it from then
 * on). SQLite's migration 4 repeats these rules for documents written before it: keep them in step.
 */
export const PURGE_AFTER: { [K in Kind]?: (doc: Documents[K]) => string } = {
  reservations: (r) => new Date(Date.parse(r.expiresAt) + RESERVATION_KEPT_AFTER_EXPIRY_MS).toISOString(),
  idempotency: (e) => e.expiresAt,
};

/** The time from which a document may be purged, or null for one that never expires. */
export function purgeTimeOf<K extends Kind>(kind: K, doc: Documents[K]): string | null {
  const rule = PURGE_AFTER[kind] as ((doc: Documents[K]) => string) | undefined;
  return rule ? rule(doc) : null;
}

/** Kinds whose documents never hold a unique key (UNIQUE_KEYS gives none): writing one touches one row. */
export const KEYLESS_KINDS: ReadonlySet<Kind> = new Set<Kind>(["members", "seals", "grants", "requests", "reservations"]);

export interface Repository<T extends { id: string; company: string }> {
  get(id: string): Promise<T | null>;
  /** The document holding a unique key (see UNIQUE_KEYS), or null. */
  getByKey(key: string): Promise<T | null>;
  /** Documents of one company whose fields equal every field of `where`, oldest first. */
  list(company: string, where?: Partial<T>): Promise<T[]>;
  insert(doc: T): Promise<void>;
  /** Replaces the stored document with the same id; fails with StoreNotFoundError when there is none. */
  update(doc: T): Promise<void>;
  delete(id: string): Promise<void>;
}

export type Repositories = { [K in Kind]: Repository<Documents[K]> };

export interface RecordQuery {
  company?: string;
  fromSeq?: number;
  limit: number;
}

export interface RecordLog {
  /** Appends records in order with the next contiguous seq values; visible only if the transaction commits. */
  append(drafts: RecordDraft[]): Promise<EvidenceRecord[]>;
  get(seq: number): Promise<EvidenceRecord | null>;
  /** The `seal.used` record whose data.receipt is this receipt id. */
  getByReceipt(receiptId: string): Promise<EvidenceRecord | null>;
  list(query: RecordQuery): Promise<EvidenceRecord[]>;
  /** Number of records stored, which is also the next seq. */
  count(): Promise<number>;
}

export interface Tx extends Repositories {
  records: RecordLog;
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

export interface BatchLog {
  /**
   * Stores batch `batch.id` and the proof of each of its records, atomically: proofs[i] belongs to seq
   * firstSeq + i and is its leaf hash followed by its audit path, 32 bytes each (bytes, not hex: a batch of
   * 4,096 has ~50,000 nodes, and hex both ways cost more than the insert). Batches are contiguous: id is the
   * last id + 1 (0 first) and firstSeq the last batch's end (0 first), and every record of the range exists;
   * otherwise StoreConflictError("batches", …) and nothing is written. A malformed batch is a RangeError.
   */
  close(batch: Omit<StoredBatch, "anchor">, proofs: Uint8Array[]): Promise<void>;
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

export interface Store extends Tx {
  batches: BatchLog;
  leases: Leases;
  readonly adapter: "sqlite" | "mongo";
  /**
   * Runs `fn` in one transaction: every write and every appended record commits together, durably, before
   * the promise resolves, or none does. `fn` may be retried on a transient conflict, so it must not have
   * side effects outside `tx`.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` so that the first write it commits through this store (a transaction(), or a single write outside
   * one) also inserts `entry`, in that same transaction, with `created` set to what the write inserted and
   * appended: the write and its idempotency entry are durable together or not at all. When an entry with the same
   * id exists (or another request commits one first), that write fails with IdempotencyKeyTakenError and writes
   * nothing. Resolves with fn's value and whether the entry was written.
   */
  guarded<T>(entry: IdempotencyEntry, fn: () => Promise<T>): Promise<{ value: T; written: boolean }>;
  /** Deletes every document whose purge time (PURGE_AFTER) is at or before `now`; resolves with how many. */
  purgeExpired(now: Date): Promise<number>;
  close(): Promise<void>;
}

/** What a StoreConflictError can name: a document kind, the record log, or the batch log. */
export type ConflictKind = Kind | "records" | "batches";

export class StoreConflictError extends Error {
  constructor(
    readonly kind: ConflictKind,
    readonly key: string,
  ) {
    super(`${kind}: unique key ${key} is taken`);
    this.name = "StoreConflictError";
  }
}

/** A guarded write found its idempotency key taken: an earlier request with the key has written already. */
export class IdempotencyKeyTakenError extends Error {
  constructor(readonly id: string) {
    super(`idempotency: entry ${id} exists`);
    this.name = "IdempotencyKeyTakenError";
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
    readonly kind: Kind,
    readonly id: string,
  ) {
    super(`${kind}: no document ${id}`);
    this.name = "StoreNotFoundError";
  }
}
