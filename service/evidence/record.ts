// The evidence record: one JSON object per state change, hashed as an RFC 6962 leaf of its JCS bytes.
import { canonicalBytes } from "./canonical";
import { sm3 } from "./hash";
import { leafHash } from "./merkle";
import type { RecordType } from "./record-specs";

export { isRecordType, RECORD_TYPES, type RecordType } from "./record-specs";

export const RECORD_VERSION = 1;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface EvidenceRecord {
  v: typeof RECORD_VERSION;
  seq: number;
  type: RecordType;
  at: string;
  company: string;
  subject: string;
  actor: string;
  data: { [key: string]: JsonValue };
}

/** The record's bytes as hashed and exported: RFC 8785 canonical JSON, UTF-8. */
export function recordBytes(record: EvidenceRecord): Uint8Array {
  return canonicalBytes(record);
}

/** SM3(0x00 ‖ record bytes): the record's leaf in its batch tree. */
export function recordLeafHash(record: EvidenceRecord): Uint8Array {
  return leafHash(sm3, recordBytes(record));
}
