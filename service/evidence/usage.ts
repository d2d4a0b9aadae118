// The electronic seal usage TBS ("to be signed") object: what the company's key signs and what a
// `seal.used` record carries, so anyone can rebuild the signed bytes from the record alone.
import { canonicalBytes } from "./canonical";
import type { EvidenceRecord } from "./record";
import { sm2Verify } from "./sm2";

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

export function usageTbsBytes(tbs: UsageTbs): Uint8Array {
  return canonicalBytes(tbs);
}

/** Rebuilds the signed TBS from a `seal.used` record, or null when the record does not carry one. */
export function usageTbsFromRecord(record: EvidenceRecord): { tbs: UsageTbs; signature: string } | null {
  const d = record.data;
  if (record.type !== "seal.used") return null;
  const strings = [d.receipt, d.signedAt, d.documentHash, d.scenario, d.signature];
  if (strings.some((s) => typeof s !== "string") || !(d.request === null || typeof d.request === "string")) return null;
  if (d.sourceDocumentHash !== undefined && typeof d.sourceDocumentHash !== "string") return null;
  const tbs: UsageTbs = {
    v: 1,
    receipt: d.receipt as string,
    seal: record.subject,
    signer: record.actor,
    signedAt: d.signedAt as string,
    documentHash: d.documentHash as string,
    scenario: d.scenario as string,
    request: d.request as string | null,
    ...(typeof d.sourceDocumentHash === "string" ? { sourceDocumentHash: d.sourceDocumentHash } : {}),
  };
  return { tbs, signature: d.signature as string };
}

export function verifyUsageSignature(tbs: UsageTbs, signature: string, publicKey: string): boolean {
  return sm2Verify(usageTbsBytes(tbs), signature, publicKey);
}
