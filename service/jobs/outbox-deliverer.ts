// Delivers outbox entries after their transactions commit: each target's oldest entry through the handler of its kind,
// targets side by side, a target's entries one at a time. At least once: an entry is marked delivered only after its
// handler returns, so a crash in between delivers it again (receivers drop repeats by entry id). A failed entry waits
// with exponential backoff, and its target's later entries wait behind it. A pass does not wait for the deliveries it
// starts: a receiver that hangs (a webhook, until its timeout) holds its own target only, never another's (a device's
// lock command). An entry of a kind whose handler delivers its target's current state (a device's pending commands)
// is delivered as soon as its transaction has committed, without being read back through the store first.
import { randomUUID } from "node:crypto";
import type { OutboxEntry, Store } from "../store/port";
import { JobRunner } from "./runner";

/** Delivers one entry; resolves once the receiver has it, throws when it does not. */
export type OutboxHandler = (entry: OutboxEntry) => Promise<void>;

export interface OutboxDelivererOptions {
  /** One handler per entry kind; an entry of a kind without one waits, with backoff, for a build that has one. */
  handlers: { [kind: string]: OutboxHandler };
  /**
   * Kinds whose handler delivers the target's current state rather than the entry's own: such an entry is delivered as
   * soon as committed() hands it over, ahead of any older entry of its target waiting for a retry (whose delivery
   * later repeats the same state, never an older one).
   */
  immediateKinds?: readonly string[];
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
  /** The delivery under way of each target being served: a pass hands out no other entry of that target. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /**
   * Entries delivered straight from committed(), each with the number of reads started before it was marked (Infinity
   * until then): a read started no later than that may still have seen it pending, and must not hand it out again.
   */
  private readonly handedOut = new Map<string, number>();
  private readsStarted = 0;
  private stopping = false;

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

  /** An entry has just committed: look for it now rather than at the next poll. */
  nudge(): void {
    this.runner.nudge();
  }

  /**
   * Entries whose transaction has just committed: those of an immediate kind are delivered now, unless this node does
   * not hold the lease or their target has a delivery under way; the pass looks for the others at once.
   */
  committed(entries: readonly OutboxEntry[]): void {
    if (entries.filter((entry) => !this.deliverNow(entry)).length > 0) this.nudge();
  }

  /** Starts no more deliveries, waits for those under way, then frees the lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.settled();
    await this.runner.stop();
  }

  /** One pass: the lease, then each due target's oldest entry; resolves once they are delivered or failed, true when entries were handed out. */
  async pass(): Promise<boolean> {
    const handedOut = await this.runner.pass();
    await this.settled();
    return handedOut;
  }

  private async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  /** Starts the due entries of targets not being served, at most targetsPerPass under way at once. */
  private async deliverDue(): Promise<boolean> {
    const free = this.options.targetsPerPass - this.inFlight.size;
    if (this.stopping || free <= 0) return false;
    // A delivery that ends while next() reads may be handed out again by that read: its target waits for the next pass.
    const busy = new Set(this.inFlight.keys());
    const read = ++this.readsStarted;
    const due = await this.store.outbox.next(this.options.now(), free + busy.size);
    for (const [id, markedBefore] of this.handedOut) if (markedBefore < read) this.handedOut.delete(id);
    const fresh = due.filter((entry) => !busy.has(entry.target) && !this.inFlight.has(entry.target) && !this.handedOut.has(entry.id)).slice(0, free);
    for (const entry of fresh) this.inFlight.set(entry.target, this.deliverLogged(entry));
    return fresh.length > 0;
  }

  private deliverNow(entry: OutboxEntry): boolean {
    const immediate = this.options.immediateKinds?.includes(entry.kind) ?? false;
    if (!immediate || this.stopping || !this.runner.holdsLease() || this.inFlight.has(entry.target)) return false;
    this.handedOut.set(entry.id, Infinity);
    this.inFlight.set(entry.target, this.deliverLogged(entry).finally(() => this.handedOut.set(entry.id, this.readsStarted)));
    return true;
  }

  /** deliver(), whose failure to mark the entry (the store down) is logged: the entry is handed out again later. */
  private async deliverLogged(entry: OutboxEntry): Promise<void> {
    try {
      await this.deliver(entry);
    } catch (err) {
      this.options.log(`outbox: entry ${entry.id} (${entry.kind} to ${entry.target}) could not be marked: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.inFlight.delete(entry.target);
    }
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
