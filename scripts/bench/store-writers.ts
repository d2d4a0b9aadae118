// bench:store's concurrent writers: domain-shaped transactions accepted without a seq, against the same writers when
// each transaction also reads and bumps one shared counter row, as every appending transaction did before the sequencer.
import { performance } from "node:perf_hooks";
import { batchTree } from "../../service/anchoring/batch-tree";
import { DOMAIN_SCHEMA } from "../../service/domain/schema";
import type { Store } from "../../service/store/port";
import { kind, type Owned } from "../../service/store/schema";
import { median, quantile, type Row, type Sharing } from "./store-table";

export const WRITERS = 50;
export const ROUND_MS = 2_000;
export const ROUNDS = 3;
export const WARMUP_TX = 200;

/** The one row every transaction of the counter design reads and bumps: the next seq, as the log's head used to be. */
interface Counter extends Owned {
  next: number;
}

const COUNTER = "seq";
const COMPANY = "c_bench";

/** The domain's kinds plus the bench's counter: a test-only kind, written through the same Store transactions. */
export const WRITER_SCHEMA = { ...DOMAIN_SCHEMA, benchCounters: kind<Counter>({ label: "bench counter" }) };
export type WriterSchema = typeof WRITER_SCHEMA;

/** A store to run writers against; each open() gives a fresh, empty one, and dispose() removes it once closed. */
export interface WriterTarget {
  readonly name: string;
  /** Most records one sequencer step may take on this store. */
  readonly batchMax: number;
  open(options: { maxGroupSize?: number }): Promise<{ store: Store<WriterSchema>; dispose: () => Promise<void> }>;
}

export interface Design {
  readonly name: string;
  /** Every transaction reads and bumps the shared counter row before it writes. */
  readonly counter: boolean;
  /** SQLite: most transactions per COMMIT (1 turns group commit off); the store's default when absent. */
  readonly maxGroupSize?: number;
}

interface Round {
  readonly txPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly sharing: Sharing;
  readonly failed: number;
}

class SharingTally {
  sharedRowTx = 0;
  reruns = 0;
  rerunMs = 0;
}

/** A member written and its record accepted; in the counter design, the counter row read and bumped first. */
async function oneTransaction(store: Store<WriterSchema>, design: Design, n: number, tally: SharingTally): Promise<void> {
  let attempts = 0;
  let firstAttemptAt = 0;
  let lastAttemptAt = 0;
  await store.transaction(async (tx) => {
    lastAttemptAt = performance.now();
    if (attempts++ === 0) firstAttemptAt = lastAttemptAt;
    let seq: number | null = null;
    if (design.counter) {
      const counter = await tx.benchCounters.get(COUNTER);
      if (counter === null) throw new Error("the counter row is missing");
      await tx.benchCounters.update({ ...counter, next: counter.next + 1 });
      seq = counter.next;
    }
    const at = "2026-01-01T00:00:00.000Z";
    await tx.members.insert({ id: `m_${n}`, company: COMPANY, name: "Bench", roles: ["employee"], department: null, active: true, createdAt: at });
    await tx.records.append([{ type: "member.added", at, company: COMPANY, subject: `m_${n}`, actor: "m_admin", data: seq === null ? { n } : { n, seq } }]);
  });
  tally.reruns += attempts - 1;
  tally.rerunMs += lastAttemptAt - firstAttemptAt;
  if (design.counter) tally.sharedRowTx++;
}

/**
 * After a round: the sequencer numbers every record the round's commits accepted, once and contiguously, and the
 * counter (when used) was bumped once per commit. A bench that lost or doubled a write would report a false rate.
 */
async function checkRound(store: Store<WriterSchema>, target: WriterTarget, design: Design, committed: number): Promise<void> {
  while ((await store.batches.sequence(target.batchMax, new Date(), batchTree)) !== null);
  const [count, waiting, counter] = [await store.records.count(), await store.records.waiting(), await store.benchCounters.get(COUNTER)];
  if (count !== committed || waiting.count !== 0) throw new Error(`${design.name}: ${committed} commits, ${count} records sequenced, ${waiting.count} waiting`);
  if (design.counter && counter?.next !== committed) throw new Error(`${design.name}: ${committed} commits, counter at ${counter?.next}`);
}

async function runRound(target: WriterTarget, design: Design): Promise<Round> {
  const { store, dispose } = await target.open({ maxGroupSize: design.maxGroupSize });
  try {
    await store.benchCounters.insert({ id: COUNTER, company: COMPANY, next: 0 });
    let n = 0;
    const warmup = new SharingTally();
    for (let i = 0; i < WARMUP_TX; i++) await oneTransaction(store, design, n++, warmup);
    const tally = new SharingTally();
    const latencies: number[] = [];
    let failed = 0;
    const start = performance.now();
    const deadline = start + ROUND_MS;
    const writer = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const began = performance.now();
        try {
          await oneTransaction(store, design, n++, tally);
          latencies.push(performance.now() - began);
        } catch (err) {
          // A transaction the store gave up on (MongoDB's retry budget) committed nothing: counted, not timed.
          if (++failed === 1) process.stderr.write(`${target.name}, ${design.name}: a transaction failed: ${String(err)}\n`);
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, writer));
    const elapsed = performance.now() - start;
    await checkRound(store, target, design, WARMUP_TX + latencies.length);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      txPerSecond: (latencies.length / elapsed) * 1000,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      sharing: { sharedRowTx: tally.sharedRowTx, reruns: tally.reruns, rerunMs: tally.rerunMs },
      failed,
    };
  } finally {
    await store.close();
    await dispose();
  }
}

/** One row per design: the median of ROUNDS rounds run alternately on fresh stores; sharing summed over the rounds. */
export async function writerRows(target: WriterTarget, designs: readonly Design[]): Promise<Row[]> {
  const results = new Map<Design, Round[]>(designs.map((design) => [design, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const design of designs) {
      process.stderr.write(`${target.name} writers, round ${round + 1}/${ROUNDS}: ${design.name}\n`);
      results.get(design)?.push(await runRound(target, design));
    }
  }
  return designs.map((design) => {
    const rounds = results.get(design) ?? [];
    const sum = (of: (round: Round) => number): number => rounds.reduce((total, round) => total + of(round), 0);
    const failed = sum((round) => round.failed);
    return {
      name: `${target.name}: ${design.name}${failed > 0 ? `, ${failed} failed` : ""}`,
      rate: median(rounds.map((r) => r.txPerSecond)),
      unit: "tx/s",
      p50Ms: median(rounds.map((r) => r.p50Ms)),
      p99Ms: median(rounds.map((r) => r.p99Ms)),
      sharing: { sharedRowTx: sum((r) => r.sharing.sharedRowTx), reruns: sum((r) => r.sharing.reruns), rerunMs: sum((r) => r.sharing.rerunMs) },
    };
  });
}
