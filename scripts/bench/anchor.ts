// Benchmark: records per second from stored to anchored and gas per anchor at batch sizes 256, 4,096 and 65,536,
// acceptance-to-anchor latency under a steady load, and receipt reads over HTTP at 1M records, on real SQLite and a
// real anvil node. The peer is the SM3 tree alone over one batch. Progress on stderr; a table, then one JSON line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes, randomInt } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance, PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import bs58 from "bs58";
import { JsonRpcProvider, Wallet } from "ethers";
import { Batcher } from "../../service/anchoring/batcher";
import { ALERT_SCHEMA, type AlertSchema } from "../../service/alerts/schema";
import { receiptFor } from "../../service/anchoring/receipts";
import { readReceipts, type TimedRead } from "./receipt-reads";
import { connectAnchorClient, type AnchorClient } from "../../service/chain/anchor-client";
import { deploySealAnchor } from "../../service/chain/deploy";
import { DEV_ANCHORER_KEY, startDevChain } from "../../service/chain/dev-chain";
import type { DomainContext } from "../../service/domain/context";
import type { DeviceContext } from "../../service/devices/context";
import { newId } from "../../service/domain/ids";
import { formatRegistryCheck, randomCreditCode } from "../../service/domain/registry-check";
import { buildTree, generateSm2KeyPair, sm3, utf8 } from "../../service/evidence";
import { createApp } from "../../service/http/app";
import { createHttpServer } from "../../service/http/server";
import { openStore } from "../../service/store/open";
import { SERVICE_SCHEMA } from "../../service/schema";
import type { RecordDraft, Store } from "../../service/store/port";
import { createSm2Pool } from "../../service/workers/sm2-pool";

/** Fresh stores, pre-filled with exactly (batches + 1) full batches; the first batch is an untimed warm-up. */
const FRESH_RUNS = [
  { batchMax: 256, batches: 100 },
  { batchMax: 65_536, batches: 4 },
] as const;
/** The 4,096 row is the build of the reads store: 245 full batches, 1,003,520 records. */
const SCALE_BATCH = 4_096;
const SCALE_BATCHES = Number(process.env.BENCH_SCALE_BATCHES ?? 244);
const READS = 5_000;
const WARMUP_READS = 500;
const LATENCY_INTERVAL_MS = 1_000;
const LATENCY_RUN_MS = 10_000;
const LATENCY_RATE = 500;
const LATENCY_TICK_MS = 10;
const TREE_ROUNDS = 10;
const FILL_CHUNK = 8_192;
const CONFIRMATIONS = 1;
const LEASE_TTL_MS = 60_000;
/** Large enough that only full batches close while records are pre-filled. */
const FULL_BATCHES_ONLY_MS = 3_600_000;
// The service's own rule (service/main.ts): poll at most every 250 ms, sooner for shorter intervals.
const pollMsFor = (intervalMs: number): number => Math.min(250, intervalMs);
const OPERATOR_TOKEN = "op_bench_token";

const GOALS = { gasPerAnchor: 80_000, recordsPerSec: 50_000, receiptP99Ms: 5, anchorP95Ms: LATENCY_INTERVAL_MS + 2_000 };

/** Who the synthetic `seal.used` records name. */
interface Issuer {
  company: string;
  seal: string;
  member: string;
}

interface Chain {
  rpcUrl: string;
  provider: JsonRpcProvider;
  deployer: Wallet;
}

/** Wall time during which at least one watched call is in flight: overlapping calls count once. */
class Stopwatch {
  ms = 0;
  private inFlight = 0;
  private since = 0;

  enter(): void {
    if (this.inFlight++ === 0) this.since = performance.now();
  }

  leave(): void {
    if (--this.inFlight === 0) this.ms += performance.now() - this.since;
  }
}

interface AnchorRun {
  label: string;
  batchMax: number;
  records: number;
  batches: number;
  seconds: number;
  /** Per timed batch, wall time with a chain call in flight, with a store call in flight, and with neither (tree, proofs). */
  chainMs: number;
  storeMs: number;
  otherMs: number;
  maxGas: number;
  /** The peer: building the SM3 tree alone over batch 0's stored texts, best of TREE_ROUNDS. */
  treeMs: number;
}

interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Garbage-collection pauses seen during the HTTP reads, and how many of the slowest reads overlapped one. */
interface GcDuringReads {
  pauses: number;
  meanMs: number;
  maxMs: number;
  slowReads: number;
  slowReadsInGc: number;
}

interface Results {
  runs: AnchorRun[];
  latency: Percentiles;
  http: Percentiles;
  httpGc: GcDuringReads;
  storeRead: Percentiles;
  storedRecords: number;
}

function progress(message: string): void {
  process.stderr.write(`[bench:anchor] ${message}\n`);
}

/** `target`, each of whose method calls is timed by every watch in `watches` (every Store and AnchorClient method is async). */
function timed<T extends object>(target: T, watches: readonly Stopwatch[]): T {
  return new Proxy(target, {
    get(obj, key) {
      const value: unknown = Reflect.get(obj, key);
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      return async (...args: unknown[]) => {
        for (const watch of watches) watch.enter();
        try {
          return await method.apply(obj, args);
        } finally {
          for (const watch of watches) watch.leave();
        }
      };
    },
  });
}

// Shaped like submitUsage's record: a base58 receipt id of 16 random bytes (as newReceiptId makes them), an SM3
// document hash and a 64-byte SM2 signature. `random` holds RANDOM_BYTES bytes for this record.
const RANDOM_BYTES = 16 + 32 + 64;

function usageDraft(issuer: Issuer, random: Buffer, at: string): RecordDraft {
  const data = {
    receipt: bs58.encode(random.subarray(0, 16)),
    signedAt: at,
    documentHash: random.toString("hex", 16, 48),
    scenario: "sc_benchScenario01",
    request: null,
    signature: random.toString("hex", 48, RANDOM_BYTES),
    grant: "g_benchGrant000001",
  };
  return { type: "seal.used", at, company: issuer.company, subject: issuer.seal, actor: issuer.member, data };
}

/**
 * The receipt ids of the pre-filled records, kept as their 16 random bytes in one buffer: a million id strings would
 * grow the heap the service's garbage collector walks, and slow the very reads being measured.
 */
class ReceiptIds {
  constructor(private readonly bytes: Buffer) {}

  get size(): number {
    return this.bytes.length / 16;
  }

  random(): string {
    const i = randomInt(this.size);
    return bs58.encode(this.bytes.subarray(i * 16, (i + 1) * 16));
  }
}

/** Appends `count` usage records in big transactions (not timed). */
async function fill(store: Store, issuer: Issuer, count: number): Promise<ReceiptIds> {
  const receipts = Buffer.alloc(count * 16);
  const start = performance.now();
  for (let done = 0; done < count; ) {
    const at = new Date().toISOString();
    const size = Math.min(FILL_CHUNK, count - done);
    const pool = randomBytes(size * RANDOM_BYTES);
    const drafts = Array.from({ length: size }, (_, i) => {
      const random = pool.subarray(i * RANDOM_BYTES, (i + 1) * RANDOM_BYTES);
      random.copy(receipts, (done + i) * 16, 0, 16);
      return usageDraft(issuer, random, at);
    });
    await store.transaction((tx) => tx.records.append(drafts));
    done += size;
    if (done % 131_072 < FILL_CHUNK && done < count) progress(`  pre-filled ${int(done)} / ${int(count)}`);
  }
  const seconds = (performance.now() - start) / 1000;
  progress(`  pre-filled ${int(count)} records in ${seconds.toFixed(1)} s (${int(count / seconds)}/s, not timed)`);
  return new ReceiptIds(receipts);
}

