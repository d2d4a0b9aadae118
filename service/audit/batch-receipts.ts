// Receipts judged a batch at a time. A receipt goes through verifyReceipt (chain, anchor, proof) when it opens a batch
// or cannot be judged the short way; the receipts after it in the same batch, as lines in the exporter's layout, are
// judged in their bytes: the same batch and anchor text as that receipt, a canonical record that hashes to the proof's
// leaf at its place, and a path that agrees with the previous receipt's (path-walk.ts). A receipt that fails the short
// way is judged by verifyReceipt, whose code and words the finding then carries. The chain's answers are not waited
// for line by line: reading goes on while they come, and a batch the chain does not hold as the receipts say is
// reported, once it answers, against every receipt of it judged the short way meanwhile.
import { EvidenceError, verifyReceipt, type ChainReader, type Deployment, type EvidenceRecord, type OnChainBatch, type OnChainTx, type ReceiptBundle, type StepResult } from "../evidence";
import { fromHex, toHex } from "../evidence/bytes";
import { HASH_SIZE } from "../evidence/hash";
import { RFC6962_LEAF_HASH_PREFIX } from "../evidence/merkle";
import { parseRecord } from "../evidence/receipt";
import { recordLeafHash } from "../evidence/record";
import { sm3Into } from "../evidence/sm3";
import { parseCanonicalObject } from "./canonical-text";
import { hexEquals } from "./hex-digits";
import { PathWalk } from "./path-walk";
import { pathEntries, receiptLineLayout } from "./receipt-line";

/** Where a finding about one receipt points: its record's place in the company's chain and its receipt id. */
export interface ReceiptPlace {
  cseq: number | null;
  receipt: string | null;
}

/** Hears each receipt step that failed. */
export type FailedStep = (place: ReceiptPlace, step: StepResult) => void;

/** A receipt judged from its line: its record, its leaf hash (hex) and its batch. */
export interface LineJudgement {
  record: EvidenceRecord;
  leaf: string;
  batch: number;
}

/** The steps verifyReceipt runs that concern the batch and its anchor rather than the one record. */
const BATCH_STEPS = new Set(["deployment", "chain", "anchor"]);
/** Receipts whose verifyReceipt may be waiting for the chain at once: enough to hide its latency, few enough to bound memory. */
const UNANSWERED = 64;

/** A batch as its first receipt named it, and what the chain has said of it so far. */
interface OpenBatch {
  key: string;
  /** The first batch step that failed for its first receipt; null when none did, undefined until the chain has answered. */
  failed: StepResult | null | undefined;
  /** Receipts judged the short way before the chain answered. */
  waiting: ReceiptPlace[];
}

/** What a line must repeat of a receipt verified in full, and where its path is followed from. */
interface ShortWay {
  batch: OpenBatch;
  firstSeq: number;
  count: number;
  id: number;
  /** The line's text after its path: `]},"batch":…,"anchor":…,"hash":"sm3"}`, as the exporter writes it. */
  suffix: Buffer;
  walk: PathWalk;
}

export class BatchReceipts {
  private batch: OpenBatch | null = null;
  private shortWay: ShortWay | null = null;
  private readonly unanswered = new Set<Promise<void>>();
  private readonly chain: ChainReader;
  /** The leaf hash of the line being judged the short way. */
  private readonly leaf = new Uint8Array(HASH_SIZE);
  /**
   * The leaf prefix and the line's record bytes behind it, kept across lines and grown for a longer record: records
   * differ in length, and a new array per line (as leafHasher makes then) cost more than hashing it.
   */
  private leafInput = new Uint8Array(0);

  constructor(
    chain: ChainReader,
    private readonly deployment: Deployment,
    private readonly failedStep: FailedStep,
  ) {
    this.chain = cachedChain(chain);
  }

  /**
   * Judges one parsed receipt, whose raw form `input` verifyReceipt reads; signatures are not judged here. Returns its
   * leaf hash (hex; null when the record cannot be hashed) at once; a failed step is told to `failedStep` when known.
   */
  async judge(input: unknown, receipt: ReceiptBundle, place: ReceiptPlace): Promise<string | null> {
    let leaf: Uint8Array | null = null;
    try {
      leaf = recordLeafHash(receipt.record);
    } catch (err) {
      if (!(err instanceof EvidenceError)) throw err;
    }
    const key = batchKey(receipt);
    const opens = key !== this.batch?.key;
    if (opens) {
      while (this.unanswered.size >= UNANSWERED) await Promise.race(this.unanswered);
      this.batch = { key, failed: undefined, waiting: [] };
      this.shortWay = null;
    }
    const batch = this.batch as OpenBatch;
    this.track(
      verifyReceipt(input, this.chain, { deployment: this.deployment }).then((report) => {
        const steps = report.steps.filter((s) => s.step !== "signature");
        if (opens) this.answered(batch, steps.find((s) => BATCH_STEPS.has(s.step) && !s.ok) ?? null);
        const failed = steps.find((s) => !s.ok);
        if (failed !== undefined) this.failedStep(place, failed);
      }),
    );
    const hex = leaf === null ? null : toHex(leaf);
    if (leaf !== null && hex === receipt.proof.leaf && positionHolds(receipt)) this.shortWay = startShortWay(batch, receipt, leaf) ?? this.shortWay;
    return hex;
  }

