// The embedded dev chain for `npm start` without CHAIN_RPC_URL: an anvil node (shipped in its npm package)
// whose state is kept under DATA_DIR/chain across restarts, with SealAnchor deployed on first start.
import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../free-port";

export const DEV_CHAIN_ID = 31337;
/** anvil's first default account: public knowledge, so only ever used on the local dev chain. */
export const DEV_ANCHORER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export interface DevChain {
  rpcUrl: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startDevChain(dataDir: string, port = 0, chainId = DEV_CHAIN_ID): Promise<DevChain> {
  const dir = path.join(dataDir, "chain");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(dir, "anvil.pid");
  await stopStale(pidFile);
  const chosenPort = port || (await freePort());
  // --state-interval 1: a crash of the whole machine loses at most a second of chain state, which the
  // batcher detects as vanished batches and re-anchors (dev chain only).
  const args = ["--state", path.join(dir, "state.json"), "--state-interval", "1", "--port", String(chosenPort), "--host", "127.0.0.1", "--chain-id", String(chainId), "--silent"];
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  fs.writeFileSync(pidFile, String(child.pid), { mode: 0o600 });
  const rpcUrl = `http://127.0.0.1:${chosenPort}`;
  await waitForRpc(rpcUrl, child, () => stderr);
  return {
    rpcUrl,
    dir,
    stop: async () => {
      await terminate(child);
      fs.rmSync(pidFile, { force: true });
    },
  };
}

function anvilBinary(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as "x64" | "arm64"];
  if (!arch) throw new Error(`the embedded dev chain does not support ${process.platform}/${process.arch}; set CHAIN_RPC_URL`);
  const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
  return path.join(path.dirname(pkg), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
}

async function waitForRpc(rpcUrl: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`the dev chain exited at start-up (code ${child.exitCode}): ${stderr().trim()}`);
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

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

