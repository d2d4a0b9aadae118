// Worker thread body for sm2-pool.ts: verifies a batch of signatures (usages' and device messages') per message.
import { parentPort } from "node:worker_threads";
import { sm2Verify, verifyUsageSignature } from "../evidence";
import type { VerifyBatch, VerifyBatchResult, VerifyJob, VerifyResult } from "./sm2-pool";

function verifyOne(job: VerifyJob): VerifyResult {
  try {
    return { ok: "tbs" in job ? verifyUsageSignature(job.tbs, job.signature, job.publicKey) : sm2Verify(job.message, job.signature, job.publicKey) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

parentPort?.on("message", ({ id, jobs }: VerifyBatch) => {
  parentPort?.postMessage({ id, results: jobs.map(verifyOne) } satisfies VerifyBatchResult);
});
