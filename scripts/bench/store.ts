// Benchmark: the stores. 50 concurrent writers accepting records without a seq, beside the same writers bumping one
// shared counter row per transaction (the design before the sequencer), on SQLite and, with MONGODB_URI, MongoDB; on
// SQLite also group commit against one COMMIT per transaction. Then the sequencer's records/s beside the batch tree
// alone, and on a SQLite log of BENCH_RECORDS records (default 1,000,000) sequence + close at 4096 and 65,536 and
// receipt-read latency, each beside a peer. Table on stdout, then one JSON summary line last.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { batchTree } from "../../service/anchoring/batch-tree";
import type { BatchTree, RecordDraft, Store, StoredBatch } from "../../service/store/port";
import { openSqliteStore } from "../../service/store/sqlite";
import { formatTable, quantile, skippedRow, type Row } from "./store-table";
import { ROUND_MS, ROUNDS, WARMUP_TX, WRITER_SCHEMA, WRITERS, writerRows, type Design, type WriterTarget } from "./store-writers";

const GROUP_MAX = 256;
const LOG_RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
/** Records accepted before the sequencer row drains them. */
const WAITING_RECORDS = Number(process.env.BENCH_WAITING ?? 100_000);
const BATCH = 4096;
const BIG_BATCH = 65_536;
const BIG_CLOSES = 3;
const READS = 20_000;
/** Records per page in the paged-read rows. */
const PAGE = 100;

const NO_COUNTER: Design = { name: `${WRITERS} concurrent writers, no shared counter`, counter: false };
const COUNTER: Design = { name: "peer: today's counter design (+ read and bump one counter row)", counter: true };
const SQLITE_DESIGNS: readonly Design[] = [
  { ...NO_COUNTER, name: `${NO_COUNTER.name}, group commit (<= ${GROUP_MAX} per COMMIT)`, maxGroupSize: GROUP_MAX },
  { ...COUNTER, maxGroupSize: GROUP_MAX },
  { ...NO_COUNTER, name: "peer: no shared counter, one COMMIT per transaction", maxGroupSize: 1 },
];

/** Store documents in a temporary directory, one file per round. */
function sqliteTarget(dir: string): WriterTarget {
  return {
    name: "sqlite",
    batchMax: BATCH,
    open: async ({ maxGroupSize }) => {
      const file = path.join(dir, `writers-${randomBytes(4).toString("hex")}.db`);
      const store = await openSqliteStore(file, { schema: WRITER_SCHEMA, maxGroupSize });
      return { store, dispose: async () => [file, `${file}-wal`, `${file}-shm`].forEach((f) => fs.rmSync(f, { force: true })) };
    },
  };
}

/** A database of its own per open(), dropped by dispose(). Loaded only when asked for: mongoose is slow to load. */
async function mongoTarget(uri: string): Promise<WriterTarget> {
  const [{ openMongoStore }, { MONGO_BATCH_MAX }, { default: mongoose }] = await Promise.all([
    import("../../service/store/mongo"),
    import("../../service/store/mongo/limits"),
    import("mongoose"),
  ]);
  return {
    name: "mongo",
    batchMax: Math.min(BATCH, MONGO_BATCH_MAX),
    open: async () => {
      const dbName = `sealproof_bench_${randomBytes(6).toString("hex")}`;
      const store = await openMongoStore(uri, { dbName, schema: WRITER_SCHEMA });
      const dispose = async (): Promise<void> => {
        const connection = await mongoose.createConnection(uri).asPromise();
        try {
          await connection.useDb(dbName).dropDatabase();
        } finally {
          await connection.close();
        }
      };
      return { store, dispose };
    },
  };
}

type LogStore = Pick<Store, "records" | "batches">;

/** The `at` of the n-th usage accepted: a second apart, so pages by time start anywhere in the log. */
const usageAt = (n: number): string => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();

/** `count` seal.used records accepted `chunk` per transaction, each with a fresh receipt id (remembered in `receipts`). */
async function acceptUsages(store: LogStore, count: number, chunk: number, receipts: string[]): Promise<void> {
  for (let done = 0; done < count; done += chunk) {
    const drafts: RecordDraft[] = Array.from({ length: Math.min(chunk, count - done) }, () => {
      const receipt = randomBytes(16).toString("base64url");
      const at = usageAt(receipts.length);
      receipts.push(receipt);
      return { type: "seal.used", at, company: "c_bench", subject: "s_bench", actor: "m_bench", data: { receipt, documentHash: randomBytes(32).toString("hex"), scenario: "CONTRACT" } };
    });
    await store.records.append(drafts);
  }
}

interface SequenceStep {
  batch: StoredBatch | null;
  ms: number;
  treeMs: number;
}

/** One sequencer step, timed whole and its tree timed alone inside it. */
async function sequenceTimed(store: LogStore, max: number): Promise<SequenceStep> {
  let treeMs = 0;
  const tree: BatchTree = (texts, leaves) => {
    const began = performance.now();
    const built = batchTree(texts, leaves);
    treeMs += performance.now() - began;
    return built;
  };
  const began = performance.now();
  const batch = await store.batches.sequence(max, new Date(), tree);
  return { batch, ms: performance.now() - began, treeMs };
}

