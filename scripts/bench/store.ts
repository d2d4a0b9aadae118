// Benchmark: SQLite store transactions per second with group commit against one COMMIT (one fsync) per
// transaction, 50 concurrent appenders. Table on stdout, then one JSON summary line last.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Store } from "../../service/store/port";
import { openSqliteStore } from "../../service/store/sqlite";

const APPENDERS = 50;
const ROUND_MS = 2_000;
const ROUNDS = 3;
const WARMUP_TX = 200;
const GROUP_MAX = 256;

interface Mode {
  readonly name: string;
  readonly maxGroupSize: number;
}

const MODES: readonly Mode[] = [
  { name: `group commit (<= ${GROUP_MAX} per COMMIT)`, maxGroupSize: GROUP_MAX },
  { name: "one COMMIT per transaction", maxGroupSize: 1 },
];

interface Round {
  readonly txPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One domain-shaped transaction: a document written and its evidence record appended. */
async function oneTransaction(store: Store, n: number): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.members.insert({ id: `m_${n}`, company: "c_bench", name: "Bench", roles: ["employee"], department: null, active: true, createdAt: "2026-01-01T00:00:00.000Z" });
    await tx.records.append([{ type: "member.added", at: "2026-01-01T00:00:00.000Z", company: "c_bench", subject: `m_${n}`, actor: "m_admin", data: { n } }]);
  });
}

async function runRound(dir: string, mode: Mode): Promise<Round> {
  const store = await openSqliteStore(path.join(dir, `${mode.maxGroupSize}-${Date.now()}.db`), { maxGroupSize: mode.maxGroupSize });
  let n = 0;
  for (let i = 0; i < WARMUP_TX; i++) await oneTransaction(store, n++);
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + ROUND_MS;
  const appender = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const began = performance.now();
      await oneTransaction(store, n++);
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: APPENDERS }, appender));
  const elapsed = performance.now() - start;
  await store.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { txPerSecond: (latencies.length / elapsed) * 1000, p50Ms: at(0.5), p99Ms: at(0.99) };
}

function median(rounds: readonly Round[], pick: (r: Round) => number): number {
  const values = rounds.map(pick).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

function formatTable(results: ReadonlyMap<Mode, Round[]>, dir: string): string {
  const header = ["mode", "tx/s", "p50 ms", "p99 ms"];
  const body = MODES.map((mode) => {
    const rounds = results.get(mode) ?? [];
    return [mode.name, median(rounds, (r) => r.txPerSecond).toFixed(0), median(rounds, (r) => r.p50Ms).toFixed(2), median(rounds, (r) => r.p99Ms).toFixed(2)];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((line) => line[c].length)));
  const format = (line: readonly string[]): string => line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const method = `${APPENDERS} concurrent appenders; a transaction = 1 document insert + 1 record; synchronous=FULL, WAL; files in ${dir}`;
  const rounds = `median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms, each on a fresh file after ${WARMUP_TX} warm-up transactions`;
  return [method, rounds, format(header), rule, ...body.map(format)].join("\n");
}

async function main(): Promise<void> {
  // Set BENCH_DIR to measure on the disk the data will live on: fsync cost is the whole story here.
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), "sealproof-bench-"));
  const results = new Map<Mode, Round[]>(MODES.map((mode) => [mode, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        process.stderr.write(`round ${round + 1}/${ROUNDS}: ${mode.name}\n`);
        results.get(mode)?.push(await runRound(dir, mode));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${formatTable(results, dir)}\n`);
  const [grouped, single] = MODES.map((mode) => median(results.get(mode) ?? [], (r) => r.txPerSecond));
  process.stdout.write(`${JSON.stringify({ bench: "store", appenders: APPENDERS, groupTxPerSecond: Math.round(grouped), singleTxPerSecond: Math.round(single), speedup: Math.round((grouped / single) * 100) / 100 })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
