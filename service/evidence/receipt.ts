// The receipt bundle (sealproof-receipt/1): a record with everything needed to check it without us.
// Parsing is kept apart from checking: parseReceipt() builds a value, verifyReceipt() judges it.
import { isHexOfLength, toHex } from "./bytes";
import { HASH_SIZE } from "./hash";
import { inclusionProof, type MerkleTree } from "./merkle";
import { isRecordType, type EvidenceRecord } from "./record";

export const RECEIPT_FORMAT = "sealproof-receipt/1";

export interface ReceiptProof {
  leafIndex: number;
  treeSize: number;
  /** SM3 leaf hash of the record, hex: lets a verifier tell a changed record from a changed path. */
  leaf: string;
  path: string[];
}

export interface ReceiptBatch {
  id: number;
  root: string;
  firstSeq: number;
  count: number;
}

export interface ReceiptAnchor {
  chainId: number;
  contract: string;
  txHash: string;
  blockNumber: number;
}

export interface ReceiptBundle {
  format: typeof RECEIPT_FORMAT;
  record: EvidenceRecord;
  proof: ReceiptProof;
  batch: ReceiptBatch;
  anchor: ReceiptAnchor;
  hash: "sm3";
}

/** The proof stored with a record when its batch closes, so that a receipt is one read. */
export function receiptProof(tree: MerkleTree, leafIndex: number): ReceiptProof {
  return {
    leafIndex,
    treeSize: tree.size,
    leaf: toHex(tree.levels[0].subarray(leafIndex * HASH_SIZE, (leafIndex + 1) * HASH_SIZE)),
    path: inclusionProof(tree, leafIndex).map(toHex),
  };
}

export function assembleReceipt(record: EvidenceRecord, proof: ReceiptProof, batch: ReceiptBatch, anchor: ReceiptAnchor): ReceiptBundle {
  return { format: RECEIPT_FORMAT, record, proof, batch, anchor, hash: "sm3" };
}

const RECEIPT_ID_RE = /^[1-9A-HJ-NP-Za-km-z]{16,24}$/;

/** A receipt id: 128 random bits in base58, the only handle public URLs carry. */
export function isReceiptId(value: unknown): value is string {
  return typeof value === "string" && RECEIPT_ID_RE.test(value);
}

/** The verify page link a QR code encodes: `<public base URL>/v/<receipt id>`. */
export function verifyPageUrl(baseUrl: string, receiptId: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/v/${receiptId}`;
}

export type ParseResult = { ok: true; bundle: ReceiptBundle } | { ok: false; reason: string };

/** Checks the shape of an untrusted bundle; returns the first problem found, in words. */
export function parseReceipt(input: unknown): ParseResult {
  const problem = shapeProblem(input);
  return problem === null ? { ok: true, bundle: input as ReceiptBundle } : { ok: false, reason: problem };
}

function shapeProblem(input: unknown): string | null {
  if (!isObject(input)) return "the receipt is not a JSON object";
  if (input.format !== RECEIPT_FORMAT) return `format is not ${RECEIPT_FORMAT}`;
  if (input.hash !== "sm3") return "hash is not sm3";
  const { record, proof, batch, anchor } = input;
  if (!isObject(record) || record.v !== 1 || !isUint(record.seq) || !isRecordType(record.type)) return "record is malformed";
  if (![record.at, record.company, record.subject, record.actor].every((s) => typeof s === "string") || !isObject(record.data)) {
    return "record is malformed";
  }
  if (!isObject(proof) || !isUint(proof.leafIndex) || !isUint(proof.treeSize) || !isHexOfLength(proof.leaf, 32)) return "proof is malformed";
  if (!Array.isArray(proof.path) || !proof.path.every((p) => isHexOfLength(p, 32))) return "proof path is malformed";
  if (!isObject(batch) || !isUint(batch.id) || !isHexOfLength(batch.root, 32) || !isUint(batch.firstSeq) || !isUint(batch.count)) {
    return "batch is malformed";
  }
  if (!isObject(anchor) || !isUint(anchor.chainId) || !isUint(anchor.blockNumber)) return "anchor is malformed";
  if (!isAddress(anchor.contract) || !isTxHash(anchor.txHash)) return "anchor contract or transaction is malformed";
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isUint = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isAddress = (v: unknown): boolean => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);
const isTxHash = (v: unknown): boolean => typeof v === "string" && /^0x[0-9a-fA-F]{64}$/.test(v);
