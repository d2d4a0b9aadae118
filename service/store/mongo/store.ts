// The production Store on MongoDB: each transaction() is a session transaction run by TransactionRunner (retried on
// transient failures with backoff and a bound), and every call outside one runs in a causally consistent session.
import type { mongo } from "mongoose";
import type { Repository, Store, Tx } from "../port";
import { GuardedWrites } from "../guarded";
import { repositoriesOf, repositoryOf } from "../repositories";
import { checkSchema, type KindSpec, type NoKinds, type Owned, type Schema } from "../schema";
import type { StoredDocument } from "./collections";
import { batchLog } from "./batches";
import { CausalClock } from "./causal";
import { connectMongo, type MongoConnectOptions } from "./connection";
import { documentRepository } from "./documents";
import { transactionsUnsupported } from "./errors";
import { leases, type OutsideWrite } from "./leases";
import { migrateLegacyRecords } from "./legacy-records";
import { recordLog } from "./records";
import { outboxDelivery, outboxWrites, prepareOutbox } from "./outbox";
import { DEFAULT_RETRY_POLICY, TransactionRunner, type Context, type RetryPolicy } from "./transactions";

export interface MongoStoreOptions<S extends Schema = NoKinds> extends MongoConnectOptions {
  /** The document kinds the store holds; none when absent. */
  schema?: S;
  /** Called when a write guarded by an idempotency entry is committed, before its caller hears (crash tests). */
  afterGuardedWrite?: () => void;
  /** How long and how often a transaction is retried on transient failures. */
  retry?: RetryPolicy;
}

/** Purges are deletes outside any transaction: majority and journaled, and never waiting on a lost majority for long. */
const PURGE_WRITE_CONCERN: mongo.WriteConcernSettings = { w: "majority", journal: true, wtimeoutMS: 10_000 };

export async function openMongoStore<S extends Schema = NoKinds>(uri: string, options: MongoStoreOptions<S> = {}): Promise<Store<S>> {
  // Without a schema the store holds no kinds: S is then NoKinds, whose only value is {}.
  const schema = options.schema ?? ({} as S);
  checkSchema(schema);
  const { connection, db } = await connectMongo(uri, schema, options);
  await prepareOutbox(db).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const client = connection.getClient();
  const clock = new CausalClock((sessionOptions) => client.startSession(sessionOptions));
  const runner = new TransactionRunner(
    () => client.startSession({ causalConsistency: true }),
    options.retry ?? DEFAULT_RETRY_POLICY,
    (session) => clock.observe(session),
    (session) => clock.advance(session),
  );
  const running = new Set<Promise<unknown>>();
  const guarded = new GuardedWrites(schema, options.afterGuardedWrite);
  let closing: Promise<void> | null = null;

  const txFor = (context: Context): Tx<S> => ({
    ...repositoriesOf(schema, (kind, spec) => documentRepository(db, kind, spec, context)),
    records: recordLog(db, context),
    outbox: outboxWrites(db, context),
  });

  /** Tracks what runs, so close() can wait for it; refuses once closing. */
  const tracked = <T>(start: () => Promise<T>): Promise<T> => {
    if (closing !== null) return Promise.reject(new Error("the store is closed"));
    const done = start();
    running.add(done);
    void done.finally(() => running.delete(done)).catch(() => {});
    return done;
  };

  const inTransaction = <T>(work: (context: Context) => Promise<T>): Promise<T> =>
    tracked(async () => {
      try {
        return await runner.run(work);
      } catch (err) {
        throw transactionsUnsupported(err) ?? err;
      }
    });

  const transaction = <T>(work: (tx: Tx<S>) => Promise<T>): Promise<T> => guarded.write((fn) => inTransaction((context) => fn(txFor(context))), work);

  await migrateLegacyRecords(db, inTransaction).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });

  // Reads outside a transaction: each in a causally consistent session of its own, advanced past this process's
  // commits (causal.ts), so a caller never reads a state older than what it was told is committed.
  const reads: Context = { inTransaction: false, track: (operation) => clock.session(operation) };

  // A write outside transaction() that is not a transaction (a lease, an outbox mark, a purge): refused inside a
  // transaction's fn, as every write is, and causally ordered with the reads after it.
  const outside: OutsideWrite = async (operation) => {
    runner.refuseNested();
    return tracked(() => clock.session(operation));
  };

  // Outside transaction(), each write is a transaction of its own (one that also carries a pending guard, when there
  // is one: see Store.guarded).
  const outsideRepository = (kind: string, spec: KindSpec<Owned>): Repository<Owned> => {
    const inOwnTx = (write: (repo: Repository<Owned>) => Promise<void>): Promise<void> =>
      guarded.active ? transaction((tx) => write(repositoryOf(tx, kind))) : inTransaction((context) => write(documentRepository(db, kind, spec, context)));
    return {
      ...documentRepository(db, kind, spec, reads),
      insert: (doc) => inOwnTx((repo) => repo.insert(doc)),
      update: (doc) => inOwnTx((repo) => repo.update(doc)),
      delete: (id) => inOwnTx((repo) => repo.delete(id)),
    };
  };
  const records = recordLog(db, reads);

  return {
    adapter: "mongo",
    schema,
    ...repositoriesOf(schema, outsideRepository),
    records: { ...records, append: (drafts) => transaction((tx) => tx.records.append(drafts)) },
    // The batch log and leases are used outside transaction() only: each batch write is a transaction of its own.
    batches: batchLog(db, inTransaction, reads),
    leases: leases(db, outside),
    outbox: outboxDelivery(db, (entry) => transaction((tx) => tx.outbox.add(entry)), reads, outside),
    transaction,
    guarded: (guard, fn) => guarded.run(guard, fn),
    purgeExpired: (now) =>
      outside(async (session) => {
        let purged = 0;
        for (const kind of Object.keys(schema).filter((k) => schema[k].expires !== null)) {
          purged += (await db.collection<StoredDocument>(kind).deleteMany({ _expires: { $lte: now } }, { session, writeConcern: PURGE_WRITE_CONCERN })).deletedCount;
        }
        return purged;
      }),
    close: () =>
      (closing ??= (async () => {
        await Promise.allSettled(running);
        await connection.close();
      })()),
  };
}

