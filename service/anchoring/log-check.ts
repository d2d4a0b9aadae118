// The full-log check: every batch's stored records re-hashed into its RFC 6962 SM3 root and compared with the stored
// root and the root SealAnchor holds; batches contiguous from seq 0 over every sequenced record, and as many as the
// chain's. It proves a copy of the log (a restored backup, a MongoDB replica) holds every anchored record, unchanged.
import { buildTree, leafHash, rootOf, sm3, toHex, utf8, type OnChainBatch } from "../evidence";
import type { BatchLog, RecordLog, StoredBatch } from "../store/port";

/** What the check reads from a store: any Store, or the read-only SQLite reader of a file. */
export interface LogSource {
  batches: Pick<BatchLog, "get" | "last" | "recordTexts" | "proof">;
  records: Pick<RecordLog, "count" | "waiting">;
}

/** What the check reads from the chain: one SealAnchor contract. */
export interface AnchorView {
  chainId(): Promise<number>;
  batchCount(): Promise<number>;
  readBatch(batchId: number): Promise<OnChainBatch | null>;
}

export type LogCheckCode =
  | "BATCH_GAP"
  | "RECORDS_MISSING"
  | "ROOT_MISMATCH"
  | "CHAIN_ROOT_MISMATCH"
  | "CHAIN_RANGE_MISMATCH"
  | "BATCHES_MISSING"
  | "LOG_SHORT"
  | "ANCHORED_ELSEWHERE";

export type LogCheckInconclusiveCode = "CHAIN_UNREACHABLE" | "WRONG_CHAIN";

/** A sentence per code, for people: a new code does not compile until it is explained. */
export const LOG_CHECK_EXPLAINED: Record<LogCheckCode | LogCheckInconclusiveCode, string> = {
  BATCH_GAP: "a batch is missing, or does not start where the one before it ended",
  RECORDS_MISSING: "the store holds fewer records than a batch covers: records were removed",
  ROOT_MISMATCH: "the stored records do not hash to the batch's root: a record was changed, removed or replaced, or the stored root was",
  CHAIN_ROOT_MISMATCH: "the records and the stored root agree, but the chain anchored another root for this batch: both were rewritten",
  CHAIN_RANGE_MISMATCH: "the chain anchored this batch over another range of records",
  BATCHES_MISSING: "the chain holds batches the store lacks: their records are not in this copy",
  LOG_SHORT: "the log ends before the last batch does: records were removed from its end",
  ANCHORED_ELSEWHERE: "the store says the batch was anchored in another deployment than the one checked",
  CHAIN_UNREACHABLE: "the chain could not be read, so the roots were compared with the stored ones only",
  WRONG_CHAIN: "the RPC endpoint serves another chain than the pinned deployment's",
};

export interface LogProblem {
  code: LogCheckCode;
  /** The batch it concerns, or null for the log as a whole. */
  batch: number | null;
  message: string;
}

export interface LogCheckReport {
  verdict: "verified" | "failed" | "inconclusive";
  /** The deployment checked against; its chain id as the chain reported it, or as pinned when unreachable. */
  deployment: { chainId: number | null; contract: string };
  /** Sequenced records in the store. */
  records: number;
  /** Closed batches in the store. */
  batches: number;
  chainBatches: number | null;
  /** Records read and re-hashed. */
  checkedRecords: number;
  /**
   * Closed batches the chain does not hold yet (the batcher anchors them); sequenced records in no batch yet (a log
   * numbered before the sequencer, until its first batch); records accepted and waiting for the sequencer.
   */
  pending: { batches: { from: number; to: number } | null; records: number; waiting: number };
  problems: LogProblem[];
  inconclusive: { code: LogCheckInconclusiveCode; message: string } | null;
  seconds: number;
}

export interface LogCheckOptions {
  /** The pinned deployment; chainId null when only the contract is pinned (the RPC's chain is then taken). */
  deployment: { chainId: number | null; contract: string };
  /** Told after each batch: records re-hashed so far, of the last batch's end. */
  onProgress?: (checkedRecords: number, totalRecords: number) => void;
}

/** Chain reads in flight ahead of the batch being hashed: a remote RPC's latency overlaps the hashing. */
const CHAIN_READ_AHEAD = 8;

