// Store.guarded for every adapter: an idempotency entry pending in the caller's async context rides along with the
// first write made in that context, inserted in the write's own transaction (see Store.guarded in port.ts).
import { AsyncLocalStorage } from "node:async_hooks";
import { IdempotencyKeyTakenError, StoreConflictError, type CreatedByWrite, type Documents, type IdempotencyEntry, type Kind, type Repositories, type Repository, type Tx } from "./port";
import { KINDS } from "./repositories";

interface Pending {
  entry: IdempotencyEntry;
  written: boolean;
}

/** Runs one write's work on a tx; the adapter supplies how a transaction is opened. */
export type WriteInTx = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;

export class GuardedWrites {
  private readonly scope = new AsyncLocalStorage<Pending>();

  /** @param afterWrite called once a guarded write is durable, before its caller hears of it (crash tests). */
  constructor(private readonly afterWrite: () => void = () => undefined) {}

  async run<T>(entry: IdempotencyEntry, fn: () => Promise<T>): Promise<{ value: T; written: boolean }> {
    const pending: Pending = { entry, written: false };
    const value = await this.scope.run(pending, fn);
    return { value, written: pending.written };
  }

  /** True when a write made now must carry an entry: the adapter then takes the (slower) path through write(). */
  get active(): boolean {
    const pending = this.scope.getStore();
    return pending !== undefined && !pending.written;
  }

  /** Runs work in a transaction opened by inTx, adding the pending entry, if any, to that transaction. */
  async write<T>(inTx: WriteInTx, work: (tx: Tx) => Promise<T>): Promise<T> {
    const pending = this.scope.getStore();
    if (pending === undefined || pending.written) return inTx(work);
    const value = await inTx(async (tx) => {
      // Checked first, so that a retry racing its original fails here, before the domain's writes could conflict
      // with the original's and be reported as something else (a taken scenario code, say).
      if ((await tx.idempotency.get(pending.entry.id)) !== null) throw new IdempotencyKeyTakenError(pending.entry.id);
      const created: CreatedByWrite[] = [];
      const result = await work(tracking(tx, created));
      try {
        await tx.idempotency.insert({ ...pending.entry, created });
      } catch (err) {
        // Another node's request with the same key committed between the check and here (MongoDB).
        if (err instanceof StoreConflictError && err.kind === "idempotency") throw new IdempotencyKeyTakenError(pending.entry.id);
        throw err;
      }
      return result;
    });
    pending.written = true;
    this.afterWrite();
    return value;
  }
}

/** tx, noting each document inserted and each record appended into `created`. */
function tracking(tx: Tx, created: CreatedByWrite[]): Tx {
  const tracked = { ...tx };
  for (const kind of KINDS) track(tracked, kind, created);
  tracked.records = {
    ...tx.records,
    append: async (drafts) => {
      const records = await tx.records.append(drafts);
      for (const r of records) created.push({ record: r.seq, type: r.type, subject: r.subject });
      return records;
    },
  };
  return tracked;
}

function track<K extends Kind>(tx: Tx, kind: K, created: CreatedByWrite[]): void {
  const repo = tx[kind] as Repository<Documents[K]>;
  const insert = async (doc: Documents[K]): Promise<void> => {
    await repo.insert(doc);
    created.push({ kind, id: doc.id });
  };
  (tx as Repositories)[kind] = { ...repo, insert } as Repositories[K];
}
