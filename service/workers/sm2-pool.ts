// SM2 signature checks (usages, device messages) off the event loop, so it keeps serving HTTP while signatures are verified on the other
// core: with the native addon, batches on libuv's thread pool (`size` of them at a time); with sm-crypto-v2, `size`
// worker threads. With size 0 the check runs in-process, on the event loop.
import path from "node:path";
import { Worker } from "node:worker_threads";
import { isSm2PublicKey, sm2Backend, sm2Verify, sm2VerifyBatch, usageTbsBytes, verifyUsageSignature, type Sm2Verification, type UsageTbs } from "../evidence";

/** A usage goes to a worker as its TBS (the worker makes the bytes); a device message as the signed bytes. */
export type VerifyJob = { id: number; signature: string; publicKey: string } & ({ tbs: UsageTbs } | { message: Uint8Array });

export interface VerifyResult {
  id: number;
  ok: boolean;
  error?: string;
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
  return sm2Backend === "native" ? createBatchPool(size) : createWorkerPool(size);
}

// Most batches a turn of the event loop gathers are small; the cap bounds how long one pool thread is held.
const MAX_BATCH = 256;

/**
 * Verifications requested during one turn of the event loop go to libuv's pool together (one task per batch, at most
 * `inFlight` tasks at once), which amortises the hand-over; the event loop meanwhile parses the next requests.
 */
function createBatchPool(inFlight: number): Sm2Pool {
  const queue: { job: Sm2Verification; resolve: (ok: boolean) => void; reject: (err: Error) => void }[] = [];
  let running = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    while (running < inFlight && queue.length > 0) {
      // Shared out over the free slots, so two batches at a time keep two threads busy.
      const batch = queue.splice(0, Math.min(MAX_BATCH, Math.ceil(queue.length / (inFlight - running))));
      running++;
      sm2VerifyBatch(batch.map((b) => b.job))
        .then(
          (answers) => batch.forEach((b, i) => b.resolve(answers[i])),
          (err: Error) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          running--;
          flush();
        });
    }
  };
  const enqueue = (job: Sm2Verification) =>
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
      return enqueue({ message: usageTbsBytes(tbs), signature, publicKey });
    },
    verifyMessage(message, signature, publicKey) {
      if (!isSm2PublicKey(publicKey)) return Promise.resolve().then(() => sm2Verify(message, signature, publicKey));
      return enqueue({ message, signature, publicKey });
    },
    async close() {
      while (running > 0 || queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function createWorkerPool(size: number): Sm2Pool {
  const workers = Array.from({ length: size }, () => spawn());
  const pending = new Map<number, { resolve: (ok: boolean) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  for (const worker of workers) {
    worker.on("message", (result: VerifyResult) => {
      const waiter = pending.get(result.id);
      pending.delete(result.id);
      if (result.error !== undefined) waiter?.reject(new Error(result.error));
      else waiter?.resolve(result.ok);
    });
    worker.on("error", (err) => {
      for (const waiter of pending.values()) waiter.reject(err);
      pending.clear();
    });
  }
  const send = (job: VerifyJob) =>
    new Promise<boolean>((resolve, reject) => {
      pending.set(job.id, { resolve, reject });
      workers[job.id % workers.length].postMessage(job);
    });
  return {
    verify: (tbs, signature, publicKey) => send({ id: nextId++, tbs, signature, publicKey }),
    verifyMessage: (message, signature, publicKey) => send({ id: nextId++, message, signature, publicKey }),
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
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