export async function checkLog(store: LogSource, chain: AnchorView, options: LogCheckOptions): Promise<LogCheckReport> {
  const started = performance.now();
  const contract = options.deployment.contract.toLowerCase();
  const problems: LogProblem[] = [];
  let inconclusive: LogCheckReport["inconclusive"] = null;
  // The chain is read first: a running service anchors a batch only after storing it, so whatever the chain holds now
  // is in the store when the store is read next.
  let onChain: { chainId: number; count: number } | null = null;
  try {
    onChain = { chainId: await chain.chainId(), count: await chain.batchCount() };
  } catch (err) {
    inconclusive = { code: "CHAIN_UNREACHABLE", message: `the chain could not be read: ${messageOf(err)}` };
  }
  const pinnedChainId = options.deployment.chainId;
  if (onChain !== null && pinnedChainId !== null && onChain.chainId !== pinnedChainId) {
    inconclusive = { code: "WRONG_CHAIN", message: `the RPC endpoint serves chain ${onChain.chainId}, the pinned deployment is on chain ${pinnedChainId}` };
    onChain = null;
  }
  const chainId = onChain?.chainId ?? pinnedChainId;
  const last = await store.batches.last();
  const batchCount = last === null ? 0 : last.id + 1;
  const records = await store.records.count();
  const { count: waiting } = await store.records.waiting();
  const end = last === null ? 0 : last.firstSeq + last.count;
  const reads = new ChainReads(chain, onChain?.count ?? 0);

  let checkedRecords = 0;
  let expectedSeq = 0;
  for (let id = 0; id < batchCount; id++) {
    const stored = await store.batches.get(id);
    if (stored === null) {
      problems.push({ code: "BATCH_GAP", batch: id, message: `batch ${id} is missing from the store (the last batch is ${batchCount - 1})` });
      continue;
    }
    if (stored.firstSeq !== expectedSeq) {
      problems.push({ code: "BATCH_GAP", batch: id, message: `batch ${id} starts at seq ${stored.firstSeq}, but ${expectedSeq === 0 ? "the log starts at seq 0" : `the batches before it end at seq ${expectedSeq - 1}`}` });
    }
    expectedSeq = stored.firstSeq + stored.count;
    if (stored.anchor !== null && (stored.anchor.contract.toLowerCase() !== contract || (chainId !== null && stored.anchor.chainId !== chainId))) {
      problems.push({ code: "ANCHORED_ELSEWHERE", batch: id, message: `${rangeOf(stored)}: the store says it was anchored in ${stored.anchor.chainId}:${stored.anchor.contract.toLowerCase()}, not in the deployment checked` });
    }
    const texts = await store.batches.recordTexts(stored.firstSeq, stored.count);
    checkedRecords += texts.length;
    const recomputed = texts.length === stored.count ? toHex(rootOf(buildTree(sm3, texts.map(utf8)))) : null;
    let anchored: OnChainBatch | null = null;
    if (inconclusive === null && id < reads.count) {
      try {
        anchored = await reads.batch(id);
      } catch (err) {
        inconclusive = { code: "CHAIN_UNREACHABLE", message: `the chain stopped answering at batch ${id}: ${messageOf(err)}` };
      }
    }
    const problem = await judgeBatch(store, stored, texts, recomputed, anchored);
    if (problem !== null) problems.push(problem);
    options.onProgress?.(checkedRecords, end);
  }

  if (onChain !== null && inconclusive === null && onChain.count > batchCount) {
    const first = await reads.batch(batchCount).catch(() => null);
    problems.push({
      code: "BATCHES_MISSING",
      batch: batchCount,
      message: `the chain holds ${onChain.count} batches, the store ${batchCount}: batches ${batchCount}–${onChain.count - 1}${first === null ? "" : ` (records from seq ${first.firstSeq} on)`} are not in this copy`,
    });
  }
  if (records < end) {
    problems.push({ code: "LOG_SHORT", batch: null, message: `the log holds ${records} sequenced records (seq 0–${records - 1}), but the batches cover seq 0–${end - 1}` });
  }
  const anchoredCount = onChain === null ? null : Math.min(onChain.count, batchCount);
  const verdict = problems.length > 0 ? "failed" : inconclusive !== null ? "inconclusive" : "verified";
  return {
    verdict,
    deployment: { chainId, contract },
    records,
    batches: batchCount,
    chainBatches: onChain?.count ?? null,
    checkedRecords,
    pending: {
      batches: anchoredCount !== null && anchoredCount < batchCount ? { from: anchoredCount, to: batchCount - 1 } : null,
      records: Math.max(0, records - end),
      waiting,
    },
    problems,
    inconclusive,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * One batch's verdict from its records' root (null when records are missing), the stored root and the chain's: the
 * message says which of the three disagree, and names the first record that differs when the store can tell.
 */
async function judgeBatch(store: LogSource, stored: StoredBatch, texts: string[], recomputed: string | null, anchored: OnChainBatch | null): Promise<LogProblem | null> {
  const batch = stored.id;
  const range = rangeOf(stored);
  if (anchored !== null && (anchored.firstSeq !== stored.firstSeq || anchored.count !== stored.count)) {
    return { code: "CHAIN_RANGE_MISMATCH", batch, message: `${range}: the chain anchored batch ${batch} over seq ${anchored.firstSeq}–${anchored.firstSeq + anchored.count - 1}` };
  }
  if (recomputed === null) {
    const which = (await firstDifference(store, stored, texts)) ?? `the store returns ${texts.length} of its ${stored.count} records`;
    return { code: "RECORDS_MISSING", batch, message: `${range}: ${which}` };
  }
  const chainRoot = anchored?.root ?? null;
  if (recomputed === stored.root && (chainRoot === null || chainRoot === recomputed)) return null;
  if (recomputed === stored.root) {
    const which = await firstDifference(store, stored, texts);
    return { code: "CHAIN_ROOT_MISMATCH", batch, message: `${range}: the records and the stored root give ${recomputed}, the chain holds ${chainRoot}${which === null ? "" : `; ${which}`}` };
  }
  if (chainRoot === recomputed) {
    return { code: "ROOT_MISMATCH", batch, message: `${range}: the stored root ${stored.root} differs from the records' root ${recomputed}, which the chain holds: the stored root was changed` };
  }
  const which = await firstDifference(store, stored, texts);
  const roots = chainRoot === null ? `the stored root is ${stored.root}` : chainRoot === stored.root ? `the stored and anchored root is ${stored.root}` : `the stored root is ${stored.root}, the chain's ${chainRoot}`;
  return { code: "ROOT_MISMATCH", batch, message: `${range}: the records hash to ${recomputed}, ${roots}${which === null ? "" : `; ${which}`}` };
}

/**
 * The first record of the batch that is not the one hashed when the batch closed: missing (another seq, or none, in
 * its place) or changed (its leaf hash is not the one stored with its proof). Null when every record matches.
 */
async function firstDifference(store: LogSource, batch: StoredBatch, texts: string[]): Promise<string | null> {
  for (let i = 0; i < texts.length; i++) {
    const seq = batch.firstSeq + i;
    const found = seqOf(texts[i]);
    if (found !== seq) return `record seq ${seq} is missing (the store returns ${found === null ? "a record without a seq" : `seq ${found}`} in its place)`;
    const proof = await store.batches.proof(seq);
    if (proof !== null && proof.leaf !== toHex(leafHash(sm3, utf8(texts[i])))) return `record seq ${seq} was changed (its leaf hash is not the one stored when the batch closed)`;
  }
  if (texts.length < batch.count) return `records from seq ${batch.firstSeq + texts.length} to ${batch.firstSeq + batch.count - 1} are missing`;
  return null;
}

function seqOf(text: string): number | null {
  try {
    const seq = (JSON.parse(text) as { seq?: unknown }).seq;
    return typeof seq === "number" ? seq : null;
  } catch {
    return null;
  }
}

function rangeOf(batch: StoredBatch): string {
  return `batch ${batch.id} (seq ${batch.firstSeq}–${batch.firstSeq + batch.count - 1})`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The chain's batches, read a few ahead of the one asked for. */
class ChainReads {
  private readonly ahead = new Map<number, Promise<OnChainBatch | null>>();

  constructor(
    private readonly chain: AnchorView,
    readonly count: number,
  ) {}

  batch(id: number): Promise<OnChainBatch | null> {
    for (let next = id; next < Math.min(id + CHAIN_READ_AHEAD, this.count); next++) {
      if (this.ahead.has(next)) continue;
      const read = this.chain.readBatch(next);
      // Marked handled here; whoever asks for this batch still awaits it and sees the failure.
      read.catch(() => undefined);
      this.ahead.set(next, read);
    }
    const read = this.ahead.get(id) ?? this.chain.readBatch(id);
    this.ahead.delete(id);
    return read;
  }
}
