// Worker thread body for sequencer-thread.ts: prepares batches (reads, numbers and hashes the waiting records) on a
// read-only connection of its own, each in one read transaction, so what it reads is one committed state of the file.
// After each answer it checkpoints the WAL on a second connection: a batch writes a few thousand proofs to the WAL, and
// copying them into the database file (with its fsyncs) would otherwise fall to the writer's automatic checkpoint, on
// the event loop, inside a COMMIT. A passive checkpoint takes no lock writers wait for and changes no row.
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";
import { BatchPreparer } from "./batch-prep";
import { openReader } from "./connection";
import type { PrepareRequest, WorkerMessage } from "./sequencer-thread";

const { file } = workerData as { file: string };
const db = openReader(file);
const preparer = new BatchPreparer(db);
const prepareInSnapshot = db.transaction((request: PrepareRequest) => preparer.prepare(request.start ?? preparer.start(), request.max, new Map(request.carried)));
const checkpointer = new Database(file, { fileMustExist: true });
checkpointer.pragma("busy_timeout = 5000");
const checkpoint = checkpointer.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const ready: WorkerMessage = { ready: true };
parentPort?.postMessage(ready);

parentPort?.on("message", (request: PrepareRequest) => {
  let reply: WorkerMessage;
  try {
    reply = { id: request.id, batch: prepareInSnapshot(request) };
  } catch (err) {
    reply = { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
  // The writer's own checkpoint stays on as the backstop; a checkpoint that fails here only leaves it more to do.
  try {
    checkpoint.get();
  } catch {
    // Busy or failed: the next answer tries again.
  }
});
