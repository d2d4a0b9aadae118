// The batcher: sequences the records writers accepted (numbers them and closes a batch over them, by size or age),
// anchors batches in order, and reconciles with the chain before sending anything, so a batch is anchored exactly
// once whatever point a crash interrupted. Its two jobs each hold a lease in the store (through the job runner): one
// sequencer numbers the log at a time, one anchorer sends to the chain at a time; other nodes stand by.
import { randomUUID } from "node:crypto";
import { batchTree } from "./batch-tree";
import { raiseAlert, severityOf, SYSTEM_COMPANY } from "../alerts/raise";
import type { AlertCode } from "../alerts/codes";
import type { AlertSchema } from "../alerts/schema";
import { JobRunner } from "../jobs/runner";
import { alertsRaised } from "../metrics";
import type { AnchorClient } from "../chain/anchor-client";
import type { BatchTree, Store, StoredBatch } from "../store/port";
import { DEV_CHAIN_ID } from "../chain/dev-chain";

export interface BatcherOptions {
  batchMax: number;
  batchIntervalMs: number;
  confirmations: number;
  /** Pause between passes when there is nothing to do. */
  pollMs: number;
  leaseTtlMs: number;
  /** Who holds the lease: stable across restarts of one node, so a restarted node resumes at once. */
  holder?: string;
  now: () => Date;
  log: (line: string) => void;
  /** Test hook for crash tests: called at each named point where a crash must be survivable. */
  failpoint?: (point: Failpoint) => void;
}

/** during-sequence runs inside the sequencer's transaction, after the records were numbered, before it commits. */
export type Failpoint = "during-sequence" | "after-close" | "after-send" | "after-confirm";

export type BatcherState = "starting" | "active" | "standby" | "retrying" | "halted";

export interface BatcherStatus {
  state: BatcherState;
  lastAnchoredBatch: number | null;
  detail: string | null;
}

/** The lease's name, and the subject and actor of the batcher's alerts. */
const BATCHER = "batcher";
/** The sequencer's lease. */
const SEQUENCER = "sequencer";

type Counters = { batchCount: number; nextSeq: number };

/** What reconciling found: stop (halted), or go on, with the chain's counters when they were read on the way. */
type Reconciled = { halted: true } | { halted: false; counters: Counters | null };

export class Batcher {
  private readonly runner: JobRunner;
  private readonly sequencer: JobRunner;
  /** Highest batch id whose on-chain root this process has seen equal to the store's. */
  private verifiedThrough = -1;
  /** See numberedTailWaits(). */
  private numberedTail = true;
  readonly status: BatcherStatus = { state: "starting", lastAnchoredBatch: null, detail: null };

  constructor(
    /** The log, and the alert kinds its alerts are written to. */
    private readonly store: Store<AlertSchema>,
    private readonly chain: AnchorClient,
    private readonly options: BatcherOptions,
  ) {
    const { leaseTtlMs, pollMs, now, log } = options;
    const holder = options.holder ?? randomUUID();
    // The sequencer holds a lease of its own, so that one sequencer numbers the log at a time, and runs apart from
    // anchoring: a chain that is down (and the anchoring job's backoff, up to 30 s) never delays sequencing past a
    // batch interval, and a batch is sequenced while the one before it is being anchored.
    this.sequencer = new JobRunner(store.leases, { pass: () => this.sequenceDue(), failed: (err: unknown) => log(`sequencer: ${err instanceof Error ? err.message : String(err)}`) }, { name: SEQUENCER, holder, leaseTtlMs, pollMs, now, log });
    const job = {
      pass: () => this.anchoringPass(),
      halted: () => this.isHalted(),
      standby: () => this.setState("standby", "another batcher holds the lease"),
      // RPC and store hiccups: the API keeps accepting records; the runner retries with backoff until it lands.
      failed: (err: unknown) => this.setState("retrying", err instanceof Error ? err.message : String(err)),
    };
    this.runner = new JobRunner(store.leases, job, { name: BATCHER, holder, leaseTtlMs, pollMs, now, log });
  }