async function openChain(root: string): Promise<{ chain: Chain; stop: () => Promise<void> }> {
  const dev = await startDevChain(root, 0);
  const provider = new JsonRpcProvider(dev.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
  return {
    chain: { rpcUrl: dev.rpcUrl, provider, deployer: new Wallet(DEV_ANCHORER_KEY, provider) },
    stop: async () => {
      provider.destroy();
      await dev.stop();
    },
  };
}

/** A fresh SealAnchor for each store, so every store's batch 0 is the contract's batch 0. */
async function freshAnchorClient(chain: Chain): Promise<AnchorClient> {
  const me = await chain.deployer.getAddress();
  const { address } = await deploySealAnchor(chain.deployer, me, me);
  return connectAnchorClient(chain.rpcUrl, address, DEV_ANCHORER_KEY);
}

async function allAnchored(store: Store): Promise<boolean> {
  const last = await store.batches.last();
  const batched = last === null ? 0 : last.firstSeq + last.count;
  return batched === (await store.records.count()) && (await store.records.waiting()).count === 0 && (await store.batches.firstUnanchored()) === null;
}

/**
 * Runs the batcher as the service does (its sequencer and anchoring jobs, each on its own loop, so a batch is sequenced
 * while the one before is anchored) until every stored record (whole batches only) is anchored; the first batch, run
 * by one pass before, is not timed.
 */
async function anchorAll(label: string, store: Store<AlertSchema>, chain: Chain, batchMax: number): Promise<AnchorRun> {
  const client = await freshAnchorClient(chain);
  const [chainWatch, storeWatch, eitherWatch] = [new Stopwatch(), new Stopwatch(), new Stopwatch()];
  const onStore = [storeWatch, eitherWatch];
  const observed: Store<AlertSchema> = { ...store, records: timed(store.records, onStore), batches: timed(store.batches, onStore), leases: timed(store.leases, onStore) };
  const batcher = new Batcher(observed, timed(client, [chainWatch, eitherWatch]), {
    batchMax,
    batchIntervalMs: FULL_BATCHES_ONLY_MS,
    confirmations: CONFIRMATIONS,
    pollMs: pollMsFor(FULL_BATCHES_ONLY_MS),
    leaseTtlMs: LEASE_TTL_MS,
    now: () => new Date(),
    log: () => undefined,
  });
  try {
    await batcher.pass();
    const [chainBefore, storeBefore, eitherBefore] = [chainWatch.ms, storeWatch.ms, eitherWatch.ms];
    const start = performance.now();
    let lastReport = start;
    batcher.start();
    while (!(await allAnchored(store)) && batcher.status.state !== "halted") {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        progress(`  ${label}: ${batcher.status.lastAnchoredBatch} batches anchored`);
      }
    }
    const elapsedMs = performance.now() - start;
    await batcher.stop();
    if (batcher.status.state === "halted") throw new Error(`${label}: the batcher halted: ${batcher.status.detail}`);
    if (!(await allAnchored(store))) throw new Error(`${label}: passes stopped with records left unanchored`);
    // Batch 0 was the warm-up, so the timed batches are 1..lastId.
    const lastId = (await store.batches.last())?.id ?? 0;
    const batches = lastId;
    const chainMs = chainWatch.ms - chainBefore;
    const storeMs = storeWatch.ms - storeBefore;
    const eitherMs = eitherWatch.ms - eitherBefore;
    return {
      label,
      batchMax,
      records: batches * batchMax,
      batches,
      seconds: elapsedMs / 1000,
      chainMs: chainMs / batches,
      storeMs: storeMs / batches,
      otherMs: (elapsedMs - eitherMs) / batches,
      maxGas: Math.max(...(await gasOfAnchors(store, chain, lastId + 1))),
      treeMs: await measureTree(store),
    };
  } finally {
    await batcher.stop();
    client.close();
  }
}

/** gasUsed of every anchoring transaction, from its receipt. */
async function gasOfAnchors(store: Store, chain: Chain, batchCount: number): Promise<number[]> {
  const gas: number[] = [];
  for (let id = 0; id < batchCount; id++) {
    const txHash = (await store.batches.get(id))?.anchor?.txHash;
    if (txHash === undefined) throw new Error(`batch ${id} has no anchor`);
    const receipt = await chain.provider.getTransactionReceipt(txHash);
    if (receipt === null) throw new Error(`no receipt for ${txHash}`);
    gas.push(Number(receipt.gasUsed));
  }
  return gas;
}

