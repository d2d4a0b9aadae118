// The process's metrics: counters, gauges and histograms any module may bump, rendered in the Prometheus text
// format (version 0.0.4) at GET /metrics. Gauges that mirror state elsewhere are set by collectors at scrape time.

type LabelValues<L extends string> = { readonly [K in L]: string };

interface Instrument {
  render(): string[];
}

export class Counter<L extends string = never> implements Instrument {
  private readonly values = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly L[],
  ) {}

  inc(labels: LabelValues<L>, by = 1): void {
    const key = labelText(this.labelNames, labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  value(labels: LabelValues<L>): number {
    return this.values.get(labelText(this.labelNames, labels)) ?? 0;
  }

  render(): string[] {
    return [...header(this.name, this.help, "counter"), ...[...this.values].map(([labels, v]) => `${this.name}${labels} ${v}`)];
  }
}

export class Gauge<L extends string = never> implements Instrument {
  private values = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly L[],
  ) {}

  set(labels: LabelValues<L>, value: number): void {
    this.values.set(labelText(this.labelNames, labels), value);
  }

  /** Replaces every value at once: for a gauge whose label set is the state it mirrors (one state at 1, the rest 0). */
  reset(): void {
    this.values = new Map();
  }

  render(): string[] {
    return [...header(this.name, this.help, "gauge"), ...[...this.values].map(([labels, v]) => `${this.name}${labels} ${v}`)];
  }
}

export class Histogram implements Instrument {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    this.buckets.forEach((le, i) => {
      if (value <= le) this.counts[i] += 1;
    });
  }

  render(): string[] {
    const buckets = this.buckets.map((le, i) => `${this.name}_bucket{le="${le}"} ${this.counts[i]}`);
    return [...header(this.name, this.help, "histogram"), ...buckets, `${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`];
  }
}

export class Registry {
  private readonly instruments: Instrument[] = [];

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  render(): string {
    return `${this.instruments.flatMap((i) => i.render()).join("\n")}\n`;
  }

  private add<I extends Instrument>(instrument: I): I {
    this.instruments.push(instrument);
    return instrument;
  }
}

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export const metrics = new Registry();

export const httpRequests = metrics.counter("sealproof_http_requests_total", "HTTP requests answered, by route template and status", ["route", "status"]);
/** accepted, or refused with the error code the client got. */
export const usageOutcomes = metrics.counter("sealproof_usages_total", "Usage submissions answered, by outcome (accepted, refused) and error code", ["outcome", "code"]);
export type OutcomeCounter = typeof usageOutcomes;
export const alertsRaised = metrics.counter("sealproof_alerts_raised_total", "Alerts raised, by alert code", ["code"]);
export const recordsWaiting = metrics.gauge("sealproof_records_waiting", "Evidence records accepted and not yet sequenced into a closed batch");
export const batchesUnanchored = metrics.gauge("sealproof_batches_unanchored", "Closed batches whose root is not yet anchored");
export const batcherState = metrics.gauge("sealproof_batcher_state", "1 for the batcher's current state, 0 for the others", ["state"]);
export const lastAnchoredBatch = metrics.gauge("sealproof_last_anchored_batch", "Id of the last batch this process saw anchored (-1: none yet)");
export const anchorSeconds = metrics.histogram("sealproof_anchor_seconds", "Time from sending a batch root to its confirmation on chain", [0.5, 1, 2, 5, 10, 30, 60, 120, 300]);
export const anchorFailures = metrics.counter("sealproof_anchor_failures_total", "Failed attempts to anchor a batch root, by step (send, confirm)", ["step"]);

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
}

function labelText(names: readonly string[], values: Readonly<Record<string, string>>): string {
  if (names.length === 0) return "";
  return `{${names.map((n) => `${n}="${escapeLabel(values[n])}"`).join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
