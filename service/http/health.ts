// /healthz: liveness for anyone ({status, version, anchoring}); with the operator token, what an operator needs
// (store, record count, chain endpoint and contract, batcher state), which would help others map the system.
import type { Express } from "express";
import { requireOperator } from "./auth";
import type { Store } from "../store/port";
import { sm2Backend } from "../evidence";

export interface HealthSource {
  /** Shown to anyone: whether anchoring keeps up, without saying why not. */
  anchoring: "ok" | "degraded";
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
    const summary = { status: "ok", version: options.version, ...(source ? { anchoring: source.anchoring } : {}) };
    if (req.headers.authorization === undefined) return void res.json(summary);
    requireOperator(options.operatorToken, req);
    res.set("cache-control", "no-store");
    res.json({ ...summary, store: options.store.adapter, sm2: sm2Backend, records: await options.store.records.count(), ...(source?.details ?? {}) });
  });
}