/** The SM3 tree alone over batch 0's stored texts, as closeNextBatch hashes them: best of TREE_ROUNDS builds. */
async function measureTree(store: Store): Promise<number> {
  const batch = await store.batches.get(0);
  if (batch === null) throw new Error("no batch 0 to build a tree over");
  const leaves = (await store.batches.recordTexts(batch.firstSeq, batch.count)).map(utf8);
  let best = Infinity;
  for (let round = 0; round < TREE_ROUNDS; round++) {
    const start = performance.now();
    buildTree(sm3, leaves);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

async function measureFresh(root: string, chain: Chain, batchMax: number, batches: number): Promise<AnchorRun> {
  const label = `batch ${int(batchMax)}`;
  progress(`${label}: ${batches} timed batches after 1 warm-up batch, on a fresh store`);
  const store = await openStore({ dataDir: path.join(root, `batch-${batchMax}`), schema: ALERT_SCHEMA });
  try {
    await fill(store, syntheticIssuer(), batchMax * (batches + 1));
    return reported(await anchorAll(label, store, chain, batchMax));
  } finally {
    await store.close();
  }
}

function reported(run: AnchorRun): AnchorRun {
  const split = `${run.chainMs.toFixed(1)} chain, ${run.storeMs.toFixed(1)} store, ${run.otherMs.toFixed(1)} neither`;
  progress(`${run.label}: ${int(recordsPerSec(run))} records/s (tree alone: ${int(treeRecordsPerSec(run))}/s); ms per batch in flight: ${split}; ${int(run.maxGas)} gas per anchor`);
  return run;
}

function syntheticIssuer(): Issuer {
  return { company: newId("c"), seal: newId("s"), member: newId("m") };
}

/** The Batcher loop at BATCH_INTERVAL_MS=1000 while records arrive one per transaction at a steady rate. */
async function measureLatency(root: string, chain: Chain): Promise<Percentiles> {
  progress(`latency: ${LATENCY_RATE} records/s for ${LATENCY_RUN_MS / 1000} s, BATCH_INTERVAL_MS=${LATENCY_INTERVAL_MS}`);
  const store = await openStore({ dataDir: path.join(root, "latency"), schema: ALERT_SCHEMA });
  const client = await freshAnchorClient(chain);
  const batcher = new Batcher(store, client, {
    batchMax: SCALE_BATCH,
    batchIntervalMs: LATENCY_INTERVAL_MS,
    confirmations: CONFIRMATIONS,
    pollMs: pollMsFor(LATENCY_INTERVAL_MS),
    leaseTtlMs: LEASE_TTL_MS,
    now: () => new Date(),
    log: () => undefined,
  });
  const issuer = syntheticIssuer();
  try {
    batcher.start();
    const appends: Promise<unknown>[] = [];
    const start = performance.now();
    for (let sent = 0; performance.now() - start < LATENCY_RUN_MS; await sleep(LATENCY_TICK_MS)) {
      const due = Math.floor(((performance.now() - start) / 1000) * LATENCY_RATE);
      for (; sent < due; sent++) {
        const draft = usageDraft(issuer, randomBytes(RANDOM_BYTES), new Date().toISOString());
        appends.push(store.transaction((tx) => tx.records.append([draft])));
      }
    }
    await Promise.all(appends);
    for (const deadline = Date.now() + 30_000; !(await allAnchored(store)); await sleep(50)) {
      if (Date.now() > deadline) throw new Error(`latency: records still unanchored 30 s after the load stopped (${batcher.status.state}: ${batcher.status.detail})`);
    }
    await batcher.stop();
    const latencies: number[] = [];
    const last = await store.batches.last();
    for (let id = 0; last !== null && id <= last.id; id++) {
      const batch = await store.batches.get(id);
      if (batch === null || batch.anchor === null) throw new Error(`batch ${id} is not anchored`);
      const anchoredAt = Date.parse(batch.anchor.anchoredAt);
      for (const record of await store.records.list({ fromSeq: batch.firstSeq, limit: batch.count })) latencies.push(anchoredAt - Date.parse(record.at));
    }
    const latency = percentiles(latencies);
    progress(`latency: ${int(latency.n)} records in ${(last?.id ?? -1) + 1} batches; p50 ${int(latency.p50)} ms, p95 ${int(latency.p95)} ms`);
    return latency;
  } finally {
    await batcher.stop();
    client.close();
    await store.close();
  }
}

/** The 4,096 run doubles as the build of a 1M-record store, whose receipts are then read through the real route. */
async function measureAtScale(root: string, chain: Chain): Promise<{ run: AnchorRun; http: Percentiles; httpGc: GcDuringReads; storeRead: Percentiles; storedRecords: number }> {
  const total = SCALE_BATCH * (SCALE_BATCHES + 1);
  const label = `batch ${int(SCALE_BATCH)}, store of ${int(total)}`;
  progress(`${label}: ${SCALE_BATCHES} timed batches after 1 warm-up batch`);
  const store = await openStore({ dataDir: path.join(root, "scale"), schema: SERVICE_SCHEMA });
  const pool = createSm2Pool(0);
  const ctx: DomainContext = { store, now: () => new Date(), registryCheck: formatRegistryCheck, reservationTtlMs: 3_600_000, verifyUsage: pool.verify };
  // The receipt route answers stamps too, so it reads through the device context, as the service's does.
  const devices: DeviceContext = { ...ctx, store, commandKey: generateSm2KeyPair(), verifyMessage: pool.verifyMessage };
  const { app } = createApp({ ctx, devices, operatorToken: OPERATOR_TOKEN, version: "bench", bodyLimit: "64kb", publicRateLimit: 1_000_000, log: () => undefined });
  const server: Server = await new Promise((resolve) => {
    const s = createHttpServer(app).listen(0, "127.0.0.1", () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const issuer = await registerIssuer(base);
    // The issuer's records wait for the sequencer like any other: the log holds them accepted, not yet counted.
    const receipts = await fill(store, issuer, total - (await store.records.count()) - (await store.records.waiting()).count);
    const run = reported(await anchorAll(label, store, chain, SCALE_BATCH));
    collectGarbage();
    progress(`reads: ${READS} receipts by id over HTTP, then in the store, each after ${WARMUP_READS} warm-up reads (heap in use: ${int(process.memoryUsage().heapUsed / 2 ** 20)} MB)`);
    const pick = (): string => receipts.random();
    const toRead = Array.from({ length: WARMUP_READS + READS }, pick);
    const gc = observeGc();
    const reads = await readReceipts(base, toRead, WARMUP_READS);
    // Only the server's pauses: the client's collector runs on its own thread.
    const httpGc = gcDuringReads((await gc.stop()).filter((pause) => pause.start >= reads[0].start), reads);
    const storeMs: number[] = [];
    for (let i = 0; i < WARMUP_READS + READS; i++) {
      const start = performance.now();
      const record = await store.records.getByReceipt(pick());
      const lookup = record === null ? null : await receiptFor(store, record.record);
      const elapsed = performance.now() - start;
      if (lookup?.status !== "anchored") throw new Error("a stored receipt did not read back anchored");
      if (i >= WARMUP_READS) storeMs.push(elapsed);
    }
    return { run, http: percentiles(reads.map((read) => read.ms)), httpGc, storeRead: percentiles(storeMs), storedRecords: total };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await pool.close();
    await store.close();
  }
}

/** A company and its electronic seal, through the API, so the receipt route finds the seal and its registration. */
async function registerIssuer(base: string): Promise<Issuer> {
  const company = await post<{ company: { id: string }; legalRep: { id: string }; apiKey: { secret: string } }>(base, OPERATOR_TOKEN, "/api/v1/companies", {
    name: "Bench Anchoring Co.",
    creditCode: randomCreditCode(),
    legalRep: { name: "Bench", idNumber: "11010519491231002X" },
  });
  const { publicKey } = generateSm2KeyPair();
  const seal = await post<{ id: string }>(base, company.apiKey.secret, "/api/v1/seals", { kind: "electronic", type: "contract", name: "合同专用章", publicKey });
  return { company: company.company.id, seal: seal.id, member: company.legalRep.id };
}

async function post<T>(base: string, token: string, route: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}${route}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

interface GcPause {
  start: number;
  ms: number;
}

/**
 * Collects what the pre-fill and the batch closes left behind before the reads are timed, as a long-running
 * service's collector would have by then: otherwise one mark-compact of that garbage lands among the timed reads.
 */
function collectGarbage(): void {
  v8.setFlagsFromString("--expose-gc");
  const gc: unknown = vm.runInNewContext("gc");
  if (typeof gc === "function") gc();
}

/** Records every garbage-collection pause until stop(), which waits for the last entries to be delivered. */
function observeGc(): { stop: () => Promise<GcPause[]> } {
  const pauses: GcPause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push({ start: entry.startTime, ms: entry.duration });
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    stop: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      observer.disconnect();
      return pauses;
    },
  };
}

/** Where the tail goes: the reads at or above p99, and how many of them a GC pause overlapped. */
function gcDuringReads(pauses: GcPause[], reads: TimedRead[]): GcDuringReads {
  const p99 = percentiles(reads.map((read) => read.ms)).p99;
  const slow = reads.filter((read) => read.ms >= p99);
  const overlaps = (read: TimedRead): boolean => pauses.some((pause) => pause.start < read.start + read.ms && pause.start + pause.ms > read.start);
  const total = pauses.reduce((sum, pause) => sum + pause.ms, 0);
  return {
    pauses: pauses.length,
    meanMs: pauses.length === 0 ? 0 : total / pauses.length,
    maxMs: Math.max(0, ...pauses.map((pause) => pause.ms)),
    slowReads: slow.length,
    slowReadsInGc: slow.filter(overlaps).length,
  };
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const int = (x: number): string => Math.round(x).toLocaleString("en-US");
const twoPlaces = (x: number): string => x.toFixed(2);
const met = (ok: boolean): string => (ok ? "yes" : "NO");
const recordsPerSec = (run: AnchorRun): number => run.records / run.seconds;
const treeRecordsPerSec = (run: AnchorRun): number => run.batchMax / (run.treeMs / 1000);
const loadAverage = (): string => os.loadavg().map((x) => x.toFixed(2)).join(" ");

function formatTable(r: Results, loadAtStart: string): string {
  const header = ["measure", "records", "batches", "records/s", "SM3 tree alone/s", "ms/batch chain|store|neither", "gas/anchor", "gas/record", "p50 ms", "p95 ms", "p99 ms", "goal", "met"];
  const rows = r.runs.map((run) => {
    const isGoalRun = run.batchMax === SCALE_BATCH;
    const goal = isGoalRun ? `>= ${int(GOALS.recordsPerSec)}/s; gas <= ${int(GOALS.gasPerAnchor)}` : `gas <= ${int(GOALS.gasPerAnchor)}`;
    const ok = run.maxGas <= GOALS.gasPerAnchor && (!isGoalRun || recordsPerSec(run) >= GOALS.recordsPerSec);
    const split = `${run.chainMs.toFixed(1)} | ${run.storeMs.toFixed(1)} | ${run.otherMs.toFixed(1)}`;
    const cells = [int(run.records), String(run.batches), int(recordsPerSec(run)), int(treeRecordsPerSec(run)), split, int(run.maxGas), (run.maxGas / run.batchMax).toFixed(2)];
    return [`stored -> anchored, ${run.label}`, ...cells, "-", "-", "-", goal, met(ok)];
  });
  const none = ["-", "-", "-", "-", "-", "-"];
  const { latency: l, http: h, storeRead: s } = r;
  rows.push([`accepted -> anchored, ${LATENCY_RATE}/s, interval ${int(LATENCY_INTERVAL_MS)} ms`, int(l.n), ...none, int(l.p50), int(l.p95), int(l.p99), `p95 <= ${int(GOALS.anchorP95Ms)} ms`, met(l.p95 <= GOALS.anchorP95Ms)]);
  rows.push([`GET /api/v1/receipts/:id, ${int(r.storedRecords)} stored`, int(h.n), ...none, twoPlaces(h.p50), twoPlaces(h.p95), twoPlaces(h.p99), `p99 <= ${GOALS.receiptP99Ms} ms`, met(h.p99 <= GOALS.receiptP99Ms)]);
  rows.push(["  in the store: getByReceipt + receiptFor", int(s.n), ...none, twoPlaces(s.p50), twoPlaces(s.p95), twoPlaces(s.p99), "-", "-"]);
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c].length)));
  // Numbers right-aligned so their digits line up; the measure and the goal read better left-aligned.
  const leftAligned = new Set([0, header.length - 2, header.length - 1]);
  const format = (line: readonly string[]): string =>
    line
      .map((cell, c) => (leftAligned.has(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const notes = [
    `anchor: SQLite (WAL, WAL fdatasync before each acknowledgement) under ${os.tmpdir()}, anvil (automine) on loopback, ${CONFIRMATIONS} confirmation; ${os.cpus().length} cores, load average ${loadAtStart} at the start, ${loadAverage()} at the end`,
    `stored -> anchored: records pre-filled untimed, then the batcher's sequencer and anchoring jobs run until all are anchored, BATCH_INTERVAL_MS ${int(FULL_BATCHES_ONLY_MS)} so only full batches close; each store's first batch is an untimed warm-up`,
    "SM3 tree alone/s: the peer, buildTree over batch 0's stored texts (best of 10), no proofs, no I/O: the ceiling records/s could reach",
    "ms/batch: wall time with an AnchorClient call in flight | a Store call in flight (incl. proof encoding) | neither (SM3 tree, proofs, batcher); the first two overlap where the batcher overlaps them",
    "  SQLite reads, numbers and hashes a batch of 512+ records on its sequencer thread (started by the first such batch, not waited for) and prepares the next full batch there while one commits; the tree, proofs and writes stay on the event loop, inside the Store call",
    "gas/anchor: max over every anchoring transaction of the store, from its receipt",
    `accepted -> anchored: Batcher.start() with pollMs ${pollMsFor(LATENCY_INTERVAL_MS)} (the service's rule), one record per transaction; latency = batch anchoredAt - record at`,
    `reads: in-process app on loopback, heap collected first; the client on a worker thread (a heap of its own) makes sequential node:http GETs (one kept-alive connection) of random receipt ids after ${WARMUP_READS} warm-up reads; the store row times the two store calls alone`,
    `  during the HTTP reads: ${r.httpGc.pauses} GC pauses (mean ${twoPlaces(r.httpGc.meanMs)} ms, max ${twoPlaces(r.httpGc.maxMs)} ms); ${r.httpGc.slowReadsInGc} of the ${r.httpGc.slowReads} reads at or above p99 overlapped one`,
  ];
  return [...notes, format(header), rule, ...rows.map(format)].join("\n");
}

function summary(r: Results): string {
  const goalRun = r.runs.find((run) => run.batchMax === SCALE_BATCH);
  if (goalRun === undefined) throw new Error(`no run at batch size ${SCALE_BATCH}`);
  return JSON.stringify({
    bench: "anchor",
    gasPerAnchor: Math.max(...r.runs.map((run) => run.maxGas)),
    recordsPerSec: Math.round(recordsPerSec(goalRun)),
    anchorP95Ms: Math.round(r.latency.p95),
    receiptP99Ms: Number(r.http.p99.toFixed(2)),
  });
}

async function main(): Promise<void> {
  const loadAtStart = loadAverage();
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), "sealproof-bench-anchor-"));
  const cleanups: Array<() => Promise<void>> = [async () => fs.rmSync(root, { recursive: true, force: true })];
  // One cleanup, however many ask for it: a signal starts it and the failing run it causes must wait for it too.
  let cleaning: Promise<void> | null = null;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (const step of cleanups.splice(0).reverse()) await step().catch((err: unknown) => progress(`cleanup: ${String(err)}`));
    })());
  // Ctrl-C or a kill must not leave anvil running or the temp files behind.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      progress(`${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    progress(`working in ${root}; load average ${loadAtStart}`);
    const { chain, stop } = await openChain(root);
    cleanups.push(stop);
    const runs: AnchorRun[] = [];
    for (const { batchMax, batches } of FRESH_RUNS) runs.push(await measureFresh(root, chain, batchMax, batches));
    const latency = await measureLatency(root, chain);
    const { run, http, httpGc, storeRead, storedRecords } = await measureAtScale(root, chain);
    runs.push(run);
    runs.sort((a, b) => a.batchMax - b.batchMax);
    const results = { runs, latency, http, httpGc, storeRead, storedRecords };
    process.stdout.write(`${formatTable(results, loadAtStart)}\n${summary(results)}\n`);
  } finally {
    await cleanUp();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