  start(): void {
    this.sequencer.start();
    this.runner.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.sequencer.stop(), this.runner.stop()]);
  }

  /**
   * One pass of each job, one after the other (tests and benchmarks step the batcher this way): sequence what is due,
   * then reconcile and anchor what is closed. Returns whether work remains.
   */
  async pass(): Promise<boolean> {
    const sequenced = await this.sequencer.pass();
    const anchored = await this.runner.pass();
    return sequenced || anchored;
  }

  /** Reconcile with the chain, then anchor the lowest closed batch not yet anchored. */
  private async anchoringPass(): Promise<boolean> {
    const reconciled = await this.reconcile();
    if (reconciled.halted) return false;
    const anchored = await this.anchorNext(reconciled.counters);
    // anchorNext() may have halted on what it found on chain.
    if (this.isHalted()) return false;
    this.setState("active", null);
    return anchored;
  }

  /**
   * The sequencer: closes at most one batch over the waiting records, when BATCH_MAX of them wait or the first
   * accepted has waited a batch interval. The store numbers them, in acceptance order, in the batch's transaction.
   */
  private async sequenceDue(): Promise<boolean> {
    const { count, oldestAcceptedAt } = await this.store.records.waiting();
    const waitedLongEnough = oldestAcceptedAt !== null && this.options.now().getTime() - Date.parse(oldestAcceptedAt) >= this.options.batchIntervalMs;
    if (count < this.options.batchMax && !waitedLongEnough && !(await this.numberedTailWaits())) return false;
    const { failpoint } = this.options;
    const tree: BatchTree =
      failpoint === undefined
        ? batchTree
        : (texts, leaves) => {
            failpoint("during-sequence");
            return batchTree(texts, leaves);
          };
    const batch = await this.store.batches.sequence(this.options.batchMax, this.options.now(), tree);
    if (batch === null) return false;
    this.options.log(`batch ${batch.id} closed: ${batch.count} records from seq ${batch.firstSeq}`);
    failpoint?.("after-close");
    return true;
  }

  /**
   * Whether records numbered when they were written, in a store from before sequencing, still wait for a batch: the
   * sequencer batches them first. Read until it finds none; no store makes more of them.
   */
  private async numberedTailWaits(): Promise<boolean> {
    if (!this.numberedTail) return false;
    const last = await this.store.batches.last();
    this.numberedTail = (await this.store.records.count()) > (last === null ? 0 : last.firstSeq + last.count);
    return this.numberedTail;
  }

  /** Anchors the lowest unanchored batch, or adopts it if a previous run already anchored it. */
  private async anchorNext(counters: Counters | null): Promise<boolean> {
    const batch = await this.store.batches.firstUnanchored();
    if (batch === null) return false;
    const { batchCount, nextSeq } = counters ?? (await this.chain.counters());
    if (batchCount > batch.id) {
      const onChain = await this.chain.batch(batch.id);
      if (onChain !== null) return this.adopt(batch, onChain.root, onChain.firstSeq, onChain.count, onChain.blockNumber);
    }
    if (batchCount !== batch.id || nextSeq !== batch.firstSeq) {
      await this.halt("CHAIN_OUT_OF_STEP", `the contract expects batch ${batchCount} at seq ${nextSeq}, the store's next is batch ${batch.id} at seq ${batch.firstSeq}`, { batch: batch.id });
      return false;
    }
    const txHash = await this.chain.send(batch);
    this.options.log(`batch ${batch.id} (${batch.count} records from seq ${batch.firstSeq}) sent: ${txHash}`);
    this.options.failpoint?.("after-send");
    const { blockNumber } = await this.chain.confirm(txHash, this.options.confirmations, 120_000);
    this.options.failpoint?.("after-confirm");
    await this.record(batch, txHash, blockNumber);
    return true;
  }

  private async adopt(batch: StoredBatch, root: string, firstSeq: number, count: number, blockNumber: number): Promise<boolean> {
    if (root !== batch.root || firstSeq !== batch.firstSeq || count !== batch.count) {
      await this.halt("ROOT_MISMATCH", `batch ${batch.id} on chain differs from the store's`, { batch: batch.id, chainRoot: root, storeRoot: batch.root });
      return false;
    }
    const tx = await this.chain.findAnchorTx(batch.id, blockNumber);
    if (tx === null) throw new Error(`batch ${batch.id} is on chain but its BatchAnchored event was not found in block ${blockNumber}`);
    await this.record(batch, tx.txHash, tx.blockNumber);
    return true;
  }

  private async record(batch: StoredBatch, txHash: string, blockNumber: number): Promise<void> {
    // The chain has answered by now (the batch was found or sent there), so its id is known.
    const chainId = this.chain.chainId;
    if (chainId === null) throw new Error("invariant: a batch was anchored on a chain whose id is unknown");
    await this.store.batches.setAnchor(batch.id, { chainId, contract: this.chain.contract, txHash, blockNumber, anchoredAt: this.options.now().toISOString() });
    this.status.lastAnchoredBatch = batch.id;
    this.verifiedThrough = Math.max(this.verifiedThrough, batch.id);
    this.options.log(`batch ${batch.id} anchored in block ${blockNumber}`);
  }

  /**
   * Before sending anything: the chain must still hold every batch the store calls anchored, with the same
   * root. Batches that vanished are re-anchored on the dev chain; on any other chain we alert and halt.
   */
  private async reconcile(): Promise<Reconciled> {
    const lastAnchored = await this.lastAnchoredId();
    if (lastAnchored === null) return { halted: false, counters: null };
    const counters = await this.chain.counters();
    const { batchCount } = counters;
    if (batchCount > lastAnchored) {
      // A root this process anchored or already compared needs no second read while the chain only grew.
      if (lastAnchored <= this.verifiedThrough) return { halted: false, counters };
      const stored = await this.store.batches.get(lastAnchored);
      const onChain = await this.chain.batch(lastAnchored);
      if (stored && onChain && onChain.root === stored.root) {
        this.verifiedThrough = lastAnchored;
        return { halted: false, counters };
      }
      await this.halt("ROOT_MISMATCH", `batch ${lastAnchored} on chain differs from the store's`, { batch: lastAnchored });
      return { halted: true };
    }
    this.verifiedThrough = batchCount - 1;
    if (this.chain.chainId !== DEV_CHAIN_ID) {
      await this.halt("BATCHES_VANISHED", `the chain holds ${batchCount} batches but ${lastAnchored + 1} were anchored`, { chainBatches: batchCount, anchored: lastAnchored + 1 });
      return { halted: true };
    }
    await this.store.batches.clearAnchors(batchCount);
    await this.alert("BATCHES_REANCHORING", `dev chain lost batches ${batchCount}..${lastAnchored}; anchoring them again`, { from: batchCount, to: lastAnchored });
    return { halted: false, counters: null };
  }

  private async lastAnchoredId(): Promise<number | null> {
    const pending = await this.store.batches.firstUnanchored();
    if (pending !== null) return pending.id === 0 ? null : pending.id - 1;
    const last = await this.store.batches.last();
    return last === null ? null : last.id;
  }

  private async halt(code: AlertCode, message: string, data: { [key: string]: string | number }): Promise<void> {
    this.setState("halted", `${code}: ${message}`);
    await this.alert(code, `${message}; anchoring stopped`, data);
  }

  /** Logs the alert and records it, in a transaction of its own: the batcher's state changes are not documents. */
  private async alert(code: AlertCode, message: string, data: { [key: string]: string | number }): Promise<void> {
    this.options.log(`[${severityOf(code)}] ${code}: ${message}`);
    const alert = { code, at: this.options.now(), company: SYSTEM_COMPANY, subject: BATCHER, source: BATCHER, data };
    await this.store.transaction((tx) => raiseAlert(tx, alert));
    alertsRaised.inc({ code });
  }

  private isHalted(): boolean {
    return this.status.state === "halted";
  }

  private setState(state: BatcherState, detail: string | null): void {
    this.status.state = state;
    this.status.detail = detail;
  }

}
