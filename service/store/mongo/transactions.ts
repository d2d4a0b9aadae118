// How a transaction runs on MongoDB: our own retry loop instead of the driver's session.withTransaction, a guard that
// stops a transaction's fn from going to the server after a failure, and a refusal of store writes nested in a fn.
//
// Why not withTransaction (mongodb 6.x, lib/sessions.js): it re-runs fn at once, with no backoff, for as long as 120 s
// whenever fn throws an error labelled TransientTransactionError. Two things turn that into a storm here:
// - Contention. Every writer that loses a write conflict (WriteConflict, labelled transient) is re-run immediately and
//   collides again; with no pause the losers of one round are the contenders of the next.
// - A failure fn caught. A failed write (a duplicate key, say) aborts the transaction on the server. If fn catches the
//   error and carries on, its next operation, or the commit, is answered NoSuchTransaction, which is labelled
//   TransientTransactionError: the driver re-runs fn, which fails and catches the same way, for 120 s (the drivers'
//   convenient-transactions spec documents this loop). So: after the first failure, every later operation of the
//   attempt rethrows that failure without sending anything, and the attempt ends with it.
// And a transient failure is never turned into a domain answer: if any operation of an attempt failed transiently (or
// fn itself threw such an error), the attempt is retried whatever fn did with the error, so that fn's `catch` cannot
// answer "taken" or "not found" for what was a write conflict or a failover.
import { AsyncLocalStorage } from "node:async_hooks";
import { mongo } from "mongoose";
import { StoreNotFoundError, StoreUnavailableError } from "../port";

/** Where a repository's operations run: every operation gets the session it must use. */
export interface Context {
  /** Runs one operation; inside a transaction, throws once the transaction is over or an operation of it failed. */
  track: <T>(operation: (session: mongo.ClientSession) => Promise<T>) => Promise<T>;
  /** True inside a transaction (operations that only make sense there check it). */
  readonly inTransaction: boolean;
}

/** The part of a ClientSession a transaction uses: tests drive the loop with a scripted one. */
export type TransactionSession = Pick<mongo.ClientSession, "startTransaction" | "commitTransaction" | "abortTransaction" | "endSession">;

export interface RetryPolicy {
  /** No new attempt (of fn or of the commit) starts after this long since the first; the last error is then thrown. */
  budgetMs: number;
  /** The first pause; each further one doubles, up to maxBackoffMs, and is drawn uniformly below that ("full jitter"). */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

/**
 * Far below the 60 s transactionLifetimeLimitSeconds a single attempt may not exceed anyway, and below the time an
 * HTTP client waits; long enough for an election (typically well under 12 s) to finish and the new primary to answer.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { budgetMs: 20_000, baseBackoffMs: 5, maxBackoffMs: 1_000 };

/** Majority-acknowledged and journaled: a resolved transaction survives the loss of the primary. */
export const TRANSACTION_OPTIONS: mongo.TransactionOptions = {
  readConcern: { level: "snapshot" },
  writeConcern: { w: "majority", journal: true },
  readPreference: "primary",
};

const TRANSIENT = "TransientTransactionError";
const UNKNOWN_COMMIT_RESULT = "UnknownTransactionCommitResult";

/**
 * A failure worth running the whole transaction again for: labelled TransientTransactionError by the server (write
 * conflicts, NoSuchTransaction after a failover, a transaction too large for the cache) or by the driver (a network
 * error inside a transaction), or no server to send to at all (the driver labels server selection errors in a
 * transaction no way, but an election is exactly when they happen).
 */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof mongo.MongoError)) return false;
  return err.hasErrorLabel(TRANSIENT) || err instanceof mongo.MongoServerSelectionError || err instanceof mongo.MongoNetworkError;
}

/**
 * A commit whose outcome is unknown (a network error or a write-concern timeout on commitTransaction): retrying the
 * commit, never fn, is what the transactions spec prescribes; the server answers a repeated commit of a committed
 * transaction with success. MaxTimeMSExpired is excluded as the driver excludes it: the server gave up on purpose.
 */
export function isUnknownCommitResult(err: unknown): boolean {
  return err instanceof mongo.MongoError && err.hasErrorLabel(UNKNOWN_COMMIT_RESULT) && err.code !== MAX_TIME_MS_EXPIRED;
}

const MAX_TIME_MS_EXPIRED = 50;

/** The retry budget ran out on transient failures: nothing was acknowledged, and the caller may retry later. */
export class StoreBusyError extends StoreUnavailableError {
  constructor(attempts: number, cause: unknown) {
    super({ cause });
    this.message = `MongoDB kept failing transiently (${attempts} attempts): nothing was acknowledged, retry shortly`;
    this.name = "StoreBusyError";
  }
}

/** Refused at once: a store write made from inside a transaction's fn is not part of it and may wait on it. */
export const NESTED_WRITE =
  "a store write or store.transaction() called inside a transaction's fn would not be part of that transaction and could wait on it forever: use the tx it was given";

