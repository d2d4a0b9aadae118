// The sequencer thread: a worker with its own read-only connection that prepares batches (sequencer-worker.ts), so
// reading, numbering and hashing thousands of records keeps off the event loop. It never writes; a failure rejects
// the call and a dead worker rejects every call in flight, and the caller prepares on the writer instead.
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { CompanyHead } from "../records";
import type { BatchStart, PreparedBatch } from "./batch-prep";

export interface PrepareRequest {
  id: number;
  /** Null: where the next batch starts as the worker's connection sees it. */
  start: BatchStart | null;
  max: number;
  /** Heads a batch not yet committed leaves, for the batch after it. */
  carried: Array<[string, CompanyHead]>;
}

/** Once when its connections are open, then one answer per request. */
export type WorkerMessage = { ready: true } | { id: number; batch: PreparedBatch } | { id: number; error: string };

export class SequencerThread {
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve: (batch: PreparedBatch) => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private exited: Error | null = null;
  private started = false;

  constructor(file: string, onReady: () => void = () => undefined) {
    // Under ts-node this is service/store/sqlite/; in the service bundle (npm run build:service) it is dist/service/,
    // where the worker is bundled as sequencer-worker.js beside main.js.
    const ts = __filename.endsWith(".ts");
    const body = path.join(__dirname, `sequencer-worker.${ts ? "ts" : "js"}`);
    this.worker = new Worker(body, { workerData: { file }, execArgv: ts ? ["-r", "ts-node/register/transpile-only"] : [] });
    this.worker.unref();
    this.worker.on("message", (reply: WorkerMessage) => {
      if ("ready" in reply) {
        this.started = true;
        onReady();
        return;
      }
      const call = this.calls.get(reply.id);
      this.calls.delete(reply.id);
      if ("batch" in reply) call?.resolve(reply.batch);
      else call?.reject(new Error(`sequencer thread: ${reply.error}`));
    });
    // What the worker threw arrives as a copy, not always an Error (a SqliteError comes as a plain object).
    this.worker.on("error", (err: unknown) => this.fail(new Error(`sequencer thread failed: ${err instanceof Error ? err.message : String((err as { message?: unknown } | null)?.message ?? err)}`)));
    this.worker.on("exit", (code) => this.fail(new Error(`sequencer thread exited with code ${code}`)));
  }

  /** False once the worker has failed or exited. */
  get alive(): boolean {
    return this.exited === null;
  }

  /** True once the worker has opened its connections (under ts-node, starting takes seconds) and while it lives. */
  get ready(): boolean {
    return this.started && this.alive;
  }

  prepare(start: BatchStart | null, max: number, carried: ReadonlyMap<string, CompanyHead> = new Map()): Promise<PreparedBatch> {
    if (this.exited !== null) return Promise.reject(this.exited);
    const request: PrepareRequest = { id: this.nextId++, start, max, carried: [...carried] };
    return new Promise((resolve, reject) => {
      this.calls.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.exited ??= err;
    for (const call of this.calls.values()) call.reject(err);
    this.calls.clear();
  }
}
