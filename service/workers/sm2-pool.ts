// SM2 signature checks (usages, device messages) off the event loop, so it keeps serving HTTP while signatures are verified on the other
// core, in small chunks (see CHUNK): with the native addon, on libuv's thread pool (`size` lanes, one chunk each at a
// time); with sm-crypto-v2, on `size` worker threads (each working through the chunks it was handed). With size 0 the
// check runs in-process, on the event loop.
import path from "node:path";
import { Worker } from "node:worker_threads";
import { isSm2PublicKey, sm2Backend, sm2Verify, sm2VerifyBatch, usageTbsBytes, verifyUsageSignature, type UsageTbs } from "../evidence";

/** A usage goes to a worker as its TBS (the worker makes the bytes); a device message as the signed bytes. */
export type VerifyJob = { signature: string; publicKey: string } & ({ tbs: UsageTbs } | { message: Uint8Array });

/** One message each way per batch: a message costs the event loop more than a small job's fields do. */
export interface VerifyBatch {
  id: number;
  jobs: VerifyJob[];
}

export interface VerifyResult {
  ok: boolean;
  error?: string;
}

export interface VerifyBatchResult {
  id: number;
  results: VerifyResult[];
}

export interface Sm2Pool {
  verify: (tbs: UsageTbs, signature: string, publicKey: string) => Promise<boolean>;
  /** sm2Verify of signed bytes (a device message), on the same threads. */
  verifyMessage: (message: Uint8Array, signature: string, publicKey: string) => Promise<boolean>;
  close: () => Promise<void>;
}

/** The service's pool (size > 0) says at start, through `log`, which SM2 implementation it runs on and where. */
/**
 * `chunk`: most verifications handed to a thread at once. The service keeps the default, small chunks, for latency;
 * a bulk check (audit verify) whose event loop is busy reading input passes a large one, so the threads never wait
 * for the event loop to hand them their next chunk.
 */
export function createSm2Pool(size: number, log: (line: string) => void = () => undefined, chunk = CHUNK): Sm2Pool {
  if (size === 0) return { verify: async (tbs, sig, key) => verifyUsageSignature(tbs, sig, key), verifyMessage: async (message, sig, key) => sm2Verify(message, sig, key), close: async () => undefined };
  const where = sm2Backend === "native" ? `libuv's thread pool, ${size} batch${size > 1 ? "es" : ""} at a time` : `${size} worker thread${size > 1 ? "s" : ""}`;
  log(`SM2: ${sm2Backend === "native" ? "native addon over Node's OpenSSL" : "sm-crypto-v2 (JavaScript)"}, verifying on ${where}`);
  if (sm2Backend === "native") return createBatchPool(size, chunk, nativeLanes(size));
  return createBatchPool(size, chunk, workerBatches(size));
}

/** How a pool turns requests into jobs, runs a batch of them, and stops. */
interface BatchRunner<J> {
  usage: (tbs: UsageTbs, signature: string, publicKey: string) => J;
  message: (message: Uint8Array, signature: string, publicKey: string) => J;
  /** Answers each job in order; one job's failure (its key is not a public key) rejects only that job. */
  run: (jobs: J[]) => Promise<Array<boolean | Error>>;
  close: () => Promise<void>;
}

/**
 * Verifications go off the event loop in chunks of at most CHUNK, and each pool thread is handed up to DEPTH chunks at
 * once. Handing a thread everything that waited while it was busy (as this pool once did) made the load move in waves:
 * with 32 usages in flight, one batch held most of them, the event loop idled while the thread verified it, then the
 * thread idled while their transactions, answers and the clients' next requests went through the event loop — in
 * bench:ingest both threads stayed about a third idle. Small chunks come back one by one and the next is already queued,
 * so both sides stay busy; a chunk still amortises the hand-over (one message each way).
 */
const CHUNK = 8;
const DEPTH = 3;

/**
 * Verifications go off the event loop in chunks of `chunk`, at most `inFlight` × DEPTH chunks at once (see CHUNK); a
 * partial chunk only to a thread that would otherwise wait.
 */
