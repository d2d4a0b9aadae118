// verifyReceipt(): judges a receipt bundle against the chain, step by step, without trusting its issuer.
// Chain access is injected (ChainReader) so this module stays free of ethers and runs in the browser.
import { equalBytes, fromHex, toHex } from "./bytes";
import { formatDeployment, sameDeployment, type Deployment } from "./deployment";
import { EvidenceError } from "./errors";
import { sm3 } from "./hash";
import { rootFromInclusionProof } from "./merkle";
import { parseReceipt, type ReceiptBundle } from "./receipt";
import { recordLeafHash, type EvidenceRecord } from "./record";
import { recordSpec, type SealFacts } from "./record-specs";
import { fail, pass, type StepResult, type VerifyCode } from "./verify-steps";

export type { StepResult, VerifyCode, VerifyStep } from "./verify-steps";

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

/** Reads one chain and one SealAnchor: the pinned deployment's, never an address taken from a receipt. */
export interface ChainReader {
  chainId(): Promise<number>;
  /** The batch as stored by the pinned contract, or null when it has no batch with this id. */
  readBatch(batchId: number): Promise<OnChainBatch | null>;
  /** The anchoring transaction's receipt, or null when the chain does not know the hash. */
  readTransaction(txHash: string): Promise<OnChainTx | null>;
}

/** Facts that come from verified, anchored records only (never from the service's word). */
export interface AnchoredFacts {
  company: { id: string; name: string | null; creditCode: string | null } | null;
  seal: SealFacts | null;
}

export interface VerifyReport {
  ok: boolean;
  /** The code of the first failed step, in step order; null when every step passed. */
  code: VerifyCode | null;
  steps: StepResult[];
  onChain: OnChainBatch | null;
  /** The record judged, once the bundle is well formed. */
  record: EvidenceRecord | null;
  facts: AnchoredFacts;
}

export interface VerifyOptions {
  /** The deployment the verifier pinned (from its own configuration, never from the receipt). */
  deployment: Deployment;
  /** The receipt id the verifier asked for (QR, URL): a `seal.used` record must carry it. */
  receiptId?: string;
  /** For `seal.used`: the seal's own `seal.registered` receipt, which carries its public key. */
  sealReceipt?: unknown;
  /** For `seal.stamped`: the device's own `device.registered` receipt, which carries its public key. */
  deviceReceipt?: unknown;
  /** The company's `company.registered` receipt, which carries its registered name and credit code. */
  companyReceipt?: unknown;
}

/** What a report means to a person: every step passed, a step failed, or the chain could not be asked. */
export type Verdict = "verified" | "failed" | "inconclusive";

/** Failures that say the chain could not be asked, not that the receipt is false. */
const INCONCLUSIVE: ReadonlySet<VerifyCode> = new Set<VerifyCode>(["CHAIN_UNREACHABLE", "CHAIN_MISMATCH"]);

export function verdictOf(report: VerifyReport): Verdict {
  if (report.ok) return "verified";
  return report.code !== null && INCONCLUSIVE.has(report.code) ? "inconclusive" : "failed";
}

const NO_FACTS: AnchoredFacts = { company: null, seal: null };

/**
 * Checks, in order: the bundle's shape; that it names the pinned deployment; that it is the receipt asked for;
 * the record hashes to the proof's leaf; the leaf's position matches the record's seq; the pinned contract holds
 * this batch with this range and root; the path leads from the leaf to that root; the anchoring transaction called
 * the pinned contract; for `seal.used`, the SM2 signature against the key in the seal's verified registration
 * receipt (for `seal.stamped`, the device's signature against its registration receipt); and, when given, the company's registration receipt. Every step runs; `code` names the first failure.
 */
export async function verifyReceipt(input: unknown, chain: ChainReader, options: VerifyOptions): Promise<VerifyReport> {
  const parsed = parseReceipt(input);
  if (!parsed.ok) {
    return { ok: false, code: "FORMAT_INVALID", steps: [fail("format", "FORMAT_INVALID", parsed.reason)], onChain: null, record: null, facts: NO_FACTS };
  }
  const bundle = parsed.bundle;
  const steps: StepResult[] = [pass("format", "The receipt is well formed."), checkDeployment(bundle, options.deployment)];
  if (options.receiptId !== undefined) steps.push(checkReceiptId(bundle.record, options.receiptId));
  steps.push(checkLeaf(bundle), checkPosition(bundle));
  const { step: chainStep, onChain } = await checkChain(bundle, chain, options.deployment);
  steps.push(chainStep, checkProof(bundle), await checkAnchorTx(bundle, chain, onChain, options.deployment));
  const facts: AnchoredFacts = { company: null, seal: null };
  const check = recordSpec(bundle.record.type).check;
  if (check) {
    const verifyRelated = async (related: unknown) => {
      const { report, record } = await verifyRelatedReceipt(related, chain, options.deployment);
      return { record, deploymentTrusted: report.code !== "DEPLOYMENT_NOT_TRUSTED" };
    };
    const { step, facts: seal } = await check(bundle.record, { related: { sealReceipt: options.sealReceipt, deviceReceipt: options.deviceReceipt }, verifyRelated });
    steps.push(step);
    facts.seal = seal ?? null;
  }
  if (options.companyReceipt !== undefined) {
    const { step, company } = await checkCompany(bundle.record, chain, options);
    steps.push(step);
    facts.company = company;
  }
  const failed = steps.find((s) => !s.ok);
  return { ok: failed === undefined, code: failed?.code ?? null, steps, onChain, record: bundle.record, facts };
}

