// The audit bundle (sealproof-audit/1): JSON Lines — a header, the predecessor's receipt when the range starts after a
// company's first record, one receipt per anchored record in cseq order, the registrations signatures need, an end line.
import type { ReceiptBundle } from "../evidence";

export const AUDIT_FORMAT = "sealproof-audit/1";

/** Which of a company's records: by the time they carry (from inclusive, to exclusive) or by cseq (both inclusive). */
export type AuditRange = { by: "time"; from: string | null; to: string | null } | { by: "cseq"; from: number | null; to: number | null };

/**
 * The first line. `company` is "*" for the operator's export of the whole log. chainId and contract say where the
 * service anchored; a verifier checks against the deployment it pinned, never these.
 */
export interface AuditHeader {
  format: typeof AUDIT_FORMAT;
  company: string;
  range: AuditRange | { by: "all" };
  chainId: number | null;
  contract: string | null;
  exportedAt: string;
}

/**
 * The last line: how many receipts the bundle holds, and how many records of the range were left out because they are
 * not anchored yet (sequenced into a batch not on chain, or in no batch). A bundle without it was cut short.
 */
export interface AuditEnd {
  receipts: number;
  pending: number;
  registrations: number;
}

/** Every line after the header: a bare receipt is one of the range's records. */
export type AuditLine = { predecessor: ReceiptBundle } | ReceiptBundle | { registration: ReceiptBundle } | { end: AuditEnd };

export const WHOLE_LOG = "*";

export function headerLine(header: AuditHeader): string {
  return `${JSON.stringify(header)}\n`;
}

export function line(value: AuditLine): string {
  return `${JSON.stringify(value)}\n`;
}
