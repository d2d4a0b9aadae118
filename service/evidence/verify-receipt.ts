// verifyReceipt(): judges a receipt bundle against the chain, step by step, without trusting its issuer.
// Chain access is injected (ChainReader) so this module stays free of ethers and runs in the browser.
import { equalBytes, fromHex, toHex } from "./bytes";
import { EvidenceError } from "./errors";
import { sm3 } from "./hash";
import { rootFromInclusionProof } from "./merkle";
import { parseReceipt, type ReceiptAnchor, type ReceiptBundle } from "./receipt";
import { recordLeafHash } from "./record";
import { usageTbsFromRecord, verifyUsageSignature } from "./usage";

export type VerifyStep = "format" | "leaf" | "position" | "chain" | "proof" | "anchor" | "signature";

export type VerifyCode =
  | "FORMAT_INVALID"
  | "RECORD_NOT_CANONICAL"
  | "LEAF_MISMATCH"
  | "POSITION_MISMATCH"
  | "CHAIN_UNREACHABLE"
  | "CHAIN_MISMATCH"
  | "BATCH_NOT_ON_CHAIN"
  | "BATCH_RANGE_MISMATCH"
  | "ROOT_MISMATCH"
  | "PROOF_INVALID"
  | "ANCHOR_TX_NOT_FOUND"
  | "ANCHOR_TX_MISMATCH"
  | "SEAL_RECEIPT_MISSING"
  | "SEAL_RECEIPT_INVALID"
  | "SIGNATURE_INVALID";

/** What the contract stores for an anchored batch; `root` is lowercase hex without 0x. */
export interface OnChainBatch {
  root: string;
  firstSeq: number;
  count: number;
  anchoredAt: number;
  blockNumber: number;
}

export interface OnChainTx {
  blockNumber: number;
  to: string | null;
  succeeded: boolean;
}

export interface ChainReader {
  chainId(): Promise<number>;
  /** The batch as stored by the contract, or null when the contract has no batch with this id. */
  readBatch(anchor: ReceiptAnchor, batchId: number): Promise<OnChainBatch | null>;
  /** The anchoring transaction's receipt, or null when the chain does not know the hash. */
  readTransaction(txHash: string): Promise<OnChainTx | null>;
}

export interface StepResult {
  step: VerifyStep;
  ok: boolean;
  code?: VerifyCode;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** The code of the first failed step, in step order; null when every step passed. */
  code: VerifyCode | null;
  steps: StepResult[];
  onChain: OnChainBatch | null;
}

export interface VerifyOptions {
  /** For `seal.used`: the seal's own `seal.registered` receipt, which carries its public key. */
  sealReceipt?: unknown;
}

/**
 * Checks, in order: the bundle's shape; the record hashes to the proof's leaf; the leaf's position
 * matches the record's seq; the chain holds this batch with this range and root; the path leads from
 * the leaf to that root; the anchoring transaction is on chain; and for `seal.used`, the SM2 signature
 * against the key in the seal's verified registration receipt. Every step runs; `code` names the first failure.
 */
export async function verifyReceipt(input: unknown, chain: ChainReader, options: VerifyOptions = {}): Promise<VerifyReport> {
  const parsed = parseReceipt(input);
  if (!parsed.ok) {
    return { ok: false, code: "FORMAT_INVALID", steps: [fail("format", "FORMAT_INVALID", parsed.reason)], onChain: null };
  }
  const bundle = parsed.bundle;
  const steps: StepResult[] = [pass("format", "The receipt is well formed.")];
  steps.push(checkLeaf(bundle), checkPosition(bundle));
  const { step: chainStep, onChain } = await checkChain(bundle, chain);
  steps.push(chainStep, checkProof(bundle), await checkAnchorTx(bundle, chain, onChain));
  if (bundle.record.type === "seal.used") steps.push(await checkSignature(bundle, chain, options.sealReceipt));
  const failed = steps.find((s) => !s.ok);
  return { ok: failed === undefined, code: failed?.code ?? null, steps, onChain };
}

function checkLeaf(bundle: ReceiptBundle): StepResult {
  let leaf: Uint8Array;
  try {
    leaf = recordLeafHash(bundle.record);
  } catch (err) {
    if (err instanceof EvidenceError) return fail("leaf", "RECORD_NOT_CANONICAL", "The record cannot be put in canonical form.");
    throw err;
  }
  if (toHex(leaf) !== bundle.proof.leaf) return fail("leaf", "LEAF_MISMATCH", "The record's SM3 hash differs from the leaf in the proof: the record was changed.");
  return pass("leaf", "The record's SM3 hash matches the proof's leaf.");
}