function checkDeployment({ anchor }: ReceiptBundle, pinned: Deployment): StepResult {
  const named: Deployment = { chainId: anchor.chainId, contract: anchor.contract };
  if (!sameDeployment(named, pinned)) {
    return fail("deployment", "DEPLOYMENT_NOT_TRUSTED", `The receipt names deployment ${formatDeployment(named)}; the trusted one is ${formatDeployment(pinned)}.`);
  }
  return pass("deployment", `The receipt names the trusted deployment ${formatDeployment(pinned)}.`);
}

/**
 * The record is the one for this receipt id: it carries it, or it is an unauthorized stamp that claimed it (the device
 * scanned this QR code, but the stamp was not authorized, so it took no receipt id of its own).
 */
function checkReceiptId(record: EvidenceRecord, receiptId: string): StepResult {
  if (record.data.receipt === receiptId) return pass("receipt", `The record carries receipt id ${receiptId}.`);
  if (record.type === "seal.stamped" && record.data.authorized === false && record.data.claimedReceipt === receiptId) {
    return pass("receipt", `The stamp was made on the copy with receipt id ${receiptId}, and recorded as not authorized.`);
  }
  return fail("receipt", "RECEIPT_ID_MISMATCH", `The record is not the one for receipt id ${receiptId}.`);
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

async function checkChain({ batch }: ReceiptBundle, chain: ChainReader, pinned: Deployment): Promise<{ step: StepResult; onChain: OnChainBatch | null }> {
  let onChain: OnChainBatch | null;
  try {
    const chainId = await chain.chainId();
    if (chainId !== pinned.chainId) {
      return { step: fail("chain", "CHAIN_MISMATCH", `The node serves chain ${chainId}, the trusted deployment is on chain ${pinned.chainId}.`), onChain: null };
    }
    onChain = await chain.readBatch(batch.id);
  } catch (err) {
    return { step: fail("chain", "CHAIN_UNREACHABLE", `The chain could not be read: ${errorText(err)}`), onChain: null };
  }
  if (onChain === null) return { step: fail("chain", "BATCH_NOT_ON_CHAIN", `The trusted contract holds no batch ${batch.id}.`), onChain };
  if (onChain.firstSeq !== batch.firstSeq || onChain.count !== batch.count) {
    return { step: fail("chain", "BATCH_RANGE_MISMATCH", `Batch ${batch.id} on chain covers other records than the receipt says.`), onChain };
  }
  if (onChain.root !== batch.root) return { step: fail("chain", "ROOT_MISMATCH", `The root anchored for batch ${batch.id} differs from the receipt's root.`), onChain };
  return { step: pass("chain", `The trusted contract holds batch ${batch.id} with this root.`), onChain };
}

function checkProof({ proof, batch }: ReceiptBundle): StepResult {
  const root = rootFromInclusionProof(sm3, proof.leafIndex, proof.treeSize, fromHex(proof.leaf), proof.path.map((p) => fromHex(p)));
  if (root === null || !equalBytes(root, fromHex(batch.root))) {
    return fail("proof", "PROOF_INVALID", "The inclusion proof does not lead from the record to the batch root.");
  }
  return pass("proof", "The inclusion proof leads from the record to the batch root.");
}

async function checkAnchorTx({ anchor }: ReceiptBundle, chain: ChainReader, onChain: OnChainBatch | null, pinned: Deployment): Promise<StepResult> {
  let tx: OnChainTx | null;
  try {
    tx = await chain.readTransaction(anchor.txHash);
  } catch (err) {
    return fail("anchor", "CHAIN_UNREACHABLE", `The anchoring transaction could not be read: ${errorText(err)}`);
  }
  if (tx === null || !tx.succeeded) return fail("anchor", "ANCHOR_TX_NOT_FOUND", "The chain has no successful anchoring transaction with this hash.");
  const sameContract = tx.to !== null && tx.to.toLowerCase() === pinned.contract.toLowerCase();
  const sameBlock = tx.blockNumber === anchor.blockNumber && (onChain === null || onChain.blockNumber === anchor.blockNumber);
  if (!sameContract || !sameBlock) return fail("anchor", "ANCHOR_TX_MISMATCH", "The anchoring transaction is not the one that stored this batch.");
  return pass("anchor", `Anchored by transaction ${anchor.txHash} in block ${anchor.blockNumber}.`);
}

/** A related receipt (the seal's or the company's registration): verified in the same pinned deployment. */
async function verifyRelatedReceipt(input: unknown, chain: ChainReader, deployment: Deployment): Promise<{ report: VerifyReport; record: EvidenceRecord | null }> {
  const report = await verifyReceipt(input, chain, { deployment });
  return { report, record: report.ok ? report.record : null };
}

async function checkCompany(record: EvidenceRecord, chain: ChainReader, options: VerifyOptions): Promise<{ step: StepResult; company: AnchoredFacts["company"] }> {
  const { report, record: company } = await verifyRelatedReceipt(options.companyReceipt, chain, options.deployment);
  if (report.code === "DEPLOYMENT_NOT_TRUSTED") {
    return { step: fail("company", "DEPLOYMENT_NOT_TRUSTED", "The company's registration receipt names another deployment than the trusted one."), company: null };
  }
  if (company === null || company.type !== "company.registered" || company.subject !== record.company || company.company !== record.company) {
    return { step: fail("company", "COMPANY_RECEIPT_INVALID", "The company's registration receipt does not verify, or is for another company."), company: null };
  }
  return {
    step: pass("company", "The company's registration is anchored in the same deployment."),
    company: { id: company.subject, name: text(company.data.name), creditCode: text(company.data.creditCode) },
  };
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