function createBatchPool<J>(inFlight: number, chunk: number, runner: BatchRunner<J>): Sm2Pool {
  const queue: { job: J; resolve: (ok: boolean) => void; reject: (err: Error) => void }[] = [];
  let running = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    // A thread with nothing to do takes what waits at once; one with work in hand is queued only full chunks, since a
    // message each way per one or two verifications cost sm-crypto-v2's threads ~0.2 ms of CPU a usage in bench:ingest.
    while (queue.length > 0 && (running < inFlight || (running < inFlight * DEPTH && queue.length >= chunk))) {
      const batch = queue.splice(0, chunk);
      running++;
      runner
        .run(batch.map((b) => b.job))
        .then(
          (answers) => batch.forEach((b, i) => settle(b, answers[i])),
          (err: Error) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          running--;
          flush();
        });
    }
  };
  const settle = (b: (typeof queue)[number], answer: boolean | Error) => (answer instanceof Error ? b.reject(answer) : b.resolve(answer));
  const enqueue = (job: J) =>
    new Promise<boolean>((resolve, reject) => {
      queue.push({ job, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  return {
    verify(tbs, signature, publicKey) {
      // A key that is not a public key throws INVALID_KEY here, for this usage alone, as sm2Verify would.
      if (!isSm2PublicKey(publicKey)) return Promise.resolve().then(() => verifyUsageSignature(tbs, signature, publicKey));
      return enqueue(runner.usage(tbs, signature, publicKey));
    },
    verifyMessage(message, signature, publicKey) {
      if (!isSm2PublicKey(publicKey)) return Promise.resolve().then(() => sm2Verify(message, signature, publicKey));
      return enqueue(runner.message(message, signature, publicKey));
    },
    async close() {
      while (running > 0 || queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
      await runner.close();
    },
  };
}

/** sm-crypto-v2 on `size` worker threads; each chunk goes to the thread with the fewest chunks still to answer. */
function workerBatches(size: number): BatchRunner<VerifyJob> {
  const threads = Array.from({ length: size }, () => ({ worker: spawn(), queued: 0 }));
  const pending = new Map<number, { thread: (typeof threads)[number]; resolve: (results: VerifyResult[]) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  for (const thread of threads) {
    thread.worker.on("message", ({ id, results }: VerifyBatchResult) => {
      const waiter = pending.get(id);
      pending.delete(id);
      thread.queued--;
      waiter?.resolve(results);
    });
    thread.worker.on("error", (err) => {
      for (const [id, waiter] of pending) {
        if (waiter.thread !== thread) continue;
        pending.delete(id);
        thread.queued--;
        waiter.reject(err);
      }
    });
  }
  return {
    usage: (tbs, signature, publicKey) => ({ tbs, signature, publicKey }),
    message: (message, signature, publicKey) => ({ message, signature, publicKey }),
    async run(jobs) {
      const thread = threads.reduce((least, t) => (t.queued < least.queued ? t : least));
      thread.queued++;
      const id = nextId++;
      const results = await new Promise<VerifyResult[]>((resolve, reject) => {
        pending.set(id, { thread, resolve, reject });
        thread.worker.postMessage({ id, jobs } satisfies VerifyBatch);
      });
      return results.map((r) => (r.error !== undefined ? new Error(r.error) : r.ok));
    },
    async close() {
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}

/**
 * The native addon's batches on libuv's pool, `size` lanes: a lane runs its chunks one after another, so at most `size`
 * pool threads verify at once whatever the number of chunks handed out (more would take the event loop's core).
 */
function nativeLanes(size: number): BatchRunner<{ message: Uint8Array; signature: string; publicKey: string }> {
  const lanes = Array.from({ length: size }, () => ({ tail: Promise.resolve(), queued: 0 }));
  return {
    usage: (tbs, signature, publicKey) => ({ message: usageTbsBytes(tbs), signature, publicKey }),
    message: (message, signature, publicKey) => ({ message, signature, publicKey }),
    run(jobs) {
      const lane = lanes.reduce((least, l) => (l.queued < least.queued ? l : least));
      lane.queued++;
      const answers = lane.tail.then(() => sm2VerifyBatch(jobs));
      const done = () => void lane.queued--;
      lane.tail = answers.then(done, done);
      return answers;
    },
    close: async () => undefined,
  };
}

function spawn(): Worker {
  // Under ts-node this is service/workers/; in the service bundle (npm run build:service) it is dist/service/,
  // where the worker is bundled as sm2-worker.js beside main.js.
  const ts = __filename.endsWith(".ts");
  const file = path.join(__dirname, `sm2-worker.${ts ? "ts" : "js"}`);
  // Under ts-node the worker needs the same TypeScript loader as the main thread.
  const worker = new Worker(file, { execArgv: ts ? ["-r", "ts-node/register/transpile-only"] : [] });
  worker.unref();
  return worker;
}
