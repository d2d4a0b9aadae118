// The production Store on MongoDB: each transaction() is a session transaction, retried on transient errors.
import type mongoose from "mongoose";
import type { mongo } from "mongoose";
import { StoreNotFoundError, type Repository, type Store, type Tx } from "../port";
import { GuardedWrites } from "../guarded";
import { repositoriesOf, repositoryOf } from "../repositories";
import { checkSchema, type KindSpec, type NoKinds, type Owned, type Schema } from "../schema";
import type { StoredDocument } from "./collections";
import { batchLog } from "./batches";
import { connectMongo, type MongoConnectOptions } from "./connection";
import { documentRepository, type Context } from "./documents";
import { transactionsUnsupported } from "./errors";
import { leases } from "./leases";
import { recordLog } from "./records";
import { outboxDelivery, outboxWrites, prepareOutbox } from "./outbox";

export interface MongoStoreOptions<S extends Schema = NoKinds> extends MongoConnectOptions {
  /** The document kinds the store holds; none when absent. */
  schema?: S;
  /** Called when a write guarded by an idempotency entry is committed, before its caller hears (crash tests). */
  afterGuardedWrite?: () => void;
}

/** Majority-acknowledged and journaled: a resolved transaction() survives the loss of the primary. */
const TRANSACTION_OPTIONS: mongo.TransactionOptions = {
  readConcern: { level: "snapshot" },
  writeConcern: { w: "majority", journal: true },
  readPreference: "primary",
};

const OUTSIDE_TX: Context = { track: (operation) => operation() };

export async function openMongoStore<S extends Schema = NoKinds>(uri: string, options: MongoStoreOptions<S> = {}): Promise<Store<S>> {
  // Without a schema the store holds no kinds: S is then NoKinds, whose only value is {}.
  const schema = options.schema ?? ({} as S);
  checkSchema(schema);
  const { connection, db } = await connectMongo(uri, schema, options);
  await prepareOutbox(db).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const running = new Set<Promise<unknown>>();
  const guarded = new GuardedWrites(schema, options.afterGuardedWrite);
  let closing: Promise<void> | null = null;

  const txFor = (context: Context): Tx<S> => ({
    ...repositoriesOf(schema, (kind, spec) => documentRepository(db, kind, spec, context)),
    records: recordLog(db, context),
    outbox: outboxWrites(db, context),
  });

  const inTransaction = <T>(work: (context: Context) => Promise<T>): Promise<T> => {
    if (closing !== null) return Promise.reject(new Error("the store is closed"));
    const done = runTransaction(connection, work);
    running.add(done);
    void done.finally(() => running.delete(done)).catch(() => {});
    return done;
  };

  const transaction = <T>(work: (tx: Tx<S>) => Promise<T>): Promise<T> => guarded.write((fn) => inTransaction((context) => fn(txFor(context))), work);

  // Outside transaction(), reads see majority-committed data and each write is a transaction of its own (one that
  // also carries a pending guard, when there is one: see Store.guarded).
  const outside = (kind: string, spec: KindSpec<Owned>): Repository<Owned> => {
    const reads = documentRepository(db, kind, spec, OUTSIDE_TX);
    const inOwnTx = (write: (repo: Repository<Owned>) => Promise<void>): Promise<void> =>
      guarded.active ? transaction((tx) => write(repositoryOf(tx, kind))) : inTransaction((context) => write(documentRepository(db, kind, spec, context)));
    return {
      ...reads,
      insert: (doc) => inOwnTx((repo) => repo.insert(doc)),
      update: (doc) => inOwnTx((repo) => repo.update(doc)),
      delete: (id) => inOwnTx((repo) => repo.delete(id)),
    };
  };
  const records = recordLog(db, OUTSIDE_TX);

  return {
    adapter: "mongo",
    schema,
    ...repositoriesOf(schema, outside),
    records: { ...records, append: (drafts) => transaction((tx) => tx.records.append(drafts)) },
    // The batch log and leases are used outside transaction() only: each batch write is a transaction of its own.
    batches: batchLog(db, inTransaction),
    leases: leases(db),
    outbox: outboxDelivery(db, (entry) => transaction((tx) => tx.outbox.add(entry))),
    transaction,
    guarded: (guard, fn) => guarded.run(guard, fn),
    purgeExpired: async (now) => {
      if (closing !== null) throw new Error("the store is closed");
      let purged = 0;
      for (const kind of Object.keys(schema).filter((k) => schema[k].expires !== null)) {
        purged += (await db.collection<StoredDocument>(kind).deleteMany({ _expires: { $lte: now } }, { writeConcern: { w: "majority", journal: true } })).deletedCount;
      }
      return purged;
    },
    close: () =>
      (closing ??= (async () => {
        await Promise.allSettled(running);
        await connection.close();
      })()),
  };
}

/**
 * One attempt per call of the driver's withTransaction, which retries the whole of `work` on a transient error
 * and the commit on an unknown commit result. An error thrown by `work` reaches the caller unchanged.
 */
async function runTransaction<T>(connection: mongoose.Connection, work: (context: Context) => Promise<T>): Promise<T> {
  const session = await connection.startSession();
  try {
    return await session.withTransaction(() => attempt(session, work), TRANSACTION_OPTIONS);
  } catch (err) {
    throw transactionsUnsupported(err) ?? err;
  } finally {
    await session.endSession();
  }
}

async function attempt<T>(session: mongo.ClientSession, work: (context: Context) => Promise<T>): Promise<T> {
  let open = true;
  // MongoDB aborts a transaction on a failed write; if fn caught that failure and carried on, committing would
  // not save its other writes, so the attempt fails with the first failure instead. Only StoreNotFoundError is
  // raised before anything is written, so it alone leaves the transaction usable.
  const failures: unknown[] = [];
  const context: Context = {
    session,
    track: async (operation) => {
      if (!open) throw new Error("this transaction is over: use tx only inside the fn it was given to");
      try {
        return await operation();
      } catch (error) {
        if (!(error instanceof StoreNotFoundError)) failures.push(error);
        throw error;
      }
    },
  };
  try {
    const value = await work(context);
    if (failures.length > 0) throw failures[0];
    return value;
  } finally {
    open = false;
  }
}
