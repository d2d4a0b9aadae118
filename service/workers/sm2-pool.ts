// SM2 signature checks (usages, device messages) off the event loop, so it keeps serving HTTP while signatures are verified on the other
// core, in batches of what one turn of the event loop asked for: with the native addon, on libuv's thread pool (`size`
// batches at a time); with sm-crypto-v2, on `size` worker threads (one batch each at a time). With size 0 the check
// runs in-process, on the event loop.
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
export function createSm2Pool(size: number, log: (line: string) => void = () => undefined): Sm2Pool {
  if (size === 0) return { verify: async (tbs, sig, key) => verifyUsageSignature(tbs, sig, key), verifyMessage: async (message, sig, key) => sm2Verify(message, sig, key), close: async () => undefined };
  const where = sm2Backend === "native" ? `libuv's thread pool, ${size} batch${size > 1 ? "es" : ""} at a time` : `${size} worker thread${size > 1 ? "s" : ""}`;
  log(`SM2: ${sm2Backend === "native" ? "native addon over Node's OpenSSL" : "sm-crypto-v2 (JavaScript)"}, verifying on ${where}`);
  if (sm2Backend === "native") {
    return createBatchPool(size, {
      usage: (tbs, signature, publicKey) => ({ message: usageTbsBytes(tbs), signature, publicKey }),
      message: (message, signature, publicKey) => ({ message, signature, publicKey }),
      run: sm2VerifyBatch,
      close: async () => undefined,
    });
  }
  return createBatchPool(size, workerBatches(size));
}

/** How a pool turns requests into jobs, runs a batch of them, and stops. */
interface BatchRunner<J> {
  usage: (tbs: UsageTbs, signature: string, publicKey: string) => J;
  message: (message: Uint8Array, signature: string, publicKey: string) => J;
  /** Answers each job in order; one job's failure (its key is not a public key) rejects only that job. */
  run: (jobs: J[]) => Promise<Array<boolean | Error>>;
  close: () => Promise<void>;
}

// Most batches a turn of the event loop gathers are small; the cap bounds how long one pool thread is held.
const MAX_BATCH = 256;

/**
 * Verifications requested during one turn of the event loop go off it together (one batch, at most `inFlight` batches
 * at once), which amortises the hand-over; the event loop meanwhile parses the next requests.
 */
function createBatchPool<J>(inFlight: number, runner: BatchRunner<J>): Sm2Pool {
  const queue: { job: J; resolve: (ok: boolean) => void; reject: (err: Error) => void }[] = [];
  let running = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    while (running < inFlight && queue.length > 0) {
      // Shared out over the free slots, so two batches at a time keep two threads busy.
      const batch = queue.splice(0, Math.min(MAX_BATCH, Math.ceil(queue.length / (inFlight - running))));
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

/** sm-crypto-v2 on `size` worker threads; the pool gives a batch to one that has none (it hands out at most `size`). */
function workerBatches(size: number): BatchRunner<VerifyJob> {
  const idle = Array.from({ length: size }, () => spawn());
  const all = [...idle];
  const pending = new Map<number, { worker: Worker; resolve: (results: VerifyResult[]) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  for (const worker of all) {
    worker.on("message", ({ id, results }: VerifyBatchResult) => {
      const waiter = pending.get(id);
      pending.delete(id);
      idle.push(worker);
      waiter?.resolve(results);
    });
    worker.on("error", (err) => {
      for (const [id, waiter] of pending) {
        if (waiter.worker !== worker) continue;
        pending.delete(id);
        waiter.reject(err);
      }
    });
  }
  return {
    usage: (tbs, signature, publicKey) => ({ tbs, signature, publicKey }),
    message: (message, signature, publicKey) => ({ message, signature, publicKey }),
    async run(jobs) {
      const worker = idle.pop();
      if (worker === undefined) throw new Error("invariant violated: a batch was handed out with every worker busy");
      const id = nextId++;
      const results = await new Promise<VerifyResult[]>((resolve, reject) => {
        pending.set(id, { worker, resolve, reject });
        worker.postMessage({ id, jobs } satisfies VerifyBatch);
      });
      return results.map((r) => (r.error !== undefined ? new Error(r.error) : r.ok));
    },
    async close() {
      await Promise.all(all.map((w) => w.terminate()));
    },
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
