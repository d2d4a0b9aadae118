// SM2 usage-signature checks on worker threads, so the event loop keeps serving HTTP while signatures
// are verified on the other core. With size 0 the check runs in-process.
import path from "node:path";
import { Worker } from "node:worker_threads";
import { verifyUsageSignature, type UsageTbs } from "../evidence";

export interface VerifyJob {
  id: number;
  tbs: UsageTbs;
  signature: string;
  publicKey: string;
}

export interface VerifyResult {
  id: number;
  ok: boolean;
  error?: string;
}

export interface Sm2Pool {
  verify(tbs: UsageTbs, signature: string, publicKey: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createSm2Pool(size: number): Sm2Pool {
  if (size === 0) return { verify: async (tbs, sig, key) => verifyUsageSignature(tbs, sig, key), close: async () => undefined };
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
  return {
    verify(tbs, signature, publicKey) {
      const id = nextId++;
      return new Promise<boolean>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        workers[id % workers.length].postMessage({ id, tbs, signature, publicKey } satisfies VerifyJob);
      });
    },
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