function checkPosition({ record, proof, batch }: ReceiptBundle): StepResult {
  const consistent = proof.treeSize === batch.count && record.seq - batch.firstSeq === proof.leafIndex;
  if (!consistent) return fail("position", "POSITION_MISMATCH", "The record's sequence number does not match its place in the batch.");
  return pass("position", `Record ${record.seq} is leaf ${proof.leafIndex} of ${proof.treeSize} in batch ${batch.id}.`);
}

async function checkChain(bundle: ReceiptBundle, chain: ChainReader): Promise<{ step: StepResult; onChain: OnChainBatch | null }> {
  const { batch, anchor } = bundle;
  let onChain: OnChainBatch | null;
  try {
    const chainId = await chain.chainId();
    if (chainId !== anchor.chainId) {
      return { step: fail("chain", "CHAIN_MISMATCH", `The node serves chain ${chainId}, the receipt names chain ${anchor.chainId}.`), onChain: null };
    }
    onChain = await chain.readBatch(anchor, batch.id);
  } catch (err) {
    return { step: fail("chain", "CHAIN_UNREACHABLE", `The chain could not be read: ${errorText(err)}`), onChain: null };
  }
  if (onChain === null) return { step: fail("chain", "BATCH_NOT_ON_CHAIN", `The contract holds no batch ${batch.id}.`), onChain };
  if (onChain.firstSeq !== batch.firstSeq || onChain.count !== batch.count) {
    return { step: fail("chain", "BATCH_RANGE_MISMATCH", `Batch ${batch.id} on chain covers other records than the receipt says.`), onChain };
  }
  if (onChain.root !== batch.root) return { step: fail("chain", "ROOT_MISMATCH", `The root anchored for batch ${batch.id} differs from the receipt's root.`), onChain };
  return { step: pass("chain", `The chain holds batch ${batch.id} with this root.`), onChain };
}

function checkProof({ proof, batch }: ReceiptBundle): StepResult {
  const root = rootFromInclusionProof(sm3, proof.leafIndex, proof.treeSize, fromHex(proof.leaf), proof.path.map((p) => fromHex(p)));
  if (root === null || !equalBytes(root, fromHex(batch.root))) {
    return fail("proof", "PROOF_INVALID", "The inclusion proof does not lead from the record to the batch root.");
  }
  return pass("proof", "The inclusion proof leads from the record to the batch root.");
}

async function checkAnchorTx({ anchor }: ReceiptBundle, chain: ChainReader, onChain: OnChainBatch | null): Promise<StepResult> {
  let tx: OnChainTx | null;
  try {
    tx = await chain.readTransaction(anchor.txHash);
  } catch (err) {
    return fail("anchor", "CHAIN_UNREACHABLE", `The anchoring transaction could not be read: ${errorText(err)}`);
  }
  if (tx === null || !tx.succeeded) return fail("anchor", "ANCHOR_TX_NOT_FOUND", "The chain has no successful anchoring transaction with this hash.");
  const sameContract = tx.to !== null && tx.to.toLowerCase() === anchor.contract.toLowerCase();
  const sameBlock = tx.blockNumber === anchor.blockNumber && (onChain === null || onChain.blockNumber === anchor.blockNumber);
  if (!sameContract || !sameBlock) return fail("anchor", "ANCHOR_TX_MISMATCH", "The anchoring transaction is not the one that stored this batch.");
  return pass("anchor", `Anchored by transaction ${anchor.txHash} in block ${anchor.blockNumber}.`);
}

async function checkSignature(bundle: ReceiptBundle, chain: ChainReader, sealReceipt: unknown): Promise<StepResult> {
  const usage = usageTbsFromRecord(bundle.record);
  if (usage === null) return fail("signature", "SIGNATURE_INVALID", "The usage record does not carry a signed TBS.");
  if (sealReceipt === undefined) return fail("signature", "SEAL_RECEIPT_MISSING", "The seal's registration receipt is needed to check the signature.");
  const sealReport = await verifyReceipt(sealReceipt, chain);
  const seal = (sealReceipt as ReceiptBundle).record;
  const publicKey = sealReport.ok ? seal.data.publicKey : undefined;
  if (!sealReport.ok || seal.type !== "seal.registered" || seal.subject !== usage.tbs.seal || typeof publicKey !== "string") {
    return fail("signature", "SEAL_RECEIPT_INVALID", "The seal's registration receipt does not verify or is for another seal.");
  }
  if (!verifyUsageSignature(usage.tbs, usage.signature, publicKey)) {
    return fail("signature", "SIGNATURE_INVALID", "The SM2 signature does not verify with the seal's registered public key.");
  }
  return pass("signature", "The SM2 signature verifies with the seal's registered public key.");
}

const pass = (step: VerifyStep, message: string): StepResult => ({ step, ok: true, message });
const fail = (step: VerifyStep, code: VerifyCode, message: string): StepResult => ({ step, ok: false, code, message });
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
