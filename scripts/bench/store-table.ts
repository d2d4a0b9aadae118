// bench:store's rows and the one table they print as: a rate with p50/p99, and for concurrent writers what they shared.

/** What concurrent writers shared in a round: a row every transaction wrote, and attempts the store ran again. */
export interface Sharing {
  /** Committed transactions that wrote a row some other transaction also wrote. */
  readonly sharedRowTx: number;
  /** Attempts of a transaction's fn beyond its first: the store re-ran it after a conflict. */
  readonly reruns: number;
  /** Time spent in attempts that were run again, summed over transactions: waiting for a row another writer held. */
  readonly rerunMs: number;
}

export interface Row {
  readonly name: string;
  readonly rate: number;
  readonly unit: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly sharing?: Sharing;
}

/** A store the bench could not run against, and why: printed as a row with no figures. */
export function skippedRow(name: string, reason: string): Row {
  return { name: `${name}: skipped (${reason})`, rate: Number.NaN, unit: "", p50Ms: Number.NaN, p99Ms: Number.NaN };
}

export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** `method` lines first (how it was measured), then the rows. */
export function formatTable(rows: readonly Row[], method: readonly string[]): string {
  const header = ["case", "rate", "unit", "p50 ms", "p99 ms", "shared-row tx", "re-runs", "re-run ms"];
  const figure = (value: number, places: number): string => (Number.isNaN(value) ? "" : value.toFixed(places));
  const body = rows.map((row) => [
    row.name,
    figure(row.rate, 0),
    row.unit,
    figure(row.p50Ms, 2),
    figure(row.p99Ms, 2),
    row.sharing === undefined ? "" : String(row.sharing.sharedRowTx),
    row.sharing === undefined ? "" : String(row.sharing.reruns),
    row.sharing === undefined ? "" : row.sharing.rerunMs.toFixed(0),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((line) => line[c].length)));
  const format = (line: readonly string[]): string =>
    line.map((cell, c) => (c === 0 || c === 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [...method, format(header), rule, ...body.map(format)].join("\n");
}
