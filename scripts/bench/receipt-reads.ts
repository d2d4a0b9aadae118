// bench:anchor's HTTP client for the receipt reads, on a worker thread: a worker has a V8 heap and collector of its
// own, so the client's garbage (about half of what a read allocates in the process, measured with the sampling heap
// profiler) is not collected in the server's pauses, as it would not be with the client on another machine.
import http from "node:http";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

export interface TimedRead {
  /** When the request started, in ms on the main thread's performance clock (so GC pauses can be matched to it). */
  start: number;
  ms: number;
}

interface Job {
  base: string;
  receiptIds: string[];
  warmup: number;
  mainTimeOrigin: number;
}

/** GETs each receipt id in turn on one kept-alive connection, the first `warmup` untimed; resolves with the rest. */
export function readReceipts(base: string, receiptIds: string[], warmup: number): Promise<TimedRead[]> {
  const job: Job = { base, receiptIds, warmup, mainTimeOrigin: performance.timeOrigin };
  const worker = new Worker(__filename, { workerData: job, execArgv: ["-r", "ts-node/register/transpile-only"] });
  return new Promise((resolve, reject) => {
    worker.once("message", (reads: TimedRead[]) => resolve(reads));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the receipt reader exited with ${code} before answering`)));
  });
}

/**
 * One GET, timed from the request to the last byte of the body, which is checked after the clock stops. node:http
 * rather than fetch, whose extra work would count in the times.
 */
async function readOne(agent: http.Agent, base: string, receiptId: string, clockOffset: number): Promise<TimedRead> {
  const start = performance.now();
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    http
      .get(`${base}/api/v1/receipts/${receiptId}`, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
  const elapsed = performance.now() - start;
  if (status !== 200 || (JSON.parse(body) as { status: string }).status !== "anchored") throw new Error(`receipt ${receiptId}: ${status} ${body.slice(0, 200)}`);
  return { start: start + clockOffset, ms: elapsed };
}

async function work(job: Job): Promise<TimedRead[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const clockOffset = performance.timeOrigin - job.mainTimeOrigin;
  const reads: TimedRead[] = [];
  try {
    for (const [i, receiptId] of job.receiptIds.entries()) {
      const read = await readOne(agent, job.base, receiptId, clockOffset);
      if (i >= job.warmup) reads.push(read);
    }
  } finally {
    agent.destroy();
  }
  return reads;
}

if (!isMainThread) {
  work(workerData as Job).then(
    (reads) => parentPort?.postMessage(reads),
    (err: unknown) => {
      throw err;
    },
  );
}
