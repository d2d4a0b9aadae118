// Runs transactions one at a time on the writer connection and makes them durable in groups: each in its own
// SAVEPOINT inside one BEGIN IMMEDIATE … COMMIT, and one WAL sync (off the event loop, see wal-sync.ts)
// acknowledges the whole group. The next group runs while the previous one's sync is in flight and stays open until
// that sync ends, so every transaction arriving meanwhile shares its COMMIT and its sync. A failed sync is fatal: its
// group's callers and every later one fail, nothing more is committed, and onFatal is told once.
import { AsyncLocalStorage } from "node:async_hooks";
import type Database from "better-sqlite3";
import { StoreUnavailableError } from "../port";
import type { Connection } from "./connection";
import type { WalSync } from "./wal-sync";

/** Throws once the transaction a repository was handed to is over. */
export type Guard = () => void;

/** One transaction's window: the repositories given to its fn work only while it is open. */
class TxScope {
  private open = true;

  readonly guard: Guard = () => {
    if (!this.open) throw new Error("this transaction is over: use tx only inside the fn it was given to");
  };

  get isOpen(): boolean {
    return this.open;
  }

  close(): void {
    this.open = false;
  }
}

interface Job {
  /** Runs fn; resolves to the step that hands its value to the caller, taken only after the group commits. */
  run(guard: Guard): Promise<() => void>;
  fail(error: unknown): void;
}

type Attempt = { ok: true; settle: () => void } | { ok: false; error: unknown };

export class GroupCommitQueue {
  private readonly waiting: Job[] = [];
  private draining: Promise<void> | null = null;
  /** Wakes an open group that waits for the next transaction (see awaitJobOrSyncEnd). */
  private wake: (() => void) | null = null;
  private readonly running = new AsyncLocalStorage<TxScope>();
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackTo: Database.Statement;

  /** `maxGroupSize` 1 turns group commit off: one COMMIT, one fsync per transaction. */
  private readonly syncing = new Set<Promise<void>>();
  /** Set once a WAL sync has failed: from then on nothing is committed or acknowledged. */
  private fatal: StoreUnavailableError | null = null;

  /** Read through a call: TypeScript would keep a narrowing of the field across the awaits that can change it. */
  private stoppedBy(): StoreUnavailableError | null {
    return this.fatal;
  }

  constructor(
    private readonly db: Connection,
    private readonly maxGroupSize: number,
    private readonly wal: WalSync,
    private readonly onFatal: (error: StoreUnavailableError) => void = () => undefined,
  ) {
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commit = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
    this.savepoint = db.prepare("SAVEPOINT tx");
    this.release = db.prepare("RELEASE tx");
    this.rollbackTo = db.prepare("ROLLBACK TO tx");
  }

