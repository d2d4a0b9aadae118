// The embedded Store: one SQLite file, a writer connection behind a group-commit queue and a reader for the rest.
import { checkBatchShape, proofBuffer } from "../batches";
import type { Documents, Kind, Repository, Store, Tx } from "../port";
import { repositoriesOf } from "../repositories";
import { BatchReader, BatchWriter } from "./batches";
import { openReader, openWriter, type Connection } from "./connection";
import { DocumentReader, DocumentWriter, type DocumentWrites } from "./documents";
import { GroupCommitQueue, type Guard } from "./group-commit";
import { WalSync } from "./wal-sync";
import { LeaseWriter } from "./leases";
import { migrate } from "./migrations";
import { RecordReader, RecordWriter } from "./records";

export interface SqliteStoreOptions {
  /** Most transactions made durable by one COMMIT; 1 turns group commit off. Default 256. */
  maxGroupSize?: number;
  /** How the WAL file is made durable; tests substitute a slow one to see acknowledgements wait for it. */
  syncWal?: (fd: number) => Promise<void>;
}

const DEFAULT_MAX_GROUP_SIZE = 256;
const OUTSIDE_TX: Guard = () => {};

/** Opens (creating and migrating as needed) the SQLite store in `file`; the directory must exist. */
export async function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const writer = openWriter(file);
  let reader: Connection;
  try {
    migrate(writer);
    reader = openReader(file);
  } catch (err) {
    writer.close();
    throw err;
  }
  const wal = new WalSync(`${file}-wal`, options.syncWal);
  const queue = new GroupCommitQueue(writer, options.maxGroupSize ?? DEFAULT_MAX_GROUP_SIZE, wal);
  const inTx = { documents: new DocumentReader(writer), records: new RecordReader(writer), batches: new BatchReader(writer) };
  const writes = {
    documents: new DocumentWriter(writer),
    records: new RecordWriter(writer, inTx.records),
    batches: new BatchWriter(writer, inTx.batches, inTx.records),
    leases: new LeaseWriter(writer),
  };
  const committed = { documents: new DocumentReader(reader), records: new RecordReader(reader), batches: new BatchReader(reader) };

  let closing: Promise<void> | null = null;
  const queued = <T>(work: (guard: Guard) => Promise<T>): Promise<T> =>
    closing === null ? queue.run(work) : Promise.reject(new Error("the store is closed"));

  const txFor = (guard: Guard): Tx => ({
    ...repositoriesOf((kind) => ({ ...inTx.documents.reads(kind, guard), ...writes.documents.writes(kind, guard) })),
    records: { ...inTx.records.reads(guard), append: writes.records.append(guard) },
  });

  // Outside transaction(), a read sees only committed data and each write is a transaction of its own.
  const outside = <K extends Kind>(kind: K): Repository<Documents[K]> => {
    const inOwnTx = (write: (repo: DocumentWrites<Documents[K]>) => Promise<void>): Promise<void> =>
      queued((guard) => write(writes.documents.writes(kind, guard)));
    return {
      ...committed.documents.reads(kind, OUTSIDE_TX),
      insert: (doc) => inOwnTx((repo) => repo.insert(doc)),
      update: (doc) => inOwnTx((repo) => repo.update(doc)),
      delete: (id) => inOwnTx((repo) => repo.delete(id)),
    };
  };

  return {
    adapter: "sqlite",
    ...repositoriesOf(outside),
    records: {
      ...committed.records.reads(OUTSIDE_TX),
      append: (drafts) => queued((guard) => writes.records.append(guard)(drafts)),
    },
    // The batch log and leases are used outside transaction() only: each write is a transaction of its own.
    batches: {
      ...committed.batches.reads(),
      close: async (batch, proofs) => {
        checkBatchShape(batch, proofs);
        // Encoding (and refusing malformed hex) happens before the queue, so the write lock is held only for inserts.
        const encoded = proofs.map(proofBuffer);
        await queued(async () => writes.batches.close(batch, encoded));
      },
      setAnchor: (id, anchor) => queued(async () => writes.batches.setAnchor(id, anchor)),
      clearAnchors: (fromId) => queued(async () => writes.batches.clearAnchors(fromId)),
    },
    leases: {
      acquire: (name, holder, ttlMs, now) => queued(async () => writes.leases.acquire(name, holder, ttlMs, now)),
      release: (name, holder) => queued(async () => writes.leases.release(name, holder)),
    },
    transaction: (fn) => queued((guard) => fn(txFor(guard))),
    close: () =>
      (closing ??= (async () => {
        await queue.idle();
        reader.close();
        writer.close();
        wal.close();
      })()),
  };
}
