// The embedded Store: one SQLite file, a writer connection behind a group-commit queue and a reader for the rest.
import type { Repository, Store, StoreUnavailableError, Tx } from "../port";
import { GuardedWrites } from "../guarded";
import { lazyRepositoriesOf, repositoriesOf, repositoryOf } from "../repositories";
import { checkSchema, type KindSpec, type NoKinds, type Owned, type Schema } from "../schema";
import { BatchReader, BatchWriter } from "./batches";
import { openReader, openWriter, type Connection } from "./connection";
import { DocumentPurger, DocumentReader, DocumentWriter, indexFields, type DocumentWrites } from "./documents";
import { GroupCommitQueue, type Guard } from "./group-commit";
import { WalSync } from "./wal-sync";
import { LeaseWriter } from "./leases";
import { migrate } from "./migrations";
import { RecordReader, RecordWriter } from "./records";
import { OutboxWriter, storeOutbox } from "./outbox";
import { SqliteSequencer } from "./sequencer";

export interface SqliteStoreOptions<S extends Schema = NoKinds> {
  /** The document kinds the store holds; none when absent. */
  schema?: S;
  /** Most transactions made durable by one COMMIT; 1 turns group commit off. Default 256. */
  maxGroupSize?: number;
  /** How the WAL file is made durable; tests substitute a slow one to see acknowledgements wait for it. */
  syncWal?: (fd: number) => Promise<void>;
  /** Told once when a WAL sync fails and the store stops writing; the service exits (main.ts). */
  onFatal?: (error: StoreUnavailableError) => void;
  /** Called when a write guarded by an idempotency entry is durable, before its caller hears (crash tests). */
  afterGuardedWrite?: () => void;
  /** Batches of at least this many records are read and hashed on the sequencer thread. Default 512. */
  sequenceOffThreadFrom?: number;
  /** Told when the sequencer thread, started at the first batch that large, has started (tests). */
  onSequencerThreadReady?: () => void;
}

const DEFAULT_MAX_GROUP_SIZE = 256;
/** Below this, reading and hashing a batch on the event loop takes a few ms: less than handing it to the thread. */
const DEFAULT_SEQUENCE_OFF_THREAD_FROM = 512;
/** Documents deleted per purge transaction: bounded, so a large purge never holds the write lock long. */
const PURGE_CHUNK = 1_000;
const OUTSIDE_TX: Guard = () => {};

