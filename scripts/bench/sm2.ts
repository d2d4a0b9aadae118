// Benchmark: SM2 signatures and verifications per second, on one thread and on every core, for the native addon
// (native/), sm-crypto-v2 (our JS backend, sm2.browser.ts, key point precomputed as the service caches it) and
// `openssl speed sm2` (the machine's own openssl binary, run as a child process), measured in the same run,
// interleaved in BENCH_ROUNDS rounds, because the shared machine's speed drifts from minute to minute: each figure is
// the median over the rounds, and a ratio is the median of the ratios within a round. Like `openssl speed`, each signs a 20-byte
// message with one key; a usage TBS (about 300 bytes) adds a few SM3 blocks, well under 1 % of the curve work.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import * as js from "../../service/evidence/sm2.browser";
import * as node from "../../service/evidence/sm2";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CORES = os.cpus().length;
const MESSAGE = new Uint8Array(20).fill(0x61);

type Impl = "native" | "js";
type Op = "sign" | "verify";
type Rates = Record<Op, number>;

interface Job {
  impl: Impl;
  seconds: number;
}

/** Operations per second of `op` for `seconds`: counted in rounds of 16 between clock reads. */
function rate(seconds: number, op: () => void): number {
  op();
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let count = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) op();
    count += 16;
  }
  return count / ((performance.now() - start) / 1000);
}

function measure({ impl, seconds }: Job): Rates {
  const sm2 = impl === "native" ? node : js;
  const keys = sm2.generateSm2KeyPair();
  const signature = sm2.sm2Sign(MESSAGE, keys.privateKey);
  return {
    sign: rate(seconds / 2, () => sm2.sm2Sign(MESSAGE, keys.privateKey)),
    verify: rate(seconds / 2, () => {
      if (!sm2.sm2Verify(MESSAGE, signature, keys.publicKey)) throw new Error(`${impl}: a good signature did not verify`);
    }),
  };
}

/** The same measurement on `threads` worker threads at once; the rates add up. */
async function measureOnThreads(impl: Impl, threads: number): Promise<Rates> {
  const results = await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(__filename, { workerData: { impl, seconds: SECONDS } satisfies Job, execArgv: ["-r", "ts-node/register/transpile-only"] });
      return new Promise<Rates>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
    }),
  );
  return { sign: sum(results.map((r) => r.sign)), verify: sum(results.map((r) => r.verify)) };
}

/**
 * `openssl speed sm2` in machine-readable form: the +F7 line is `+F7:index:bits:curve:sign/s:verify/s` (summed over
 * -multi). `-elapsed` divides by wall-clock time, as the figures measured here do; by default openssl divides by its
 * own CPU time, which on a busy shared machine reports far more than it achieved.
 */
function opensslSpeed(processes: number): Rates {
  const args = ["speed", "-mr", "-elapsed", "-seconds", String(Math.max(1, Math.round(SECONDS / 2))), ...(processes > 1 ? ["-multi", String(processes)] : []), "sm2"];
  const out = execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const line = out.split("\n").filter((l) => l.startsWith("+F7:")).pop();
  if (!line) throw new Error(`openssl ${args.join(" ")} printed no +F7 line`);
  const fields = line.split(":");
  return { sign: Number(fields[4]), verify: Number(fields[5]) };
}

/** "3.0.19" of "OpenSSL 3.0.19 27 Jan 2026 (Library: …)". */
function opensslVersion(): string {
  return execFileSync("openssl", ["version"], { encoding: "utf8" }).split(" ")[1];
}

interface Row {
  name: string;
  threads: number;
  /** One measurement per round; null when the addon is not loaded. */
  rounds: Rates[] | null;
}

async function main(): Promise<void> {
  const hasNative = node.sm2Backend === "native";
  if (!hasNative) console.error("the native addon did not load (or SM2_BACKEND=js): its rows show n/a");
  const openssl = opensslVersion();
  const rows: Row[] = [1, CORES].flatMap((threads) => [
    { name: `openssl speed sm2 (${openssl})`, threads, rounds: [] },
    { name: `native addon (Node's OpenSSL ${process.versions.openssl})`, threads, rounds: hasNative ? [] : null },
    { name: "sm-crypto-v2 (JS backend)", threads, rounds: [] },
  ]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const row of rows) {
      if (!row.rounds) continue;
      const impl: Impl = row.name.startsWith("native") ? "native" : "js";
      if (row.name.startsWith("openssl")) row.rounds.push(opensslSpeed(row.threads));
      else row.rounds.push(row.threads === 1 ? measure({ impl, seconds: SECONDS }) : await measureOnThreads(impl, row.threads));
    }
    console.error(`round ${round + 1} of ${ROUNDS} done`);
  }
  const peerOf = (row: Row) => rows.find((r) => r.threads === row.threads && r.name.startsWith("openssl"));
  const med = (row: Row | undefined, op: Op) => (row?.rounds ? median(row.rounds.map((r) => r[op])) : undefined);
  const ratio = (row: Row | undefined) => (row?.rounds && peerOf(row)?.rounds ? median(row.rounds.map((r, i) => r.verify / peerOf(row)!.rounds![i].verify)) : undefined);
  const table = [["implementation", "threads", "sign/s", "verify/s", "verify vs openssl"]];
  const cell = (x: number | undefined, digits = 0) => (x === undefined ? "n/a" : x.toFixed(digits));
  for (const row of rows) table.push([row.name, String(row.threads), cell(med(row, "sign")), cell(med(row, "verify")), cell(ratio(row), 2)]);
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  console.log(`sm2: medians of ${ROUNDS} interleaved rounds of ${SECONDS} s each, 20-byte message, one key (parsed once), ${CORES} cores, Node ${process.version}`);
  for (const row of table) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
  const find = (prefix: string, threads: number) => rows.find((r) => r.threads === threads && r.name.startsWith(prefix));
  const rounded = (x: number | undefined) => (x === undefined ? null : Math.round(x));
  console.log(
    JSON.stringify({
      bench: "sm2",
      nativeVerify: rounded(med(find("native", 1), "verify")),
      jsVerify: rounded(med(find("sm-crypto", 1), "verify")),
      opensslVerify: rounded(med(find("openssl", 1), "verify")),
      ratio: ratio(find("native", 1)) === undefined ? null : Number(ratio(find("native", 1))!.toFixed(3)),
      nativeSign: rounded(med(find("native", 1), "sign")),
      jsSign: rounded(med(find("sm-crypto", 1), "sign")),
      opensslSign: rounded(med(find("openssl", 1), "sign")),
      nativeVerifyAllCores: rounded(med(find("native", CORES), "verify")),
      opensslVerifyAllCores: rounded(med(find("openssl", CORES), "verify")),
      allCoresRatio: ratio(find("native", CORES)) === undefined ? null : Number(ratio(find("native", CORES))!.toFixed(3)),
      cores: CORES,
    }),
  );
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  parentPort?.postMessage(measure(workerData as Job));
}
