// What `audit verify` can find wrong with a bundle: the receipt codes of verifyReceipt, and the bundle's own codes
// for the company's chain and the bundle's shape. Every code has a sentence for people.
import type { VerifyCode } from "../evidence";

export type BundleCode =
  | "HEADER_INVALID"
  | "LINE_INVALID"
  | "OTHER_COMPANY"
  | "CSEQ_GAP"
  | "CSEQ_OUT_OF_ORDER"
  | "CSEQ_REPEATED"
  | "PREV_MISMATCH"
  | "RANGE_NOT_LINKED"
  | "BUNDLE_TRUNCATED"
  | "COUNT_MISMATCH"
  | "REGISTRATION_MISPLACED";

export type FindingCode = VerifyCode | BundleCode;

export const BUNDLE_CODES_EXPLAINED: Record<BundleCode, string> = {
  HEADER_INVALID: "the first line is not a sealproof-audit/1 header",
  LINE_INVALID: "a line is not JSON, or not a receipt, registration, predecessor or end line",
  OTHER_COMPANY: "a record of another company is in the company's bundle",
  CSEQ_GAP: "records of the company are missing: the cseq chain skips these places",
  CSEQ_OUT_OF_ORDER: "a record comes after a later one of the company: records were reordered",
  CSEQ_REPEATED: "two records claim the same place in the company's chain: one was inserted (a fork)",
  PREV_MISMATCH: "the record's prev is not the leaf hash of the record before it: the chain is broken there",
  RANGE_NOT_LINKED: "the range starts after the company's first record, but no anchored predecessor links it to the chain",
  BUNDLE_TRUNCATED: "the bundle ends without its end line: it was cut short",
  COUNT_MISMATCH: "the end line counts other receipts than the bundle holds",
  REGISTRATION_MISPLACED: "a registration is not among the registration lines just before the end line, where the format puts them: it was not used",
};

export interface Finding {
  code: FindingCode;
  /** The record's place in its company's chain, when the finding is about one record. */
  cseq: number | null;
  /** The record's receipt id (usages and stamps), when it has one. */
  receipt: string | null;
  /** The check that failed: a receipt step (leaf, chain, proof, …), signature, registration, company-chain or bundle. */
  check: string;
  message: string;
}
