// Benchmark: the SQLite store. Transactions per second with group commit against one COMMIT (one fsync) per
// transaction, 50 concurrent appenders; then the batch log on a file of BENCH_RECORDS records (default 1,000,000):
// batch close rate at 4096 and 65,536 records and receipt-read latency, each beside a peer. Table on stdout, then
// one JSON summary line last.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { buildTree, HASH_SIZE, inclusionProof, receiptProof, rootOf, sm3, toHex, utf8, type MerkleTree } from "../../service/evidence";
import type { RecordDraft, Store, StoredProof } from "../../service/store/port";
import { DOMAIN_SCHEMA, type DomainSchema } from "../../service/domain/schema";
import { openSqliteStore } from "../../service/store/sqlite";
import { encodeProof } from "../../service/store/batches";

const APPENDERS = 50;
const ROUND_MS = 2_000;
const ROUNDS = 3;
const WARMUP_TX = 200;
const GROUP_MAX = 256;

const LOG_RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const BATCH = 4096;
const BIG_BATCH = 65_536;
const BIG_CLOSES = 3;
/** Every this many 4096-batches takes its proofs from receiptProof() (the batcher's path) instead of flat hex. */
const RECEIPT_PROOF_EVERY = 16;
const READS = 20_000;
/** Records per page in the paged-read rows. */
const PAGE = 100;

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

interface Row {
  readonly name: string;
  readonly rate: number;
  readonly unit: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One domain-shaped transaction: a document written and its evidence record appended. */
async function oneTransaction(store: Store<DomainSchema>, n: number): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.members.insert({ id: `m_${n}`, company: "c_bench", name: "Bench", roles: ["employee"], department: null, active: true, createdAt: "2026-01-01T00:00:00.000Z" });
    await tx.records.append([{ type: "member.added", at: "2026-01-01T00:00:00.000Z", company: "c_bench", subject: `m_${n}`, actor: "m_admin", data: { n } }]);
  });
}

