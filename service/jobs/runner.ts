// The loop every background job runs: hold a lease in the store so one node at a time works, run passes back to back
// while work remains, sleep while there is none, back off exponentially after a failure; stop() frees the lease.
import type { Leases } from "../store/port";

export interface Job {
  /** One pass of work, run while this node holds the lease; resolves true when more work is waiting. */
  pass(): Promise<boolean>;
  /** True once the job has stopped itself (after a critical alert, say): it then takes no lease and runs no pass. */
  halted?(): boolean;
  /** Another node holds the lease. */
  standby?(): void;
  /** A pass (or taking the lease) failed; the next try is `retryInMs` away. */
  failed?(error: unknown, retryInMs: number): void;
}

export interface JobRunnerOptions {
  /** The lease's name, and the job's name in log lines. */
  name: string;
  /** Who holds the lease: stable across restarts of one node, so a restarted node resumes at once. */
  holder: string;
  leaseTtlMs: number;
  /** Pause between passes when there is nothing to do. */
  pollMs: number;
  now: () => Date;
  log: (line: string) => void;
  /** First pause after a failure is twice this; each further failure doubles it. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 30_000;

export class JobRunner {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Set by nudge(): the pause between passes is skipped, or cut short, once. */
  private nudged = false;
  private endPause: (() => void) | null = null;
  /** When (by `now`) this runner last took or renewed its lease; null while it holds none. */
  private heldSince: number | null = null;
  private failures = 0;

  constructor(
    private readonly leases: Leases,
    private readonly job: Job,
    private readonly options: JobRunnerOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the loop after the pass in progress, if any, and releases the lease. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.heldSince = null;
    await this.leases.release(this.options.name, this.options.holder);
  }

  /** Work has just arrived: the next pass runs now rather than after the pause between passes (never a backoff). */
  nudge(): void {
    this.nudged = true;
    this.endPause?.();
  }

  /** Whether this runner holds its lease now (taken or renewed less than a TTL ago). */
  holdsLease(): boolean {
    return this.heldSince !== null && this.options.now().getTime() - this.heldSince < this.options.leaseTtlMs;
  }

  /**
   * Takes or renews the lease and runs one pass; false without a pass when halted or on standby. A lease taken less than
   * a third of its TTL ago is certainly still this runner's and is not renewed: renewing is a durable write, and a pass
   * nudged right after a commit (a device's lock command) would otherwise wait for one more.
   */
  async pass(): Promise<boolean> {
    if (this.job.halted?.()) return false;
    const { name, holder, leaseTtlMs, now } = this.options;
    const at = now();
    if (this.heldSince === null || at.getTime() - this.heldSince >= leaseTtlMs / 3) {
      if (!(await this.leases.acquire(name, holder, leaseTtlMs, at))) {
        this.heldSince = null;
        this.job.standby?.();
        return false;
      }
      this.heldSince = at.getTime();
    }
    return this.job.pass();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy: boolean;
      try {
        busy = await this.pass();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        const retryInMs = this.backoffMs();
        this.job.failed?.(err, retryInMs);
        this.options.log(`${this.options.name}: ${err instanceof Error ? err.message : String(err)}; retrying in ${retryInMs} ms`);
        await this.sleep(retryInMs);
        continue;
      }
      if (!busy) await this.pause();
    }
  }

  /** The pause between passes when there was nothing to do, cut short by a nudge (one that came during the pass too). */
  private async pause(): Promise<void> {
    if (!this.nudged) {
      const paused = this.sleep(this.options.pollMs);
      this.endPause = this.wake;
      await paused;
      this.endPause = null;
    }
    this.nudged = false;
  }

  private backoffMs(): number {
    const { backoffBaseMs = BACKOFF_BASE_MS, backoffMaxMs = BACKOFF_MAX_MS } = this.options;
    return Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(this.failures, 10));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
