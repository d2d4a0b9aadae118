// Worker thread body for sm2-pool.ts: verifies one usage signature per message.
import { parentPort } from "node:worker_threads";
import { verifyUsageSignature } from "../evidence";
import type { VerifyJob, VerifyResult } from "./sm2-pool";

parentPort?.on("message", (job: VerifyJob) => {
  let result: VerifyResult;
  try {
    result = { id: job.id, ok: verifyUsageSignature(job.tbs, job.signature, job.publicKey) };
  } catch (err) {
    result = { id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(result);
});