/** Opens (creating and migrating as needed) the SQLite store in `file`; the directory must exist. */
export async function openSqliteStore<S extends Schema = NoKinds>(file: string, options: SqliteStoreOptions<S> = {}): Promise<Store<S>> {
  // Without a schema the store holds no kinds: S is then NoKinds, whose only value is {}.
  const schema = options.schema ?? ({} as S);
  checkSchema(schema);
  const writer = openWriter(file);
  let reader: Connection;
  try {
    migrate(writer);
    indexFields(writer, schema);
    reader = openReader(file);
  } catch (err) {
    writer.close();
    throw err;
  }
  const wal = new WalSync(`${file}-wal`, options.syncWal);
  const queue = new GroupCommitQueue(writer, options.maxGroupSize ?? DEFAULT_MAX_GROUP_SIZE, wal, options.onFatal);
  const guarded = new GuardedWrites(schema, options.afterGuardedWrite);
  const purger = new DocumentPurger(writer);
  const inTxRecords = new RecordReader(writer);
  const inTx = { documents: new DocumentReader(writer, schema), records: inTxRecords, batches: new BatchReader(writer, inTxRecords) };
  const writes = {
    documents: new DocumentWriter(writer),
    records: new RecordWriter(writer),
    batches: new BatchWriter(writer, inTx.batches, inTx.records),
    leases: new LeaseWriter(writer),
    outbox: new OutboxWriter(writer),
  };
  const committedRecords = new RecordReader(reader);
  const committed = { documents: new DocumentReader(reader, schema), records: committedRecords, batches: new BatchReader(reader, committedRecords) };

  let closing: Promise<void> | null = null;
  const queued = <T>(work: (guard: Guard) => Promise<T>): Promise<T> =>
    closing === null ? queue.run(work) : Promise.reject(new Error("the store is closed"));
  const sequencer = new SqliteSequencer({
    file,
    waiting: () => committedRecords.waiting().count,
    writer: writes.batches,
    queued,
    offThreadFrom: options.sequenceOffThreadFrom ?? DEFAULT_SEQUENCE_OFF_THREAD_FROM,
    onThreadReady: options.onSequencerThreadReady,
  });

  // Object.assign, not spreads: made for every transaction, and object spread measured 5–30 µs a time on this Node
  // against under 1 µs (about 50 µs a usage). A kind's repository is built when the transaction first reads it.
  const txFor = (guard: Guard): Tx<S> =>
    Object.assign(
      lazyRepositoriesOf(schema, (kind, spec) => Object.assign(inTx.documents.reads(kind, guard), writes.documents.writes(kind, spec, guard))),
      {
        records: Object.assign(inTx.records.reads(guard), { append: writes.records.append(guard) }),
        outbox: { add: writes.outbox.add(guard) },
      },
    );

  const inTransaction = <T>(work: (tx: Tx<S>) => Promise<T>): Promise<T> => queued((guard) => work(txFor(guard)));
  const transaction = <T>(work: (tx: Tx<S>) => Promise<T>): Promise<T> => guarded.write(inTransaction, work);

  // Outside transaction(), a read sees only committed data and each write is a transaction of its own (one that
  // also carries a pending guard, when there is one: see Store.guarded).
  const outside = (kind: string, spec: KindSpec<Owned>): Repository<Owned> => {
    const inOwnTx = (write: (repo: DocumentWrites) => Promise<void>): Promise<void> =>
      guarded.active ? transaction((tx) => write(repositoryOf(tx, kind))) : queued((guard) => write(writes.documents.writes(kind, spec, guard)));
    return {
      ...committed.documents.reads(kind, OUTSIDE_TX),
      insert: (doc) => inOwnTx((repo) => repo.insert(doc)),
      update: (doc) => inOwnTx((repo) => repo.update(doc)),
      delete: (id) => inOwnTx((repo) => repo.delete(id)),
    };
  };

  return {
    adapter: "sqlite",
    schema,
    ...repositoriesOf(schema, outside),
    records: {
      ...committed.records.reads(OUTSIDE_TX),
      append: (drafts) => (guarded.active ? transaction((tx) => tx.records.append(drafts)) : queued((guard) => writes.records.append(guard)(drafts))),
    },
    // The batch log and leases are used outside transaction() only: each write is a transaction of its own.
    batches: {
      ...committed.batches.reads(),
      // A transaction of the queue like any other: it may share a commit with writers, never a savepoint.
      sequence: (max, closedAt, tree) => sequencer.sequence(max, closedAt, tree),
      setAnchor: (id, anchor) => queued(async () => writes.batches.setAnchor(id, anchor)),
      clearAnchors: (fromId) => queued(async () => writes.batches.clearAnchors(fromId)),
    },
    leases: {
      acquire: (name, holder, ttlMs, now) => queued(async () => writes.leases.acquire(name, holder, ttlMs, now)),
      release: (name, holder) => queued(async () => writes.leases.release(name, holder)),
    },
    outbox: storeOutbox(writes.outbox, queued, (entry) => transaction((tx) => tx.outbox.add(entry))),
    transaction,
    guarded: (guard, fn) => guarded.run(guard, fn),
    purgeExpired: async (now) => {
      let purged = 0;
      for (let n = PURGE_CHUNK; n === PURGE_CHUNK; purged += n) n = await queued(async () => purger.purge(now, PURGE_CHUNK));
      return purged;
    },
    close: () =>
      (closing ??= (async () => {
        await queue.idle();
        await sequencer.close();
        reader.close();
        writer.close();
        wal.close();
      })()),
  };
}
