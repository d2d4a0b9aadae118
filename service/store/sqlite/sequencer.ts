// BatchLog.sequence on SQLite. A batch of at least `offThreadFrom` records is read and hashed on the sequencer thread
// while the event loop goes on (anchoring the batch before, answering requests), and once a full batch is written the
// next one is prepared there at once, while this one commits and syncs. The batch's transaction writes a prepared
// batch only if it still follows the last batch (BatchWriter.sequence); the thread only reads, so a crash anywhere
// leaves no more trace of a batch than the transaction does.
import type { BatchTree, StoredBatch } from "../port";
import type { CompanyHead } from "../records";
import type { PreparedBatch } from "./batch-prep";
import type { BatchWriter } from "./batches";
import { SequencerThread } from "./sequencer-thread";

export interface SequencerOptions {
  /** The store's file, which the thread opens read-only. */
  file: string;
  /** How many committed records wait for a batch. */
  waiting: () => number;
  writer: BatchWriter;
  /** Runs a transaction of the group-commit queue. */
  queued: <T>(work: () => Promise<T>) => Promise<T>;
  offThreadFrom: number;
  /** Told when the thread has started (tests). */
  onThreadReady?: () => void;
}

/** The next batch, prepared after a full one was written: used if it is full too and the log still ends there. */
interface Prefetch {
  max: number;
  batch: Promise<PreparedBatch | null>;
}

export class SqliteSequencer {
  private thread: SequencerThread | null = null;
  private prefetch: Prefetch | null = null;
  private closed = false;

  constructor(private readonly options: SequencerOptions) {}

  async sequence(max: number, closedAt: Date, tree: BatchTree): Promise<StoredBatch | null> {
    const prepared = await this.prepared(max);
    return this.options.queued(async () => {
      const written = this.options.writer.sequence(max, closedAt, tree, prepared);
      if (written === null) return null;
      if (written.batch.count === max && max >= this.options.offThreadFrom) this.prepareNext(written.batch, written.prepared.heads, max);
      return written.batch;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.prefetch = null;
    await this.thread?.close();
  }

  /** A batch prepared on the thread, or null to prepare it on the writer (a small batch, or the thread failed). */
  private async prepared(max: number): Promise<PreparedBatch | null> {
    const prefetch = this.prefetch;
    this.prefetch = null;
    if (prefetch !== null && prefetch.max === max) {
      const batch = await prefetch.batch;
      // Short, it may lack records accepted since; the writer takes them all and checks where it starts.
      if (batch !== null && batch.texts.length === max) return batch;
    }
    if (Math.min(this.options.waiting(), max) < this.options.offThreadFrom) return null;
    return this.onThread((thread) => thread.prepare(null, max));
  }

  /** The batch after `batch`, which is written but not yet committed: its heads are carried over, not read. */
  private prepareNext(batch: StoredBatch, heads: ReadonlyMap<string, CompanyHead>, max: number): void {
    const start = { last: { id: batch.id, root: batch.root }, firstSeq: batch.firstSeq + batch.count };
    this.prefetch = { max, batch: this.onThread((thread) => thread.prepare(start, max, heads)) };
  }

  /**
   * Null when the thread cannot say, and the writer prepares the batch: a failed call; a thread still starting (started
   * at the first large batch, it is not waited for); a thread that died, which is not started again (the writer
   * prepares every batch from then on, as it did before there was a thread).
   */
  private onThread(prepare: (thread: SequencerThread) => Promise<PreparedBatch>): Promise<PreparedBatch | null> {
    if (this.closed) return Promise.resolve(null);
    this.thread ??= new SequencerThread(this.options.file, this.options.onThreadReady);
    if (!this.thread.ready) return Promise.resolve(null);
    return prepare(this.thread).catch(() => null);
  }
}
