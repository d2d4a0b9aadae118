// The embedded dev chain for `npm start` without CHAIN_RPC_URL: an anvil node (shipped in its npm package)
// whose state is kept under DATA_DIR/chain across restarts, restarted from that state if it dies.
import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../free-port";
import { DEV_CHAIN_RESTARTS, Supervisor, type Exit, type Run, type SupervisedStatus, type UnstableReport } from "./dev-chain-supervisor";

export const DEV_CHAIN_ID = 31337;
/** anvil's first default account: public knowledge, so only ever used on the local dev chain. */
export const DEV_ANCHORER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export interface DevChain {
  rpcUrl: string;
  dir: string;
  /** Whether anvil is up, or exited and is being started again. */
  status(): SupervisedStatus;
  /** Stops anvil (it saves its state) without a restart. */
  stop(): Promise<void>;
}

export interface DevChainSupervision {
  log?: (line: string) => void;
  /** Anvil keeps exiting (DEV_CHAIN_RESTARTS: 3 times within 5 minutes). */
  onUnstable?: (report: UnstableReport) => void;
  /** Runs after each restart before the chain counts as up again; throwing makes it one more failed start. */
  afterRestart?: () => Promise<void>;
}

/**
 * Starts anvil and keeps it running: an unexpected exit is followed by a restart on the same port from the saved
 * state, with backoff (DEV_CHAIN_RESTARTS). The first start is not retried: its failure is the caller's.
 */
export async function startDevChain(dataDir: string, port = 0, chainId = DEV_CHAIN_ID, supervision: DevChainSupervision = {}): Promise<DevChain> {
  const dir = path.join(dataDir, "chain");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(dir, "anvil.pid");
  await stopStale(pidFile);
  const chosenPort = port || (await freePort());
  const rpcUrl = `http://127.0.0.1:${chosenPort}`;
  const log = supervision.log ?? (() => undefined);
  const launch = () => launchAnvil(dir, chosenPort, chainId, log);
  const restart = async (): Promise<Run> => {
    const run = await launch();
    try {
      await supervision.afterRestart?.();
      return run;
    } catch (err) {
      await run.stop();
      throw err;
    }
  };
  const supervisor = new Supervisor(await launch(), restart, { name: "dev chain", policy: DEV_CHAIN_RESTARTS, now: () => Date.now(), log, onUnstable: supervision.onUnstable });
  return {
    rpcUrl,
    dir,
    status: () => supervisor.status(),
    stop: async () => {
      await supervisor.stop();
      fs.rmSync(pidFile, { force: true });
    },
  };
}

/** One anvil process, answering on `port`; its pid is written to anvil.pid. */
async function launchAnvil(dir: string, port: number, chainId: number, log: (line: string) => void): Promise<Run> {
  const stateFile = path.join(dir, "state.json");
  keepLastGoodState(stateFile, log);
  // --state-interval 1: a crash loses at most a second of chain state, which the batcher detects as vanished
  // batches and re-anchors (dev chain only).
  const args = ["--state", stateFile, "--state-interval", "1", "--port", String(port), "--host", "127.0.0.1", "--chain-id", String(chainId), "--silent"];
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
  let ended: Exit | null = null;
  const exited = new Promise<Exit>((resolve) =>
    child.once("exit", (code, signal) => {
      ended = { code, signal };
      resolve(ended);
    }),
  );
  fs.writeFileSync(path.join(dir, "anvil.pid"), String(child.pid), { mode: 0o600 });
  const run: Run = { exited, stop: () => terminate(child, exited, () => ended !== null) };
  try {
    await waitForRpc(`http://127.0.0.1:${port}`, () => ended, () => stderr);
    return run;
  } catch (err) {
    await run.stop();
    throw err;
  }
}

/**
 * Anvil rewrites its state file in place (truncate, then write) every second, so a SIGKILL can leave it cut short,
 * and anvil refuses to start from it. Before each start: a file that parses is kept as state.previous.json; one that
 * does not is replaced by that copy (or set aside, for a fresh chain). The batcher re-anchors what the chain lost.
 */
function keepLastGoodState(stateFile: string, log: (line: string) => void): void {
  if (!fs.existsSync(stateFile)) return;
  const previous = stateFile.replace(/\.json$/, ".previous.json");
  try {
    JSON.parse(fs.readFileSync(stateFile, "utf8"));
    fs.copyFileSync(stateFile, previous);
  } catch {
    fs.renameSync(stateFile, `${stateFile}.unreadable-${Date.now()}`);
    if (fs.existsSync(previous)) fs.copyFileSync(previous, stateFile);
    log(`dev chain: its state file was cut short; starting from ${fs.existsSync(stateFile) ? "the state of its previous start" : "an empty chain"}`);
  }
}

function anvilBinary(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as "x64" | "arm64"];
  if (!arch) throw new Error(`the embedded dev chain does not support ${process.platform}/${process.arch}; set CHAIN_RPC_URL`);
  const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
  return path.join(path.dirname(pkg), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
}

async function waitForRpc(rpcUrl: string, ended: () => Exit | null, stderr: () => string): Promise<void> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  for (let i = 0; i < 150; i++) {
    const exit = ended();
    if (exit !== null) throw new Error(`the dev chain exited at start-up (${exit.signal ?? `code ${exit.code}`}): ${stderr().trim()}`);
    try {
      const res = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the dev chain did not answer within 15 s");
}

// A service killed with SIGKILL leaves its anvil running; end it (it saves its state on SIGTERM) first.
async function stopStale(pidFile: string): Promise<void> {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8"));
  fs.rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0 || !isAnvil(pid)) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

function isAnvil(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("anvil");
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM (anvil saves its state), SIGKILL after 5 s; resolves once the process has exited. */
async function terminate(child: ChildProcess, exited: Promise<Exit>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  child.kill("SIGTERM");
  await exited;
  clearTimeout(timer);
}
