// The evidence record: one JSON object per state change, hashed as an RFC 6962 leaf of its JCS bytes.
import { canonicalBytes } from "./canonical";
import { sm3 } from "./hash";
import { leafHash } from "./merkle";

export const RECORD_VERSION = 1;

export const RECORD_TYPES = [
  "company.registered",
  "member.added",
  "member.roles-changed",
  "member.left",
  "member.key-issued",
  "member.key-revoked",
  "seal.registered",
  "seal.suspended",
  "seal.resumed",
  "seal.revoked",
  "seal.replaced",
  "seal.destroyed",
  "scenario.defined",
  "scenario.retired",
  "grant.given",
  "grant.withdrawn",
  "request.created",
  "request.approved",
  "request.rejected",
  "request.custody-confirmed",
  "seal.used",
  "device.registered",
  "device.locked",
  "device.unlocked",
  "alert.raised",
  "document.linked",
] as const;

export type RecordType = (typeof RECORD_TYPES)[number];

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

export function isRecordType(value: unknown): value is RecordType {
  return typeof value === "string" && (RECORD_TYPES as readonly string[]).includes(value);
}

/** The record's bytes as hashed and exported: RFC 8785 canonical JSON, UTF-8. */
export function recordBytes(record: EvidenceRecord): Uint8Array {
  return canonicalBytes(record);
}

/** SM3(0x00 ‖ record bytes): the record's leaf in its batch tree. */
export function recordLeafHash(record: EvidenceRecord): Uint8Array {
  return leafHash(sm3, recordBytes(record));
}
