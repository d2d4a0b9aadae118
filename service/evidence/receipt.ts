// The receipt bundle (sealproof-receipt/1): a record with everything needed to check it without us.
// Parsing is kept apart from checking: parseReceipt() builds a value, verifyReceipt() judges it.
import { toHex } from "./bytes";
import { HASH_SIZE } from "./hash";
import { inclusionProof, type MerkleTree } from "./merkle";
import { isRecordType, type EvidenceRecord } from "./record";
import { recordSpec } from "./record-specs";
import { hex, list, object, type Shape } from "./shape";

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

const RECORD_KEYS: Record<EvidenceRecord["v"], readonly string[]> = {
  1: ["v", "seq", "type", "at", "company", "subject", "actor", "data"],
  2: ["v", "seq", "cseq", "prev", "type", "at", "company", "subject", "actor", "data"],
};
const uint: Shape<number> = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? { ok: true, value: v as number } : { ok: false, problem: "expected a non-negative integer" });
const address: Shape<string> = (v) => (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? { ok: true, value: v } : { ok: false, problem: "expected a 20-byte 0x address" });
const txHash: Shape<string> = (v) => (typeof v === "string" && /^0x[0-9a-fA-F]{64}$/.test(v) ? { ok: true, value: v } : { ok: false, problem: "expected a 32-byte 0x hash" });
const proofShape = object({ leafIndex: uint, treeSize: uint, leaf: hex(HASH_SIZE), path: list(hex(HASH_SIZE)) });
const batchShape = object({ id: uint, root: hex(HASH_SIZE), firstSeq: uint, count: uint });
const anchorShape = object({ chainId: uint, contract: address, txHash, blockNumber: uint });

/**
 * Parses an untrusted bundle into a new, typed value: the record with exactly the fields of its version and the
 * data its type's spec requires, and only the known fields of proof, batch and anchor. Returns the first problem in words.
 */
export function parseReceipt(input: unknown): ParseResult {
  const problem = (reason: string): ParseResult => ({ ok: false, reason });
  if (!isObject(input)) return problem("the receipt is not a JSON object");
  if (input.format !== RECEIPT_FORMAT) return problem(`format is not ${RECEIPT_FORMAT}`);
  if (input.hash !== "sm3") return problem("hash is not sm3");
  const record = parseRecord(input.record);
  if (typeof record === "string") return problem(record);
  const proof = proofShape(input.proof);
  if (!proof.ok) return problem(`proof is malformed: ${proof.problem}`);
  const batch = batchShape(input.batch);
  if (!batch.ok) return problem(`batch is malformed: ${batch.problem}`);
  const anchor = anchorShape(input.anchor);
  if (!anchor.ok) return problem(`anchor is malformed: ${anchor.problem}`);
  const { leafIndex, treeSize, leaf, path } = proof.value;
  const { id, root, firstSeq, count } = batch.value;
  const { chainId, contract, txHash: tx, blockNumber } = anchor.value;
  return {
    ok: true,
    bundle: assembleReceipt(record, { leafIndex, treeSize, leaf, path }, { id, root, firstSeq, count }, { chainId, contract, txHash: tx, blockNumber }),
  };
}

/**
 * The record, or the problem with it. A record has exactly the fields of its version, so a copy hashes like the original.
 * parseReceipt's check of a bundle's record, for a reader that has judged the rest of the bundle already (audit verify,
 * whose lines of one batch repeat the proof's shape, the batch and the anchor of one receipt verified in full).
 */
export function parseRecord(input: unknown): EvidenceRecord | string {
  if (!isObject(input) || (input.v !== 1 && input.v !== 2) || !uint(input.seq).ok || !isRecordType(input.type)) return "record is malformed";
  const version = input.v;
  if (Object.keys(input).some((key) => !RECORD_KEYS[version].includes(key))) return "record has fields its version does not define";
  const { seq, type, at, company, subject, actor, data } = input;
  if (![at, company, subject, actor].every((s) => typeof s === "string") || !isObject(data)) return "record is malformed";
  const parsed = recordSpec(type).data(data);
  if (!parsed.ok) return `record data is malformed for ${type}: ${parsed.problem}`;
  const fields = { seq: seq as number, type, at: at as string, company: company as string, subject: subject as string, actor: actor as string, data: data as EvidenceRecord["data"] };
  if (version === 1) return { v: 1, ...fields };
  if (!uint(input.cseq).ok) return "record cseq is not a non-negative integer";
  if (!hex(HASH_SIZE)(input.prev).ok) return "record prev is not a 32-byte lowercase hex hash";
  return { v: 2, ...fields, cseq: input.cseq as number, prev: input.prev as string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
