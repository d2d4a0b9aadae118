// What both adapters derive from a draft when they append it: the stored record and its receipt id.
import { isRecordType, RECORD_VERSION, recordSpec, type EvidenceRecord } from "../evidence";
import type { RecordDraft } from "./port";

/** The record a draft becomes at `seq`; only the record's own fields are kept. */
export function recordAt(seq: number, draft: RecordDraft): EvidenceRecord {
  const { type, at, company, subject, actor, data } = draft;
  return { v: RECORD_VERSION, seq, type, at, company, subject, actor, data };
}

/**
 * The receipt id a record is found by, unique across the log: data.receipt of a type whose record spec says it
 * carries one. A type the evidence layer does not know is stored all the same, without one.
 */
export function receiptOf(record: EvidenceRecord): string | null {
  const receipt = record.data.receipt;
  return isRecordType(record.type) && recordSpec(record.type).receiptId && typeof receipt === "string" ? receipt : null;
}

/** Bodies are written only by the adapters' append(), from records that passed canonicalJson(). */
export function parseRecord(body: string): EvidenceRecord {
  return JSON.parse(body) as EvidenceRecord;
}
