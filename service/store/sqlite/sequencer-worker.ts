// Worker thread body for sequencer-thread.ts: prepares batches (reads, numbers and hashes the waiting records) on a
// read-only connection of its own, each in one read transaction, so what it reads is one committed state of the file.
import { parentPort, workerData } from "node:worker_threads";
import { BatchPreparer } from "./batch-prep";
import { openReader } from "./connection";
import type { PrepareReply, PrepareRequest } from "./sequencer-thread";

const db = openReader((workerData as { file: string }).file);
const preparer = new BatchPreparer(db);
const prepareInSnapshot = db.transaction((request: PrepareRequest) => preparer.prepare(request.start ?? preparer.start(), request.max, new Map(request.carried)));

parentPort?.on("message", (request: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    reply = { id: request.id, batch: prepareInSnapshot(request) };
  } catch (err) {
    reply = { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
