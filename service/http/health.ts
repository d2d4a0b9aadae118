// /healthz: {status, version, anchoring} for anyone, status "degraded" while anchoring is behind; with the operator
// token, the reasons and what an operator needs (store, record count, chain, batcher), which would help others map
// the system. Degraded still answers 200: the service takes records and serves receipts, and a load balancer that
// dropped it would turn late anchoring into refused writes on every node at once (they share one chain).
import type { Express } from "express";
import { requireOperator } from "./auth";
import type { Store } from "../store/port";
import { sm2Backend } from "../evidence";

export type HealthReasonCode =
  /** The embedded dev chain exited and is being started again. */
  | "DEV_CHAIN_DOWN"
  /** The batcher's last pass failed (the chain or the store did not answer); it retries with backoff. */
  | "ANCHORING_RETRYING"
  /** The batcher stopped on a critical alert; an operator must act. */
  | "ANCHORING_HALTED"
  /** A record has waited for its anchor longer than two batch intervals. */
  | "RECORDS_WAITING";

export interface HealthReason {
  code: HealthReasonCode;
  message: string;
}

/** What the anchoring side reports, read at request time: nothing here calls the chain. */
export interface HealthSource {
  batcher: { state: string; detail: string | null };
  /** The embedded dev chain's supervision; null on an external chain. */
  devChain: { state: string; detail: string | null } | null;
  /** When the oldest record not yet anchored began waiting; null when none waits. */
  waitingSince: () => Promise<Date | null>;
  /** How long a record may wait before anchoring counts as behind. */
  maxWaitMs: number;
  /** Shown with the operator token only. */
  details: Record<string, unknown>;
}

export interface HealthOptions {
  version: string;
  operatorToken: string;
  store: Store;
  health?: () => HealthSource;
}

export function mountHealth(app: Express, options: HealthOptions): void {
  app.get("/healthz", async (req, res) => {
    const source = options.health?.();
    const reasons = source ? assessHealth(source, await source.waitingSince(), new Date()) : [];
    const status = reasons.length === 0 ? "ok" : "degraded";
    const summary = { status, version: options.version, ...(source ? { anchoring: status } : {}) };
    if (req.headers.authorization === undefined) return void res.json(summary);
    requireOperator(options.operatorToken, req);
    res.set("cache-control", "no-store");
    res.json({ ...summary, reasons, store: options.store.adapter, sm2: sm2Backend, records: await options.store.records.count(), ...(source?.details ?? {}) });
  });
}

/** Every reason anchoring is behind now; none means healthy. */
export function assessHealth(source: HealthSource, waitingSince: Date | null, now: Date): HealthReason[] {
  const reasons: HealthReason[] = [];
  const { batcher, devChain, maxWaitMs } = source;
  if (devChain !== null && devChain.state !== "up") reasons.push({ code: "DEV_CHAIN_DOWN", message: `the embedded dev chain ${devChain.detail ?? devChain.state}` });
  if (batcher.state === "retrying") reasons.push({ code: "ANCHORING_RETRYING", message: batcher.detail ?? "the batcher is retrying" });
  if (batcher.state === "halted") reasons.push({ code: "ANCHORING_HALTED", message: batcher.detail ?? "the batcher stopped" });
  const waitedMs = waitingSince === null ? 0 : now.getTime() - waitingSince.getTime();
  if (waitedMs > maxWaitMs) reasons.push({ code: "RECORDS_WAITING", message: `the oldest record not yet anchored has waited ${Math.round(waitedMs / 1000)} s (since ${waitingSince?.toISOString()}); the limit is ${maxWaitMs / 1000} s` });
  return reasons;
}
