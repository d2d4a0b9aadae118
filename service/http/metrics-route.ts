// GET /metrics for the operator: the process's metrics registry in Prometheus text format, with the gauges that
// mirror the store and the batcher read at scrape time.
import type { Express } from "express";
import { requireOperator } from "./auth";
import { batcherState, batchesUnanchored, lastAnchoredBatch, metrics, PROMETHEUS_CONTENT_TYPE, recordsWaiting } from "../metrics";
import type { Store } from "../store/port";

/** What /metrics reads of the batcher: its state and the last batch it saw anchored. */
export interface BatcherView {
  state: string;
  lastAnchoredBatch: number | null;
}

export interface MetricsOptions {
  operatorToken: string;
  store: Store;
  batcher?: () => BatcherView;
}

export function mountMetrics(app: Express, options: MetricsOptions): void {
  app.get("/metrics", async (req, res) => {
    requireOperator(options.operatorToken, req);
    await readStore(options.store);
    const batcher = options.batcher?.();
    if (batcher) {
      batcherState.reset();
      batcherState.set({ state: batcher.state }, 1);
      lastAnchoredBatch.set({}, batcher.lastAnchoredBatch ?? -1);
    }
    res.set("cache-control", "no-store").type(PROMETHEUS_CONTENT_TYPE).send(metrics.render());
  });
}

async function readStore(store: Store): Promise<void> {
  const [count, waiting, last, unanchored] = await Promise.all([store.records.count(), store.records.waiting(), store.batches.last(), store.batches.firstUnanchored()]);
  // Accepted and not yet sequenced, plus (in a store from before sequencing) numbered and not yet batched.
  recordsWaiting.set({}, waiting.count + count - (last === null ? 0 : last.firstSeq + last.count));
  batchesUnanchored.set({}, unanchored === null || last === null ? 0 : last.id - unanchored.id + 1);
}