  /**
   * Judges a receipt line of the batch of the last receipt judged in full, in its bytes; null when it cannot be
   * judged so (another layout, batch or company than `company` when given, or anything that does not hold), and then
   * it goes to `judge`.
   */
  judgeLine(line: Buffer, company: string | null): LineJudgement | null {
    const way = this.shortWay;
    if (way === null) return null;
    const layout = receiptLineLayout(line, way.suffix);
    if (layout === null || layout.treeSize !== way.count) return null;
    // The line's suffix is the verified receipt's batch, anchor and format, byte for byte, and its path is judged in its
    // bytes below: what is left to parse is its record, as parseReceipt would.
    const input = parseCanonicalObject(line, layout.recordStart, layout.recordEnd);
    const record = input === null ? null : parseRecord(input);
    if (record === null || typeof record === "string" || record.seq - way.firstSeq !== layout.leafIndex) return null;
    if (company !== null && record.company !== company) return null;
    const leaf = this.hashLeaf(line, layout.recordStart, layout.recordEnd);
    if (!hexEquals(line, layout.leafAt, leaf, 0) || !way.walk.follow(layout.leafIndex, leaf, line, layout.pathAt, layout.pathCount)) return null;
    if (way.batch.failed === undefined) way.batch.waiting.push(placeOf(record));
    else if (way.batch.failed !== null) this.failedStep(placeOf(record), way.batch.failed);
    return { record, leaf: line.toString("latin1", layout.leafAt, layout.leafAt + 2 * leaf.length), batch: way.id };
  }

  /** SM3(0x00 ‖ line[start, end)) into this.leaf, which it returns. */
  private hashLeaf(line: Buffer, start: number, end: number): Uint8Array {
    const length = end - start + 1;
    if (this.leafInput.length < length) {
      this.leafInput = new Uint8Array(Math.max(length, 2 * this.leafInput.length));
      this.leafInput[0] = RFC6962_LEAF_HASH_PREFIX;
    }
    line.copy(this.leafInput, 1, start, end);
    sm3Into(this.leafInput.subarray(0, length), this.leaf, 0);
    return this.leaf;
  }

  /** Waits for every answer still due from the chain. */
  async settled(): Promise<void> {
    while (this.unanswered.size > 0) await Promise.all([...this.unanswered]);
  }

  private answered(batch: OpenBatch, failed: StepResult | null): void {
    batch.failed = failed;
    if (failed !== null) for (const place of batch.waiting) this.failedStep(place, failed);
    batch.waiting = [];
  }

  private track(answer: Promise<void>): void {
    const tracked = answer.finally(() => this.unanswered.delete(tracked));
    this.unanswered.add(tracked);
  }
}

/**
 * The short way from a receipt whose own steps hold (its leaf, place and path lead to its batch's root), so that
 * only the batch's steps, the same for every receipt repeating its batch and anchor text, are left to the chain.
 */
function startShortWay(batch: OpenBatch, receipt: ReceiptBundle, leaf: Uint8Array): ShortWay | null {
  const { proof, batch: named, anchor } = receipt;
  const walk = PathWalk.start(proof.treeSize, proof.leafIndex, leaf, pathEntries(proof.path), proof.path.length, fromHex(named.root));
  if (walk === null) return null;
  const suffix = Buffer.from(`]},"batch":${JSON.stringify(named)},"anchor":${JSON.stringify(anchor)},"hash":"sm3"}`);
  return { batch, firstSeq: named.firstSeq, count: named.count, id: named.id, suffix, walk };
}

export function placeOf(record: EvidenceRecord): ReceiptPlace {
  return { cseq: record.v === 2 ? record.cseq : null, receipt: typeof record.data.receipt === "string" ? record.data.receipt : null };
}

function positionHolds({ record, proof, batch }: ReceiptBundle): boolean {
  return proof.treeSize === batch.count && record.seq - batch.firstSeq === proof.leafIndex;
}

function batchKey({ batch, anchor }: ReceiptBundle): string {
  return [batch.id, batch.root, batch.firstSeq, batch.count, anchor.chainId, anchor.contract.toLowerCase(), anchor.txHash.toLowerCase(), anchor.blockNumber].join(" ");
}

/** The chain read once per batch and per transaction: a bundle's receipts name the same few many times. */
export function cachedChain(chain: ChainReader): ChainReader {
  const batches = new Map<number, Promise<OnChainBatch | null>>();
  const txs = new Map<string, Promise<OnChainTx | null>>();
  let chainId: Promise<number> | null = null;
  const remembered = <K, V>(map: Map<K, Promise<V>>, key: K, read: () => Promise<V>): Promise<V> => {
    let value = map.get(key);
    if (value === undefined) {
      value = read();
      // A failed read is not kept: the next receipt asks the chain again.
      value.catch(() => map.delete(key));
      map.set(key, value);
    }
    return value;
  };
  return {
    chainId: () => {
      chainId ??= chain.chainId();
      chainId.catch(() => (chainId = null));
      return chainId;
    },
    readBatch: (id) => remembered(batches, id, () => chain.readBatch(id)),
    readTransaction: (hash) => remembered(txs, hash.toLowerCase(), () => chain.readTransaction(hash)),
  };
}