interface Scope {
  open: boolean;
}

/**
 * Runs transactions with retries, and knows (through AsyncLocalStorage, as SQLite's group commit does) whether the
 * code calling it runs inside a transaction's fn.
 */
export class TransactionRunner {
  private readonly running = new AsyncLocalStorage<Scope>();

  constructor(
    private readonly startSession: () => mongo.ClientSession,
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    /** Told of each session once its transaction committed (the causal clock reads its operation time). */
    private readonly committed: (session: mongo.ClientSession) => void = () => undefined,
    /** Prepares each session before its transaction starts (the causal clock advances it). */
    private readonly prepare: (session: mongo.ClientSession) => void = () => undefined,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Throws when called from inside a transaction's fn. Without it, a nested transaction that touches a document the
   * outer one wrote meets a write conflict at every attempt until the outer one ends — which waits for the nested one.
   */
  refuseNested(): void {
    if (this.running.getStore()?.open) throw new Error(NESTED_WRITE);
  }

  async run<T>(work: (context: Context) => Promise<T>): Promise<T> {
    this.refuseNested();
    const session = this.startSession();
    try {
      return await this.attempts(session, work);
    } finally {
      await session.endSession();
    }
  }

  private async attempts<T>(session: mongo.ClientSession, work: (context: Context) => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      this.prepare(session);
      session.startTransaction(TRANSACTION_OPTIONS);
      const outcome = await this.runFn(session, work);
      const transient = outcome.failure !== undefined && isTransient(outcome.failure) ? outcome.failure : !outcome.ok && isTransient(outcome.error) ? outcome.error : undefined;
      if (transient !== undefined || !outcome.ok || outcome.failure !== undefined) {
        await abortQuietly(session);
        if (transient === undefined) throw outcome.ok ? outcome.failure : outcome.error;
        await this.pauseOrGiveUp(started, attempt, transient);
        continue;
      }
      const committed = await this.commit(session, started, attempt);
      if (committed === true) {
        this.committed(session);
        return outcome.value;
      }
      // The commit failed transiently: the transaction is gone on the server, run fn again.
      await this.pauseOrGiveUp(started, attempt, committed.error);
    }
  }

  /** Runs fn once, inside the scope that marks "in a transaction's fn", noting the first failed operation. */
  private async runFn<T>(session: mongo.ClientSession, work: (context: Context) => Promise<T>): Promise<Outcome<T>> {
    const scope: Scope = { open: true };
    const failed: { first?: unknown } = {};
    const context: Context = {
      inTransaction: true,
      track: async (operation) => {
        if (!scope.open) throw new Error("this transaction is over: use tx only inside the fn it was given to");
        // The server has aborted the transaction (or it must be retried): sending more would only earn
        // NoSuchTransaction, labelled transient, which is how the driver's loop never ends.
        if ("first" in failed) throw failed.first;
        try {
          return await operation(session);
        } catch (error) {
          // StoreNotFoundError is raised before anything is sent: the transaction is still good.
          if (!(error instanceof StoreNotFoundError)) failed.first = error;
          throw error;
        }
      },
    };
    try {
      const value = await this.running.run(scope, () => work(context));
      return { ok: true, value, failure: failed.first };
    } catch (error) {
      return { ok: false, error, failure: failed.first };
    } finally {
      scope.open = false;
    }
  }

  /** Commits, retrying the commit alone while its result is unknown; true, or the transient error that lost it. */
  private async commit(session: mongo.ClientSession, started: number, attempt: number): Promise<true | { error: unknown }> {
    for (let tries = 1; ; tries++) {
      try {
        await session.commitTransaction();
        return true;
      } catch (error) {
        if (isUnknownCommitResult(error)) {
          // The driver itself retries a commit once, with w:majority; each further try is ours, paced.
          await this.pauseOrGiveUp(started, attempt + tries - 1, error);
          continue;
        }
        if (isTransient(error)) return { error };
        throw error;
      }
    }
  }

  /** Waits before the next attempt, or throws StoreBusyError once the budget is spent. */
  private async pauseOrGiveUp(started: number, attempt: number, error: unknown): Promise<void> {
    const { budgetMs, baseBackoffMs, maxBackoffMs } = this.policy;
    const ceiling = Math.min(maxBackoffMs, baseBackoffMs * 2 ** Math.min(attempt - 1, 30));
    const pause = Math.floor(this.random() * ceiling);
    if (Date.now() - started + pause >= budgetMs) throw new StoreBusyError(attempt, error);
    await this.sleep(pause);
  }
}

type Outcome<T> = { ok: true; value: T; failure: unknown } | { ok: false; error: unknown; failure: unknown };

/** Abort errors change nothing for the caller: the server drops an unfinished transaction by itself. */
async function abortQuietly(session: TransactionSession): Promise<void> {
  try {
    await session.abortTransaction();
  } catch {
    // Already aborted by the server (the failure that brought us here), or unreachable: either way it will not commit.
  }
}