  /** Queues fn; resolves with its value once its writes are committed, or rejects with exactly what fn threw. */
  run<T>(fn: (guard: Guard) => Promise<T>): Promise<T> {
    if (this.fatal) return Promise.reject(this.fatal);
    // The caller's own transaction could not commit before this one, which waits behind it: fail fast instead.
    if (this.running.getStore()?.isOpen) {
      return Promise.reject(new Error("store.transaction() called inside a transaction's fn would wait forever: use the tx it was given"));
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        run: async (guard) => {
          const value = await fn(guard);
          return () => resolve(value);
        },
        fail: reject,
      });
      this.draining ??= this.drain();
      this.wake?.();
    });
  }

  /** Resolves once every queued transaction has settled. */
  async idle(): Promise<void> {
    while (this.draining !== null || this.syncing.size > 0) {
      await this.draining;
      await Promise.all(this.syncing);
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0 && this.fatal === null) await this.commitGroup();
    } catch (err) {
      // Even ROLLBACK failed: the connection is unusable, so nothing queued can run on it.
      for (const job of this.waiting.splice(0)) job.fail(err);
    } finally {
      this.draining = null;
    }
  }

  /** Takes transactions as they arrive, up to maxGroupSize, while the group is open; commits once. */
  private async commitGroup(): Promise<void> {
    try {
      if (this.fatal) throw this.fatal;
      this.begin.run();
    } catch (err) {
      for (const job of this.waiting.splice(0)) job.fail(err);
      return;
    }
    const done: Array<{ job: Job; settle: () => void }> = [];
    try {
      for (let size = 0; size < this.maxGroupSize; size++) {
        const job = this.waiting.shift() ?? (size > 0 && (await this.awaitJobOrSyncEnd()) ? this.waiting.shift() : undefined);
        if (job === undefined) break;
        const attempt = await this.attempt(job);
        if (!this.db.inTransaction) {
          // SQLite itself rolled back the whole group (I/O error, disk full): the earlier transactions went too.
          const cause = attempt.ok ? undefined : attempt.error;
          if (attempt.ok) job.fail(new Error("SQLite rolled back this transaction after an error its fn caught"));
          throw new Error("SQLite rolled back the transaction group after an error in another transaction", { cause });
        }
        if (attempt.ok) done.push({ job, settle: attempt.settle });
      }
      // A sync failed while this group ran (the awaits above let it): nothing more is committed.
      const stopped = this.stoppedBy();
      if (stopped) throw stopped;
      this.commit.run();
    } catch (err) {
      for (const { job } of done) job.fail(err);
      if (this.db.inTransaction) this.rollback.run();
      return;
    }
    this.acknowledgeWhenDurable(done);
  }

  /**
   * While the previous group's sync is in flight, committing now would only wait for the sync after it: keeping the
   * group open until then costs its transactions no time and lets every one arriving meanwhile share one COMMIT (the
   * WAL pages a usage touches are written once a group, not once a transaction) and one sync. Resolves true when a
   * transaction is waiting, false when the group should commit (no sync in flight, or it has ended).
   */
  private async awaitJobOrSyncEnd(): Promise<boolean> {
    if (this.syncing.size === 0) return false;
    const arrived = new Promise<boolean>((resolve) => (this.wake = () => resolve(true)));
    const synced = Promise.race(this.syncing).then(
      () => false,
      () => false,
    );
    try {
      return (await Promise.race([arrived, synced])) && this.waiting.length > 0;
    } finally {
      this.wake = null;
    }
  }

  /** Settles a committed group once its WAL frames are on disk; a failed sync fails the group's callers. */
  private acknowledgeWhenDurable(done: Array<{ job: Job; settle: () => void }>): void {
    const synced = this.wal.sync().then(
      () => done.forEach(({ settle }) => settle()),
      (err: unknown) => {
        done.forEach(({ job }) => job.fail(new StoreUnavailableError({ cause: err })));
        this.stop(err);
      },
    );
    this.syncing.add(synced);
    void synced.finally(() => this.syncing.delete(synced));
  }

  /** After a failed sync: refuse everything queued and to come, and tell onFatal (once). */
  private stop(cause: unknown): void {
    if (this.fatal) return;
    this.fatal = new StoreUnavailableError({ cause });
    for (const job of this.waiting.splice(0)) job.fail(this.fatal);
    this.onFatal(this.fatal);
  }

  /** Runs one job in its own savepoint; if fn throws, only its writes are undone and only its caller fails. */
  private async attempt(job: Job): Promise<Attempt> {
    const scope = new TxScope();
    try {
      this.savepoint.run();
      const settle = await this.running.run(scope, () => job.run(scope.guard));
      scope.close();
      this.release.run();
      return { ok: true, settle };
    } catch (error) {
      scope.close();
      job.fail(error);
      // No savepoint is left to undo when SQLite has rolled back the whole transaction already.
      if (this.db.inTransaction) {
        this.rollbackTo.run();
        this.release.run();
      }
      return { ok: false, error };
    }
  }
}
