// The restart policy's arithmetic, and the supervisor over real child processes killed with SIGKILL.
import { spawn } from "node:child_process";
import { expect } from "chai";
import { DEV_CHAIN_RESTARTS, RestartPolicy, Supervisor, type Exit, type Run, type UnstableReport } from "../../service/chain/dev-chain-supervisor";

describe("chain: the dev chain's restart policy", () => {
  it("waits 0.5 s, doubling to 30 s, and starts over after a run that lasted a minute", () => {
    const policy = new RestartPolicy(DEV_CHAIN_RESTARTS);
    const delays = Array.from({ length: 9 }, (_, i) => policy.exited(i * 3_600_000, 0).delayMs);
    expect(delays).to.deep.equal([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(policy.exited(10 * 3_600_000, 59_999).delayMs).to.equal(30_000);
    expect(policy.exited(11 * 3_600_000, 60_000).delayMs).to.equal(500);
    expect(policy.exited(12 * 3_600_000, 0).delayMs).to.equal(1_000);
  });

  it("calls the third exit within 5 minutes unstable, once per streak", () => {
    const policy = new RestartPolicy(DEV_CHAIN_RESTARTS);
    const minute = 60_000;
    const unstable = [0, 1, 2, 3, 4, 10, 11, 12].map((m) => policy.exited(m * minute, 0).unstable);
    // 0, 1, 2: the third within 5 minutes; 3, 4: the streak goes on; 10, 11, 12: a new streak after a quiet spell.
    expect(unstable).to.deep.equal([false, false, true, false, false, false, false, true]);
    expect(new RestartPolicy(DEV_CHAIN_RESTARTS).exited(0, 0).recentExits).to.equal(1);
    const spread = new RestartPolicy(DEV_CHAIN_RESTARTS);
    expect([0, 3, 6, 9].map((m) => spread.exited(m * minute, 0).unstable)).to.deep.equal([false, false, false, false]);
  });
});

describe("chain: the supervisor over real processes", function () {
  this.timeout(30_000);
  const fast = { firstDelayMs: 20, maxDelayMs: 200, stableAfterMs: 60_000, unstableExits: 3, unstableWindowMs: 60_000 };
  const pids: number[] = [];

  /** A process that runs until killed: the dev chain's stand-in. */
  async function sleeper(): Promise<Run & { pid: number }> {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    await new Promise((resolve) => child.once("spawn", resolve));
    pids.push(child.pid as number);
    return {
      pid: child.pid as number,
      exited,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      },
    };
  }

  async function upAgainAfter(supervisor: Supervisor, exits: number): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const status = supervisor.status();
      if (status.state === "up" && status.exits === exits) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`not up again after exit ${exits}: ${JSON.stringify(supervisor.status())}`);
  }

  afterEach(() => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });

  it("restarts each SIGKILLed run, reports the third exit once, and stop() ends the run without a restart", async () => {
    const reports: UnstableReport[] = [];
    const lines: string[] = [];
    const supervisor = new Supervisor(await sleeper(), sleeper, { name: "sleeper", policy: fast, now: () => Date.now(), log: (l) => lines.push(l), onUnstable: (r) => reports.push(r) });
    for (let exit = 1; exit <= 4; exit++) {
      process.kill(pids[pids.length - 1], "SIGKILL");
      await upAgainAfter(supervisor, exit);
    }
    expect(pids).to.have.length(5);
    expect(reports).to.deep.equal([{ recentExits: 3, windowMs: 60_000, last: { code: null, signal: "SIGKILL" } }]);
    expect(lines[0]).to.equal("sleeper exited on SIGKILL; starting again in 20 ms (1 exits within 60 s)");
    const last = pids[pids.length - 1];
    await supervisor.stop();
    expect(supervisor.status()).to.deep.equal({ state: "stopped", exits: 4, detail: null });
    expect(() => process.kill(last, 0)).to.throw();
    await new Promise((r) => setTimeout(r, 300));
    expect(pids).to.have.length(5);
  });

  it("stop() during the backoff cancels the restart; a start that throws counts as one more exit", async () => {
    let failNext = true;
    const start = async () => {
      if (failNext) {
        failNext = false;
        throw new Error("port in use");
      }
      return sleeper();
    };
    const supervisor = new Supervisor(await sleeper(), start, { name: "sleeper", policy: fast, now: () => Date.now(), log: () => undefined });
    process.kill(pids[0], "SIGKILL");
    await upAgainAfter(supervisor, 2);
    expect(pids).to.have.length(2);

    const slow = new Supervisor(await sleeper(), sleeper, { name: "sleeper", policy: { ...fast, firstDelayMs: 5_000 }, now: () => Date.now(), log: () => undefined });
    process.kill(pids[2], "SIGKILL");
    for (let i = 0; i < 100 && slow.status().state !== "restarting"; i++) await new Promise((r) => setTimeout(r, 10));
    expect(slow.status().detail).to.match(/^exited on SIGKILL; starting again in 5000 ms/);
    const stopped = Date.now();
    await slow.stop();
    expect(Date.now() - stopped).to.be.lessThan(1_000);
    expect([slow.status().state, pids.length]).to.deep.equal(["stopped", 3]);
    await supervisor.stop();
  });
});
