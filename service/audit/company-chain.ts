// The company's hash chain as a bundle shows it: cseq contiguous, each record's prev the leaf hash of the one before.
// Places skipped are held as intervals until a later record fills one (reordered) or the bundle ends (missing).
import { GENESIS_PREV, type EvidenceRecord } from "../evidence";
import type { BundleCode } from "./findings";

export interface ChainProblem {
  code: BundleCode;
  cseq: number;
  message: string;
}

export class CompanyChain {
  /** The cseq the next record should have; null until the first record (or predecessor) is seen. */
  private expected: number | null = null;
  private lastLeaf: string | null = null;
  private readonly missing: [number, number][] = [];
  /** The cseq of the first record of the range (not the predecessor's). */
  first: number | null = null;

  /** Starts the chain at the predecessor: the record just before the range. */
  link(cseq: number, leaf: string): void {
    this.advance(cseq, leaf);
  }

  /**
   * Judges one record: its cseq (implied for a v1 record) and, for v2, its prev. `leaf` is its own leaf hash, hex.
   * The first record of a chain not started by a predecessor must be the company's first (cseq 0) to be linked.
   */
  add(record: EvidenceRecord, leaf: string): ChainProblem[] {
    const problems: ChainProblem[] = [];
    const cseq = record.v === 2 ? record.cseq : (this.expected ?? 0);
    this.first ??= cseq;
    if (this.expected === null) {
      if (cseq !== 0) problems.push({ code: "RANGE_NOT_LINKED", cseq, message: `the bundle starts at cseq ${cseq} without the receipt of record ${cseq - 1}` });
      else if (record.v === 2 && record.prev !== GENESIS_PREV) problems.push({ code: "PREV_MISMATCH", cseq, message: "the company's first record has a prev other than zeros" });
      this.advance(cseq, leaf);
      return problems;
    }
    if (cseq > this.expected) {
      this.missing.push([this.expected, cseq - 1]);
      this.advance(cseq, leaf);
      return problems;
    }
    if (cseq < this.expected) {
      if (this.fill(cseq)) problems.push({ code: "CSEQ_OUT_OF_ORDER", cseq, message: `cseq ${cseq} comes after cseq ${this.expected - 1}` });
      else problems.push({ code: "CSEQ_REPEATED", cseq, message: `a second record claims cseq ${cseq}` });
      return problems;
    }
    if (record.v === 2 && record.prev !== this.lastLeaf) {
      problems.push({ code: "PREV_MISMATCH", cseq, message: `prev ${record.prev.slice(0, 16)}… is not the leaf hash of cseq ${cseq - 1} (${(this.lastLeaf ?? "").slice(0, 16)}…)` });
    }
    this.advance(cseq, leaf);
    return problems;
  }

  /** The places still missing once the bundle has ended. */
  gaps(): ChainProblem[] {
    return this.missing.map(([from, to]) => ({ code: "CSEQ_GAP", cseq: from, message: from === to ? `cseq ${from} is missing` : `cseq ${from}–${to} are missing` }));
  }

  private advance(cseq: number, leaf: string): void {
    this.expected = cseq + 1;
    this.lastLeaf = leaf;
  }

  /** Takes `cseq` out of the missing places; false when it was never missing (it was seen already). */
  private fill(cseq: number): boolean {
    const i = this.missing.findIndex(([from, to]) => cseq >= from && cseq <= to);
    if (i < 0) return false;
    const [from, to] = this.missing[i];
    const rest: [number, number][] = [];
    if (from < cseq) rest.push([from, cseq - 1]);
    if (cseq < to) rest.push([cseq + 1, to]);
    this.missing.splice(i, 1, ...rest);
    return true;
  }
}
