// Worker thread body for sm2-pool.ts: verifies one signature (a usage's, or a device message's) per job.
import { parentPort } from "node:worker_threads";
import { sm2Verify, verifyUsageSignature } from "../evidence";
import type { VerifyJob, VerifyResult } from "./sm2-pool";

parentPort?.on("message", (job: VerifyJob) => {
  let result: VerifyResult;
  try {
    result = { id: job.id, ok: "tbs" in job ? verifyUsageSignature(job.tbs, job.signature, job.publicKey) : sm2Verify(job.message, job.signature, job.publicKey) };
  } catch (err) {
    result = { id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(result);
});
