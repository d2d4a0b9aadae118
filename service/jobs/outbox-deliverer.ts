// Delivers outbox entries after their transactions commit: each target's oldest entry through the handler of its kind,
// targets side by side, a target's entries one at a time. At least once: an entry is marked delivered only after its
// handler returns, so a crash in between delivers it again (receivers drop repeats by entry id). A failed entry waits
// with exponential backoff, and its target's later entries wait behind it.
import { randomUUID } from "node:crypto";
import type { OutboxEntry, Store } from "../store/port";
import { JobRunner } from "./runner";

/** Delivers one entry; resolves once the receiver has it, throws when it does not. */
export type OutboxHandler = (entry: OutboxEntry) => Promise<void>;

export interface OutboxDelivererOptions {
  /** One handler per entry kind; an entry of a kind without one waits, with backoff, for a build that has one. */
  handlers: { [kind: string]: OutboxHandler };
  /** Targets served per pass. */
  targetsPerPass: number;
  pollMs: number;
  leaseTtlMs: number;
  holder?: string;
  /** First retry delay of a failed entry; doubled for each further failure, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  now: () => Date;
  log: (line: string) => void;
}

const LEASE = "outbox";

export class OutboxDeliverer {
  private readonly runner: JobRunner;

  constructor(
    private readonly store: Pick<Store, "outbox" | "leases">,
    private readonly options: OutboxDelivererOptions,
  ) {
    const { leaseTtlMs, pollMs, now, log } = options;
    this.runner = new JobRunner(store.leases, { pass: () => this.deliverDue() }, { name: LEASE, holder: options.holder ?? randomUUID(), leaseTtlMs, pollMs, now, log });
  }

  start(): void {
    this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** One pass: the lease, then each due target's oldest entry. Resolves true when entries were handed out. */
  pass(): Promise<boolean> {
    return this.runner.pass();
  }

  private async deliverDue(): Promise<boolean> {
    const due = await this.store.outbox.next(this.options.now(), this.options.targetsPerPass);
    await Promise.all(due.map((entry) => this.deliver(entry)));
    return due.length > 0;
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    const handler = Object.hasOwn(this.options.handlers, entry.kind) ? this.options.handlers[entry.kind] : undefined;
    try {
      if (handler === undefined) throw new Error(`no handler for outbox entries of kind ${entry.kind}`);
      await handler(entry);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const retryInMs = this.retryDelayMs(entry.attempts + 1);
      this.options.log(`outbox: entry ${entry.id} (${entry.kind} to ${entry.target}) failed: ${message}; retrying in ${retryInMs} ms`);
      await this.store.outbox.markFailed(entry.id, message, new Date(this.options.now().getTime() + retryInMs));
      return;
    }
    await this.store.outbox.markDelivered(entry.id, this.options.now());
  }

  private retryDelayMs(attempts: number): number {
    return Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(attempts - 1, 30));
  }
}
