// Makes committed transactions durable without blocking the event loop. The writer runs with
// synchronous=NORMAL, so COMMIT writes the WAL frames but does not fsync; we fdatasync the WAL file on the
// libuv thread pool before acknowledging, which gives the durability of synchronous=FULL (SQLite's FULL
// does exactly this sync, on the calling thread). Measured: with FULL, each commit's fsync blocked the
// loop ~2 ms and kept groups at one transaction; off-thread, commits pipeline and share syncs.
// A failed sync is final: after fsync fails the kernel may have dropped the dirty pages and a later fsync can
// succeed without them, so no later sync may vouch for anything (the group-commit queue then stops writing).
import fs from "node:fs";
import { promisify } from "node:util";

const fdatasync = promisify(fs.fdatasync);

export class WalSync {
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly walFile: string,
    private readonly syncFd: (fd: number) => Promise<void> = fdatasync,
  ) {}

  /**
   * Resolves once everything written to the WAL before this call is on disk. Callers that arrive while a
   * sync runs share the one that starts after it, so a burst of commits costs two syncs, not one each.
   */
  sync(): Promise<void> {
    this.next ??= this.startAfterCurrent();
    return this.next;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private async startAfterCurrent(): Promise<void> {
    // Yield at least once even when no sync runs: sync() stores this promise in `next` only after this function has
    // returned it, so clearing `next` below before that would leave it set for good, and every later caller would
    // be handed this (long finished) sync instead of one that covers their writes.
    do await this.running?.catch(() => undefined);
    while (this.running);
    // From here on, a caller's writes may postdate this sync's start: they must wait for the next one.
    this.next = null;
    if (this.failure) throw new Error("an earlier WAL sync failed; nothing written since can be made durable", { cause: this.failure.error });
    this.running = this.syncFd(this.walFd());
    try {
      await this.running;
    } catch (error) {
      this.failure = { error };
      throw error;
    } finally {
      this.running = null;
    }
  }

  // Opened lazily: SQLite creates the WAL file on the first write after WAL mode is set.
  private walFd(): number {
    this.fd ??= fs.openSync(this.walFile, "r");
    return this.fd;
  }
}
