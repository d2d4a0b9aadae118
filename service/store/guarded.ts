// Store.guarded for every adapter: a guard pending in the caller's async context rides along with the first write
// made in that context, inserted in the write's own transaction (see Store.guarded in port.ts).
import { AsyncLocalStorage } from "node:async_hooks";
import { GuardTakenError, StoreConflictError, type CreatedByWrite, type Tx, type WriteGuard } from "./port";
import { overlay, repositoryOf } from "./repositories";
import type { Owned, Schema } from "./schema";

interface Pending {
  guard: WriteGuard;
  written: boolean;
}

/** Runs one write's work on a tx; the adapter supplies how a transaction is opened. */
export type WriteInTx<S extends Schema> = <T>(work: (tx: Tx<S>) => Promise<T>) => Promise<T>;

export class GuardedWrites<S extends Schema> {
  private readonly scope = new AsyncLocalStorage<Pending>();

  /** @param afterWrite called once a guarded write is durable, before its caller hears of it (crash tests). */
  constructor(
    private readonly schema: S,
    private readonly afterWrite: () => void = () => undefined,
  ) {}

  async run<T>(guard: WriteGuard, fn: () => Promise<T>): Promise<{ value: T; written: boolean }> {
    if (!Object.hasOwn(this.schema, guard.kind)) throw new Error(`the store's schema has no kind ${guard.kind} to guard writes with`);
    const pending: Pending = { guard, written: false };
    const value = await this.scope.run(pending, fn);
    return { value, written: pending.written };
  }

  /** True when a write made now must carry a guard: the adapter then takes the (slower) path through write(). */
  get active(): boolean {
    const pending = this.scope.getStore();
    return pending !== undefined && !pending.written;
  }

  /** Runs work in a transaction opened by inTx, adding the pending guard, if any, to that transaction. */
  async write<T>(inTx: WriteInTx<S>, work: (tx: Tx<S>) => Promise<T>): Promise<T> {
    const pending = this.scope.getStore();
    if (pending === undefined || pending.written) return inTx(work);
    const { guard } = pending;
    const value = await inTx(async (tx) => {
      const guards = repositoryOf(tx, guard.kind);
      // Checked first, so that a retry racing its original fails here, before the caller's writes could conflict
      // with the original's and be reported as something else (a taken scenario code, say).
      if ((await guards.get(guard.id)) !== null) throw new GuardTakenError(guard.kind, guard.id);
      const created: CreatedByWrite[] = [];
      const result = await work(tracking(tx, Object.keys(this.schema), created));
      try {
        await guards.insert(guard.document(created));
      } catch (err) {
        // Another node's write with the same guard committed between the check and here (MongoDB).
        if (err instanceof StoreConflictError && err.kind === guard.kind) throw new GuardTakenError(guard.kind, guard.id);
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
function tracking<S extends Schema>(tx: Tx<S>, kinds: string[], created: CreatedByWrite[]): Tx<S> {
  const tracked: Tx<S> = overlay(tx, {});
  for (const kind of kinds) {
    const repo = repositoryOf(tx, kind);
    const insert = async (doc: Owned): Promise<void> => {
      await repo.insert(doc);
      created.push({ kind, id: doc.id });
    };
    Reflect.set(tracked, kind, { ...repo, insert });
  }
  tracked.records = {
    ...tx.records,
    append: async (drafts) => {
      const records = await tx.records.append(drafts);
      for (const { id, record } of records) created.push({ record: id, type: record.type, subject: record.subject });
      return records;
    },
  };
  return tracked;
}
