// Keeps a child process running: when a run exits unexpectedly, a new one is started after a backoff that doubles up
// to a ceiling and starts over once a run has lasted, and a streak of exits is reported once. Used for the dev chain.

/** How a run ended: its exit code or signal, or the error that kept it from starting. */
export interface Exit {
  code: number | null;
  signal: string | null;
  error?: string;
}

/** One run of the supervised process, up and answering. */
export interface Run {
  exited: Promise<Exit>;
  /** Ends the run on purpose and waits for it to exit. */
  stop(): Promise<void>;
}

export interface RestartPolicyOptions {
  firstDelayMs: number;
  maxDelayMs: number;
  /** A run that lasted this long was healthy: the next restart waits firstDelayMs again. */
  stableAfterMs: number;
  /** This many exits within unstableWindowMs make the process unstable, reported once per streak. */
  unstableExits: number;
  unstableWindowMs: number;
}

export const DEV_CHAIN_RESTARTS: RestartPolicyOptions = { firstDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 60_000, unstableExits: 3, unstableWindowMs: 5 * 60_000 };

export interface RestartDecision {
  delayMs: number;
  /** Exits within the window, this one included. */
  recentExits: number;
  /** True on the exit that makes the streak reach `unstableExits`, not on the ones after it. */
  unstable: boolean;
}

/** Decides, from the time of each exit and how long its run lasted, when to restart and when to report. */
export class RestartPolicy {
  private nextDelayMs: number;
  private exits: number[] = [];

  constructor(private readonly options: RestartPolicyOptions) {
    this.nextDelayMs = options.firstDelayMs;
  }

  /** `ranMs`: how long the run that ended was up (0 for a start that failed). */
  exited(atMs: number, ranMs: number): RestartDecision {
    const { firstDelayMs, maxDelayMs, stableAfterMs, unstableExits, unstableWindowMs } = this.options;
    if (ranMs >= stableAfterMs) this.nextDelayMs = firstDelayMs;
    const delayMs = this.nextDelayMs;
    this.nextDelayMs = Math.min(maxDelayMs, delayMs * 2);
    this.exits = [...this.exits.filter((t) => atMs - t < unstableWindowMs), atMs];
    return { delayMs, recentExits: this.exits.length, unstable: this.exits.length === unstableExits };
  }
}

export type SupervisedState = "up" | "restarting" | "stopped";

export interface SupervisedStatus {
  state: SupervisedState;
  /** Unexpected exits (and failed restarts) since supervision began. */
  exits: number;
  /** For the operator, while not up: how the last run ended and when the next start is due. */
  detail: string | null;
}

export interface UnstableReport {
  recentExits: number;
  windowMs: number;
  last: Exit;
}

export interface SupervisorOptions {
  /** Names the process in log lines. */
  name: string;
  policy: RestartPolicyOptions;
  now: () => number;
  log: (line: string) => void;
  onUnstable?: (report: UnstableReport) => void;
}

export class Supervisor {
  private readonly policy: RestartPolicy;
  private current: Run;
  private upSince: number;
  private stopping = false;
  private recovering: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly state: SupervisedStatus = { state: "up", exits: 0, detail: null };

  /** Watches `first` from now on; `start` makes each later run and must clean up after itself if it throws. */
  constructor(
    first: Run,
    private readonly start: () => Promise<Run>,
    private readonly options: SupervisorOptions,
  ) {
    this.policy = new RestartPolicy(options.policy);
    this.current = first;
    this.upSince = options.now();
    this.watch(first);
  }

  status(): SupervisedStatus {
    return { ...this.state };
  }

  /** Stops the current run; no restart follows, and a start in progress is stopped once it is up. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.recovering;
    await this.current.stop();
    this.set("stopped", null);
  }

  private watch(run: Run): void {
    void run.exited.then((exit) => {
      if (this.current === run && !this.stopping) this.recovering = this.recover(exit);
    });
  }

  private async recover(exit: Exit): Promise<void> {
    const { name, now, log } = this.options;
    let last = exit;
    let ranMs = now() - this.upSince;
    while (!this.stopping) {
      const decision = this.policy.exited(now(), ranMs);
      this.state.exits++;
      this.set("restarting", `${describe(last)}; starting again in ${decision.delayMs} ms (${decision.recentExits} exits within ${this.options.policy.unstableWindowMs / 1000} s)`);
      log(`${name} ${this.state.detail}`);
      if (decision.unstable) this.options.onUnstable?.({ recentExits: decision.recentExits, windowMs: this.options.policy.unstableWindowMs, last });
      await this.sleep(decision.delayMs);
      if (this.stopping) return;
      try {
        const run = await this.start();
        if (this.stopping) return void (await run.stop());
        this.current = run;
        this.upSince = now();
        this.set("up", null);
        log(`${name} is running again`);
        this.watch(run);
        return;
      } catch (err) {
        last = { code: null, signal: null, error: err instanceof Error ? err.message : String(err) };
        ranMs = 0;
      }
    }
  }

  private set(state: SupervisedState, detail: string | null): void {
    this.state.state = state;
    this.state.detail = detail;
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

function describe(exit: Exit): string {
  if (exit.error !== undefined) return `failed to start: ${exit.error}`;
  return exit.signal !== null ? `exited on ${exit.signal}` : `exited with code ${exit.code}`;
}
