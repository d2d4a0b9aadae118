// Receipts judged a batch at a time. The first receipt of a batch goes through verifyReceipt (chain, anchor, proof);
// a later one naming the same batch and anchor needs only its leaf, position and path, and paths are walked up only
// until they meet a node an earlier receipt of the batch proved, so a batch's receipts cost about one tree's hashes.
// A receipt that fails the short way is judged again by verifyReceipt, whose code and words the finding then carries.
import { EvidenceError, equalBytes, fromHex, nodeHash, recordLeafHash, sm3, toHex, verifyReceipt, type ChainReader, type Deployment, type OnChainBatch, type OnChainTx, type ReceiptBundle, type StepResult } from "../evidence";

export type ReceiptJudgement = { ok: true; leaf: string } | { ok: false; leaf: string | null; step: StepResult };

/** The steps verifyReceipt runs that concern the batch and its anchor rather than the one record. */
const BATCH_STEPS = new Set(["deployment", "chain", "anchor"]);

export class BatchReceipts {
  private batchKey: string | null = null;
  private batchProved = false;
  private root: Uint8Array = new Uint8Array(0);
  /**
   * Nodes of the current batch's tree proved to lead to its root, by nodeKey(level, index), with the path above them
   * (`path` from `from` on) that a later receipt meeting the node must carry too.
   */
  private proved = new Map<number, { node: Uint8Array; path: readonly string[]; from: number }>();
  private readonly chain: ChainReader;

  constructor(
    chain: ChainReader,
    private readonly deployment: Deployment,
  ) {
    this.chain = cachedChain(chain);
  }

  /** Judges one parsed receipt, whose raw form `input` verifyReceipt reads again when needed; signatures are not judged here. */
  async judge(input: unknown, receipt: ReceiptBundle): Promise<ReceiptJudgement> {
    let leaf: string | null = null;
    try {
      leaf = toHex(recordLeafHash(receipt.record));
    } catch (err) {
      if (!(err instanceof EvidenceError)) throw err;
    }
    const key = batchKey(receipt);
    if (key !== this.batchKey) {
      this.batchKey = key;
      this.proved = new Map();
      this.root = fromHex(receipt.batch.root);
      const steps = await this.fully(input);
      this.batchProved = steps.filter((s) => BATCH_STEPS.has(s.step)).every((s) => s.ok);
      const failed = steps.find((s) => !s.ok);
      if (failed !== undefined) return { ok: false, leaf, step: failed };
      if (leaf !== null) this.walk(receipt, fromHex(leaf));
      return { ok: true, leaf: leaf ?? "" };
    }
    if (this.batchProved && leaf !== null && leaf === receipt.proof.leaf && positionHolds(receipt) && this.walk(receipt, fromHex(leaf))) return { ok: true, leaf };
    const failed = (await this.fully(input)).find((s) => !s.ok);
    return failed === undefined ? { ok: true, leaf: leaf ?? "" } : { ok: false, leaf, step: failed };
  }

  /** verifyReceipt's steps but the signature's, which the caller judges on the worker pool. */
  private async fully(input: unknown): Promise<StepResult[]> {
    const report = await verifyReceipt(input, this.chain, { deployment: this.deployment });
    return report.steps.filter((s) => s.step !== "signature");
  }

  /**
   * RFC 9162 §2.1.3.2 from the leaf up, stopping at the first node already proved: true when the path reaches the
   * batch root or a proved node with the same hash. The nodes it computed are then proved too.
   */
  private walk({ proof }: ReceiptBundle, leaf: Uint8Array): boolean {
    if (proof.leafIndex >= proof.treeSize) return false;
    let fn = proof.leafIndex;
    let sn = proof.treeSize - 1;
    let level = 0;
    let r = leaf;
    const computed: [number, Uint8Array, number][] = [];
    for (let i = 0; i < proof.path.length; i++) {
      if (sn === 0) return false;
      const p = fromHex(proof.path[i]);
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(sm3, p, r);
        while (fn % 2 === 0 && fn !== 0) [fn, sn, level] = [fn >>> 1, sn >>> 1, level + 1];
      } else {
        r = nodeHash(sm3, r, p);
      }
      [fn, sn, level] = [fn >>> 1, sn >>> 1, level + 1];
      const known = this.proved.get(nodeKey(level, fn));
      if (known !== undefined) return equalBytes(known.node, r) && sameRest(proof.path, i + 1, known.path, known.from) && this.remember(computed, proof.path);
      computed.push([nodeKey(level, fn), r, i + 1]);
    }
    return sn === 0 && equalBytes(r, this.root) && this.remember(computed, proof.path);
  }

  private remember(computed: [number, Uint8Array, number][], path: readonly string[]): true {
    for (const [key, node, from] of computed) this.proved.set(key, { node, path, from });
    return true;
  }
}

/** Whether two paths agree from their given places on: above a shared node, two proofs of one tree are the same. */
function sameRest(a: readonly string[], i: number, b: readonly string[], j: number): boolean {
  if (a.length - i !== b.length - j) return false;
  for (let k = 0; i + k < a.length; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

const nodeKey = (level: number, index: number): number => level * 2 ** 32 + index;

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