/** Accepts `count` records, sequences them in one step, checks the step took them all; resolves with its time. */
async function acceptAndSequence(store: LogStore, count: number, receipts: string[]): Promise<number> {
  await acceptUsages(store, count, BATCH, receipts);
  const { batch, ms } = await sequenceTimed(store, count);
  if (batch?.count !== count) throw new Error(`sequence(${count}) took ${batch?.count ?? 0} records`);
  return ms;
}

function rateRow(name: string, records: number, stepMs: readonly number[]): Row {
  const total = stepMs.reduce((a, b) => a + b, 0);
  const sorted = [...stepMs].sort((a, b) => a - b);
  return { name: `${name}, n=${stepMs.length}`, rate: (records * 1000) / total, unit: "records/s", p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
}

/**
 * The sequencer draining a backlog: `count` records accepted untimed, then sequence(max) until none wait; beside it
 * the tree alone over the same final texts, and the difference (the store's share: reading, numbering, writing).
 */
async function sequencerRows(name: string, store: LogStore, max: number, count: number, receipts: string[]): Promise<Row[]> {
  process.stderr.write(`${name} sequencer: accepting ${count} records\n`);
  await acceptUsages(store, count, max, receipts);
  const firstSeq = await store.records.count();
  process.stderr.write(`${name} sequencer: sequencing ${count} records from seq ${firstSeq}\n`);
  const steps: SequenceStep[] = [];
  for (let step = await sequenceTimed(store, max); step.batch !== null; step = await sequenceTimed(store, max)) steps.push(step);
  const sequenced = steps.reduce((total, step) => total + (step.batch?.count ?? 0), 0);
  if (sequenced !== count || (await store.records.count()) !== firstSeq + count) throw new Error(`${name}: ${count} accepted, ${sequenced} sequenced`);
  const treeAlone: number[] = [];
  for (let seq = firstSeq; seq < firstSeq + count; seq += max) {
    const texts = await store.batches.recordTexts(seq, Math.min(max, firstSeq + count - seq));
    const began = performance.now();
    batchTree(texts);
    treeAlone.push(performance.now() - began);
  }
  return [
    rateRow(`${name}: sequencer, ${count} waiting, sequence(${max}) until none wait`, count, steps.map((step) => step.ms)),
    rateRow(`${name}: peer: batchTree alone over the same texts`, count, treeAlone),
    rateRow(`${name}: the store's share (sequencer minus its tree)`, count, steps.map((step) => step.ms - step.treeMs)),
  ];
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

interface LogRows {
  close4096: Row;
  close65536: Row;
  sequencer: Row[];
  reads: Row[];
  records: number;
}

async function sqliteLogRows(dir: string): Promise<LogRows> {
  const store = await openSqliteStore(path.join(dir, "batch-log.db"));
  try {
    const receipts: string[] = [];
    const closes: number[] = [];
    while (receipts.length + BATCH <= LOG_RECORDS) {
      if (closes.length % 32 === 0) process.stderr.write(`batch log: ${receipts.length} records, ${closes.length} batches\n`);
      closes.push(await acceptAndSequence(store, BATCH, receipts));
    }
    const bigCloses: number[] = [];
    for (let i = 0; i < BIG_CLOSES; i++) {
      process.stderr.write(`batch log: sequencing ${BIG_BATCH} records (${i + 1}/${BIG_CLOSES})\n`);
      bigCloses.push(await acceptAndSequence(store, BIG_BATCH, receipts));
    }
    const sequencer = await sequencerRows("sqlite", store, BATCH, WAITING_RECORDS, receipts);
    const seq = await store.records.count();
    process.stderr.write(`batch log: ${seq} records; reading\n`);
    const pick = (): string => receipts[Math.floor(Math.random() * receipts.length)];
    const receiptRead = await readRow(`sqlite: receipt read at ${seq} records: getByReceipt + forSeq + proof`, async () => {
      const logged = await store.records.getByReceipt(pick());
      const at = logged?.record.seq;
      if (at === undefined || at === null) throw new Error("a stored receipt was not found sequenced");
      const [batch, proof] = [await store.batches.forSeq(at), await store.batches.proof(at)];
      if (batch === null || proof === null) throw new Error(`seq ${at} has no batch or proof`);
    });
    const getRead = await readRow("sqlite: peer: records.get by seq alone", async () => {
      if ((await store.records.get(Math.floor(Math.random() * seq))) === null) throw new Error("a stored record was not found");
    });
    const pageByTime = await readRow(`sqlite: records.page of ${PAGE} by company and time from a random at`, async () => {
      const page = await store.records.page({ company: "c_bench", from: usageAt(Math.floor(Math.random() * (seq - PAGE))) }, { limit: PAGE });
      if (page.items.length !== PAGE) throw new Error("a page came back short");
    });
    const listBySeq = await readRow(`sqlite: peer: records.list of ${PAGE} by company from a random seq`, async () => {
      if ((await store.records.list({ company: "c_bench", fromSeq: Math.floor(Math.random() * (seq - PAGE)), limit: PAGE })).length !== PAGE) throw new Error("a list came back short");
    });
    return {
      close4096: rateRow(`sqlite: sequence + close ${BATCH} as accepted, tree included`, closes.length * BATCH, closes),
      close65536: rateRow(`sqlite: sequence + close ${BIG_BATCH} as accepted, tree included`, BIG_CLOSES * BIG_BATCH, bigCloses),
      sequencer,
      reads: [receiptRead, getRead, pageByTime, listBySeq],
      records: seq,
    };
  } finally {
    await store.close();
  }
}

interface MongoRows {
  writers: Row[];
  sequencer: Row[];
}

async function mongoRows(uri: string): Promise<MongoRows> {
  const target = await mongoTarget(uri);
  const writers = await writerRows(target, [NO_COUNTER, COUNTER]);
  const { store, dispose } = await target.open({});
  try {
    return { writers, sequencer: await sequencerRows("mongo", store, target.batchMax, WAITING_RECORDS, []) };
  } finally {
    await store.close();
    await dispose();
  }
}

function method(dir: string, mongo: boolean): string[] {
  return [
    `SQLite: WAL, fdatasync of the WAL before each acknowledgement; files in ${dir}. MongoDB: ${mongo ? "a database of its own per run, dropped after" : "not run (MONGODB_URI not set)"}`,
    `writers: ${WRITERS} concurrent writers, a transaction = 1 member insert + 1 record accepted (no seq); the counter design also reads and bumps one counter document in every transaction, as each appending transaction took the next seq before the sequencer; median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms, each on a fresh store after ${WARMUP_TX} warm-up transactions, then every record sequenced and counted; p50/p99 per transaction`,
    "shared-row tx: committed transactions that wrote a row every other one writes too; re-runs and re-run ms: attempts the store ran again after a conflict and the time they took, summed over the rounds",
    "SQLite has one writer: transactions run one at a time in either design, so the counter costs little there and nothing waits on it but the queue every write waits on; the column shows what MongoDB would serialize on, where the counter document makes every write conflict with every other until it commits",
    `sequencer: records accepted untimed, then sequence(${BATCH}, or the MongoDB cap) until none wait; its tree timed inside it, and the tree alone over the same texts as the peer; p50/p99 per step`,
    `log: seal.used records with random receipt ids accepted ${BATCH} at a time and sequenced after each ${BATCH}, then ${BIG_CLOSES} x ${BIG_BATCH}; p50/p99 per sequence step, per read`,
  ];
}

async function main(): Promise<void> {
  // Set BENCH_DIR to measure on the disk the data will live on: fsync cost is the whole story here.
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), "sealproof-bench-"));
  const mongoUri = process.env.MONGODB_URI;
  let sqliteWriters: Row[];
  let log: LogRows;
  let mongo: MongoRows | null = null;
  try {
    // MongoDB first: a server that cannot be reached fails the run before the long SQLite log is built.
    if (mongoUri) mongo = await mongoRows(mongoUri);
    sqliteWriters = await writerRows(sqliteTarget(dir), SQLITE_DESIGNS);
    log = await sqliteLogRows(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const rows = [
    ...sqliteWriters,
    ...(mongo?.writers ?? [skippedRow("mongo: writers", "MONGODB_URI not set")]),
    ...log.sequencer,
    ...(mongo?.sequencer ?? [skippedRow("mongo: sequencer", "MONGODB_URI not set")]),
    log.close4096,
    log.close65536,
    ...log.reads,
  ];
  process.stdout.write(`${formatTable(rows, method(dir, mongo !== null))}\n`);
  const [grouped, counter, single] = sqliteWriters;
  const [receiptRead] = log.reads;
  const round = (value: number, places = 0): number => Math.round(value * 10 ** places) / 10 ** places;
  const summary = {
    bench: "store",
    writers: WRITERS,
    txPerSecond: round(grouped.rate),
    counterTxPerSecond: round(counter.rate),
    sharedRowTx: grouped.sharing?.sharedRowTx,
    counterSharedRowTx: counter.sharing?.sharedRowTx,
    singleTxPerSecond: round(single.rate),
    groupCommitSpeedup: round(grouped.rate / single.rate, 2),
    sequencerRecordsPerSecond: round(log.sequencer[0].rate),
    treeRecordsPerSecond: round(log.sequencer[1].rate),
    records: log.records,
    close4096RecordsPerSecond: round(log.close4096.rate),
    close65536RecordsPerSecond: round(log.close65536.rate),
    receiptReadP50Ms: round(receiptRead.p50Ms, 3),
    receiptReadP99Ms: round(receiptRead.p99Ms, 3),
    mongo:
      mongo === null
        ? null
        : {
            txPerSecond: round(mongo.writers[0].rate),
            counterTxPerSecond: round(mongo.writers[1].rate),
            reruns: mongo.writers[0].sharing?.reruns,
            counterReruns: mongo.writers[1].sharing?.reruns,
            sequencerRecordsPerSecond: round(mongo.sequencer[0].rate),
          },
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