async function runRound(dir: string, mode: Mode): Promise<Round> {
  const store = await openSqliteStore(path.join(dir, `${mode.maxGroupSize}-${Date.now()}.db`), { schema: DOMAIN_SCHEMA, maxGroupSize: mode.maxGroupSize });
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
  const sorted = [...latencies].sort((a, b) => a - b);
  return { txPerSecond: (latencies.length / elapsed) * 1000, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
}

async function groupCommitRows(dir: string): Promise<Row[]> {
  const results = new Map<Mode, Round[]>(MODES.map((mode) => [mode, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      process.stderr.write(`round ${round + 1}/${ROUNDS}: ${mode.name}\n`);
      results.get(mode)?.push(await runRound(dir, mode));
    }
  }
  return MODES.map((mode) => {
    const rounds = results.get(mode) ?? [];
    return { name: mode.name, rate: median(rounds.map((r) => r.txPerSecond)), unit: "tx/s", p50Ms: median(rounds.map((r) => r.p50Ms)), p99Ms: median(rounds.map((r) => r.p99Ms)) };
  });
}

/** `count` seal.used records in one transaction, each with a fresh receipt id (remembered in `receipts`). */
/** The `at` of the n-th usage appended: a second apart, so pages by time start anywhere in the log. */
const usageAt = (n: number): string => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();

async function appendUsages(store: Store, count: number, receipts: string[]): Promise<void> {
  const drafts: RecordDraft[] = Array.from({ length: count }, () => {
    const receipt = randomBytes(16).toString("base64url");
    const at = usageAt(receipts.length);
    receipts.push(receipt);
    return { type: "seal.used", at, company: "c_bench", subject: "s_bench", actor: "m_bench", data: { receipt, documentHash: randomBytes(32).toString("hex"), scenario: "CONTRACT" } };
  });
  await store.records.append(drafts);
}

/** Proof hex as Buffer#toString makes it: flat strings, the store's own cost alone. */
function flatProofs(tree: MerkleTree): StoredProof[] {
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
  return Array.from({ length: tree.size }, (_, i) => ({ leaf: hex(tree.levels[0].subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)), path: inclusionProof(tree, i).map(hex) }));
}

/** Proof hex as the batcher makes it today, through the evidence core's receiptProof() and toHex(). */
function receiptProofs(tree: MerkleTree): StoredProof[] {
  return Array.from({ length: tree.size }, (_, i) => {
    const { leaf, path } = receiptProof(tree, i);
    return { leaf, path };
  });
}

/** Builds the batch's tree and proofs untimed, then times batches.close alone. */
async function closeTimed(store: Store, id: number, firstSeq: number, count: number, proofsOf: (tree: MerkleTree) => StoredProof[]): Promise<number> {
  const tree = buildTree(sm3, (await store.batches.recordTexts(firstSeq, count)).map(utf8));
  const bytes = proofsOf(tree).map(encodeProof);
  const began = performance.now();
  await store.batches.close({ id, firstSeq, count, root: toHex(rootOf(tree)), closedAt: new Date().toISOString() }, bytes);
  return performance.now() - began;
}

function closeRow(name: string, count: number, closeMs: number[]): Row {
  const total = closeMs.reduce((a, b) => a + b, 0);
  const sorted = [...closeMs].sort((a, b) => a - b);
  return { name: `${name}, n=${closeMs.length}`, rate: (closeMs.length * count * 1000) / total, unit: "records/s", p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
}

async function readRow(name: string, read: () => Promise<void>): Promise<Row> {
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < READS; i++) {
    const began = performance.now();
    await read();
    latencies.push(performance.now() - began);
  }
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { name: `${name}, n=${READS}`, rate: (READS * 1000) / elapsed, unit: "reads/s", p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
}

async function batchLogRows(dir: string): Promise<{ rows: Row[]; records: number }> {
  const store = await openSqliteStore(path.join(dir, "batch-log.db"));
  try {
    const receipts: string[] = [];
    const flatCloses: number[] = [];
    const receiptProofCloses: number[] = [];
    let id = 0;
    let seq = 0;
    while (seq + BATCH <= LOG_RECORDS) {
      if (id % 32 === 0) process.stderr.write(`batch log: ${seq} records, ${id} batches\n`);
      await appendUsages(store, BATCH, receipts);
      const viaReceiptProof = id % RECEIPT_PROOF_EVERY === RECEIPT_PROOF_EVERY - 1;
      const ms = await closeTimed(store, id, seq, BATCH, viaReceiptProof ? receiptProofs : flatProofs);
      (viaReceiptProof ? receiptProofCloses : flatCloses).push(ms);
      id++;
      seq += BATCH;
    }
    const bigCloses: number[] = [];
    for (let i = 0; i < BIG_CLOSES; i++) {
      process.stderr.write(`batch log: closing ${BIG_BATCH} records (${i + 1}/${BIG_CLOSES})\n`);
      await appendUsages(store, BIG_BATCH, receipts);
      bigCloses.push(await closeTimed(store, id++, seq, BIG_BATCH, flatProofs));
      seq += BIG_BATCH;
    }
    process.stderr.write(`batch log: ${seq} records, ${id} batches; reading\n`);
    const pick = (): string => receipts[Math.floor(Math.random() * receipts.length)];
    const receiptRead = await readRow(`receipt read at ${seq} records: getByReceipt + forSeq + proof`, async () => {
      const record = await store.records.getByReceipt(pick());
      if (record === null) throw new Error("a stored receipt was not found");
      const [batch, proof] = [await store.batches.forSeq(record.seq), await store.batches.proof(record.seq)];
      if (batch === null || proof === null) throw new Error(`seq ${record.seq} has no batch or proof`);
    });
    const getRead = await readRow("peer: records.get by seq alone", async () => {
      if ((await store.records.get(Math.floor(Math.random() * seq))) === null) throw new Error("a stored record was not found");
    });
    const pageByTime = await readRow(`records.page of ${PAGE} by company and time from a random at`, async () => {
      const page = await store.records.page({ company: "c_bench", from: usageAt(Math.floor(Math.random() * (seq - PAGE))) }, { limit: PAGE });
      if (page.items.length !== PAGE) throw new Error("a page came back short");
    });
    const listBySeq = await readRow(`peer: records.list of ${PAGE} by company from a random seq`, async () => {
      if ((await store.records.list({ company: "c_bench", fromSeq: Math.floor(Math.random() * (seq - PAGE)), limit: PAGE })).length !== PAGE) throw new Error("a list came back short");
    });
    const rows = [
      closeRow(`batches.close ${BATCH}, flat hex proofs`, BATCH, flatCloses),
      closeRow(`peer: batches.close ${BATCH}, receiptProof() hex`, BATCH, receiptProofCloses),
      closeRow(`batches.close ${BIG_BATCH}, flat hex proofs`, BIG_BATCH, bigCloses),
      receiptRead,
      getRead,
      pageByTime,
      listBySeq,
    ];
    return { rows, records: seq };
  } finally {
    await store.close();
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

function formatTable(rows: readonly Row[], dir: string): string {
  const header = ["case", "rate", "unit", "p50 ms", "p99 ms"];
  const body = rows.map((row) => [row.name, row.rate.toFixed(0), row.unit, row.p50Ms.toFixed(2), row.p99Ms.toFixed(2)]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((line) => line[c].length)));
  const format = (line: readonly string[]): string => line.map((cell, c) => (c === 0 || c === 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const method = [
    `WAL, fdatasync of the WAL before each acknowledgement; files in ${dir}`,
    `transactions: ${APPENDERS} concurrent appenders, a transaction = 1 document insert + 1 record; median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms, each on a fresh file after ${WARMUP_TX} warm-up transactions; p50/p99 per transaction`,
    `batch log: seal.used records with random receipt ids appended and closed ${BATCH} at a time, then ${BIG_CLOSES} x ${BIG_BATCH}; trees built untimed, batches.close timed alone; p50/p99 per close, per read`,
  ];
  return [...method, format(header), rule, ...body.map(format)].join("\n");
}

async function main(): Promise<void> {
  // Set BENCH_DIR to measure on the disk the data will live on: fsync cost is the whole story here.
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), "sealproof-bench-"));
  let rows: Row[];
  let records: number;
  try {
    const transactions = await groupCommitRows(dir);
    const batchLog = await batchLogRows(dir);
    rows = [...transactions, ...batchLog.rows];
    records = batchLog.records;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${formatTable(rows, dir)}\n`);
  const [grouped, single, close4096, , close65536, receiptRead] = rows;
  const round = (value: number, places = 0): number => Math.round(value * 10 ** places) / 10 ** places;
  const summary = {
    bench: "store",
    appenders: APPENDERS,
    groupTxPerSecond: round(grouped.rate),
    singleTxPerSecond: round(single.rate),
    speedup: round(grouped.rate / single.rate, 2),
    records,
    close4096RecordsPerSecond: round(close4096.rate),
    close65536RecordsPerSecond: round(close65536.rate),
    receiptReadP50Ms: round(receiptRead.p50Ms, 3),
    receiptReadP99Ms: round(receiptRead.p99Ms, 3),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
