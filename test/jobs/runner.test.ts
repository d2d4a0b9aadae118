// The job runner on a real SQLite store's leases: passes back to back while work remains, a sleep when there is none,
// exponential backoff after failures, standby while another node holds the lease, and stop() freeing it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { openSqliteStore } from "../../service/store/sqlite";
import type { Store } from "../../service/store/port";
import { JobRunner, type Job, type JobRunnerOptions } from "../../service/jobs/runner";

const until = async (what: string, done: () => boolean, ms = 5_000): Promise<void> => {
  for (const start = Date.now(); !done(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
  }
};

describe("jobs: the lease-and-backoff runner", function () {
  this.timeout(20_000);
  let dir: string;
  let store: Store;
  const runners: JobRunner[] = [];
  const options = (fields: Partial<JobRunnerOptions> = {}): JobRunnerOptions => ({
    name: "test-job",
    holder: "node-a",
    leaseTtlMs: 60_000,
    pollMs: 10_000,
    now: () => new Date(),
    log: () => undefined,
    ...fields,
  });
  const runner = (job: Job, fields: Partial<JobRunnerOptions> = {}): JobRunner => {
    const made = new JobRunner(store.leases, job, options(fields));
    runners.push(made);
    return made;
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-jobs-"));
    store = await openSqliteStore(path.join(dir, "sealproof.db"));
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs passes back to back while work remains, then sleeps for pollMs", async () => {
    let passes = 0;
    const r = runner({ pass: async () => ++passes < 5 });
    r.start();
    await until("five passes", () => passes === 5);
    // pollMs is 10 s: no sixth pass comes soon.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(passes).to.equal(5);
  });

  it("backs off exponentially after each failure, and starts over after a success", async () => {
    const outcomes = ["fail", "fail", "fail", "ok", "fail", "ok"];
    const delays: number[] = [];
    const lines: string[] = [];
    let passes = 0;
    const r = runner(
      {
        pass: async () => {
          passes++;
          if (outcomes.shift() === "fail") throw new Error("node unreachable");
          return outcomes.length > 0;
        },
        failed: (_err, retryInMs) => delays.push(retryInMs),
      },
      { backoffBaseMs: 10, backoffMaxMs: 35, log: (line) => lines.push(line) },
    );
    const started = Date.now();
    r.start();
    await until("every outcome", () => passes === 6);
    expect(delays).to.deep.equal([20, 35, 35, 20]);
    expect(Date.now() - started).to.be.at.least(20 + 35 + 35 + 20);
    expect(lines[0]).to.equal("test-job: node unreachable; retrying in 20 ms");
  });

  it("stands by while another holder has the lease, and takes over once it is released", async () => {
    expect(await store.leases.acquire("test-job", "node-b", 60_000, new Date())).to.equal(true);
    let passes = 0;
    let standbys = 0;
    const r = runner({ pass: async () => (passes++, false), standby: () => standbys++ }, { pollMs: 10 });
    r.start();
    await until("standby", () => standbys >= 3);
    expect(passes).to.equal(0);
    await store.leases.release("test-job", "node-b");
    await until("a pass", () => passes > 0);
    expect(await store.leases.acquire("test-job", "node-b", 60_000, new Date())).to.equal(false);
  });

  it("takes no lease and runs no pass once the job has halted", async () => {
    let passes = 0;
    const r = runner({ pass: async () => (passes++, false), halted: () => true });
    expect(await r.pass()).to.equal(false);
    expect(passes).to.equal(0);
    expect(await store.leases.acquire("test-job", "node-b", 60_000, new Date())).to.equal(true);
  });

  it("stop() lets the pass in progress finish, ends the loop and frees the lease", async () => {
    let release!: () => void;
    const inPass = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    let finished = false;
    const r = runner({
      pass: async () => {
        entered = true;
        await inPass;
        finished = true;
        return true;
      },
    });
    r.start();
    await until("the pass", () => entered);
    const stopping = r.stop();
    release();
    await stopping;
    expect(finished).to.equal(true);
    expect(await store.leases.acquire("test-job", "node-b", 60_000, new Date())).to.equal(true);
  });

  it("a nudge runs the next pass at once instead of after pollMs, even when it came during the pass; it never cuts a backoff short", async () => {
    let passes = 0;
    let release: (() => void) | null = null;
    const r = runner({
      pass: async () => {
        passes++;
        if (passes === 2) await new Promise<void>((resolve) => (release = resolve));
        return false;
      },
    });
    r.start();
    await until("the first pass", () => passes === 1);
    r.nudge();
    await until("a second pass, long before pollMs (10 s)", () => passes === 2, 1_000);
    // Nudged while the second pass runs: the third follows it without the pause.
    r.nudge();
    release!();
    await until("a third pass", () => passes === 3, 1_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(passes).to.equal(3);

    let tries = 0;
    const failing = runner({ pass: async () => (tries++, Promise.reject(new Error("down"))) }, { name: "failing-job", backoffBaseMs: 5_000 });
    failing.start();
    await until("the first try", () => tries === 1);
    failing.nudge();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tries).to.equal(1);
  });

  it("renews its lease only once a third of the TTL has passed, and takes it anew after stop()", async () => {
    let acquired = 0;
    const counted = { ...store.leases, acquire: (...args: Parameters<Store["leases"]["acquire"]>) => (acquired++, store.leases.acquire(...args)) };
    let passes = 0;
    const r = new JobRunner(counted, { pass: async () => ++passes < 1_000_000 }, options({ leaseTtlMs: 600 }));
    runners.push(r);
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 700));
    await r.stop();
    // Passes back to back for 0.7 s: the lease was taken at the start and renewed every 200 ms or so, not on every pass.
    expect(passes).to.be.above(100);
    expect(acquired).to.be.within(2, 6);
    expect(await store.leases.acquire("test-job", "node-b", 600, new Date())).to.equal(true);
    await store.leases.release("test-job", "node-b");
    await r.pass();
    expect(acquired).to.be.within(3, 7);
  });
});
