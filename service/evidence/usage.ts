// The electronic seal usage TBS ("to be signed") object: what the company's key signs and what a
// `seal.used` record carries, so anyone can rebuild the signed bytes from the record alone.
import { canonicalBytes } from "./canonical";
import type { EvidenceRecord } from "./record";
import type { SealFacts, SpecCheck, SpecCheckContext } from "./record-specs";
import { hex, nullable, object, optional, str, type ShapeOf } from "./shape";
import { sm2Verify } from "./sm2";
import { fail, pass } from "./verify-steps";

export interface UsageTbs {
  v: 1;
  receipt: string;
  seal: string;
  signer: string;
  signedAt: string;
  documentHash: string;
  scenario: string;
  request: string | null;
  /**
   * When the sealed file is a stamped copy of an approved original (the seal image and QR change its bytes):
   * the original's SM3. Signed, so the relation is the signer's claim, shown on the verify page; absent
   * otherwise, which keeps the bytes of a TBS without it exactly as before the field existed.
   */
  sourceDocumentHash?: string;
}

/** A `seal.used` record's data: the TBS fields but seal and signer (the record's subject and actor), and the signature. */
export const sealUsedData = object({
  receipt: str,
  signedAt: str,
  documentHash: hex(32),
  scenario: str,
  request: nullable(str),
  signature: str,
  grant: optional(str),
  sourceDocumentHash: optional(hex(32)),
});

export type SealUsedData = ShapeOf<typeof sealUsedData>;

export function usageTbsBytes(tbs: UsageTbs): Uint8Array {
  return canonicalBytes(tbs);
}

/** Rebuilds the signed TBS from a `seal.used` record, or null when the record does not carry one. */
export function usageTbsFromRecord(record: EvidenceRecord): { tbs: UsageTbs; signature: string } | null {
  if (record.type !== "seal.used") return null;
  const parsed = sealUsedData(record.data);
  if (!parsed.ok) return null;
  const d = parsed.value;
  const tbs: UsageTbs = {
    v: 1,
    receipt: d.receipt,
    seal: record.subject,
    signer: record.actor,
    signedAt: d.signedAt,
    documentHash: d.documentHash,
    scenario: d.scenario,
    request: d.request,
    ...(d.sourceDocumentHash !== undefined ? { sourceDocumentHash: d.sourceDocumentHash } : {}),
  };
  return { tbs, signature: d.signature };
}

export function verifyUsageSignature(tbs: UsageTbs, signature: string, publicKey: string): boolean {
  return sm2Verify(usageTbsBytes(tbs), signature, publicKey);
}

/**
 * The `seal.used` step: the SM2 signature against the public key in the seal's own registration receipt, which
 * must verify in the same deployment, be of the same company and seal, and come before the usage.
 */
export async function checkUsage(record: EvidenceRecord, context: SpecCheckContext): Promise<SpecCheck<SealFacts>> {
  const usage = usageTbsFromRecord(record);
  if (usage === null) return { step: fail("signature", "SIGNATURE_INVALID", "The usage record does not carry a signed TBS.") };
  const { sealReceipt } = context.related;
  if (sealReceipt === undefined || sealReceipt === null) return { step: fail("signature", "SEAL_RECEIPT_MISSING", "The seal's registration receipt is needed to check the signature.") };
  const { record: seal, deploymentTrusted } = await context.verifyRelated(sealReceipt);
  if (!deploymentTrusted) return { step: fail("signature", "DEPLOYMENT_NOT_TRUSTED", "The seal's registration receipt names another deployment than the trusted one.") };
  const publicKey = seal?.data.publicKey;
  const sameSeal = seal !== null && seal.type === "seal.registered" && seal.company === record.company && seal.subject === record.subject && seal.seq < record.seq;
  if (!sameSeal || typeof publicKey !== "string") {
    return { step: fail("signature", "SEAL_RECEIPT_INVALID", "The seal's registration receipt does not verify, or is for another company or seal.") };
  }
  const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
  const facts: SealFacts = { id: seal.subject, name: text(seal.data.name), kind: text(seal.data.kind), sealType: text(seal.data.sealType) };
  if (!verifyUsageSignature(usage.tbs, usage.signature, publicKey)) {
    return { step: fail("signature", "SIGNATURE_INVALID", "The SM2 signature does not verify with the seal's registered public key."), facts };
  }
  return { step: pass("signature", "The SM2 signature verifies with the seal's registered public key."), facts };
}
