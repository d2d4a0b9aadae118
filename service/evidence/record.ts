// The evidence record: one JSON object per state change, hashed as an RFC 6962 leaf of its JCS bytes.
import { canonicalBytes } from "./canonical";
import { sm3 } from "./hash";
import { leafHash } from "./merkle";
import type { RecordType } from "./record-specs";

export { isRecordType, RECORD_TYPES, type RecordType } from "./record-specs";

/**
 * The version new records are written in. v2 adds the company's hash chain (DESIGN.md "Audit"): `cseq`, the record's
 * place among its company's records (0 for the first), and `prev`, the SM3 leaf hash of the company's previous record
 * (64 zeros for the first); the sequencer assigns both with `seq`. v1 records, written before, keep verifying.
 */
export const RECORD_VERSION = 2;

/** `prev` of a company's first record. */
export const GENESIS_PREV = "0".repeat(64);

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

interface RecordFields {
  seq: number;
  type: RecordType;
  at: string;
  company: string;
  subject: string;
  actor: string;
  data: { [key: string]: JsonValue };
}

export interface EvidenceRecordV1 extends RecordFields {
  v: 1;
}

export interface EvidenceRecordV2 extends RecordFields {
  v: 2;
  /** Contiguous per company from 0. */
  cseq: number;
  /** The SM3 leaf hash (hex) of the company's previous record, GENESIS_PREV for its first. */
  prev: string;
}

export type EvidenceRecord = EvidenceRecordV1 | EvidenceRecordV2;

/** The record's bytes as hashed and exported: RFC 8785 canonical JSON, UTF-8. */
export function recordBytes(record: EvidenceRecord): Uint8Array {
  return canonicalBytes(record);
}

/** SM3(0x00 ‖ record bytes): the record's leaf in its batch tree. */
export function recordLeafHash(record: EvidenceRecord): Uint8Array {
  return leafHash(sm3, recordBytes(record));
}
