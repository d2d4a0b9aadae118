// The Store port: repositories per aggregate plus the evidence log, all inside one transaction.
// Adapters (sqlite/, mongo/) must pass test/store/contract.ts unchanged.
import type { EvidenceRecord } from "../evidence";
import type { ApiKey, Company, Grant, IdempotencyEntry, Member, Reservation, Scenario, Seal, SealRequest } from "../domain/model";

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

export interface Store extends Tx {
  readonly adapter: "sqlite" | "mongo";
  /**
   * Runs `fn` in one transaction: every write and every appended record commits together, durably, before
   * the promise resolves, or none does. `fn` may be retried on a transient conflict, so it must not have
   * side effects outside `tx`.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A kind of document, or "records" when the taken key is a record's receipt id (`receipt:<id>`). */
export type ConflictKind = Kind | "records";

export class StoreConflictError extends Error {
  constructor(
    readonly kind: ConflictKind,
    readonly key: string,
  ) {
    super(`${kind}: unique key ${key} is taken`);
    this.name = "StoreConflictError";
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
