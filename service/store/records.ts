// What both adapters derive from a draft when they append it: the stored record and its receipt id.
import { RECORD_VERSION, type EvidenceRecord } from "../evidence";
import type { RecordDraft } from "./port";

/** The record a draft becomes at `seq`; only the record's own fields are kept. */
export function recordAt(seq: number, draft: RecordDraft): EvidenceRecord {
  const { type, at, company, subject, actor, data } = draft;
  return { v: RECORD_VERSION, seq, type, at, company, subject, actor, data };
}

/** The receipt id a record is found by: data.receipt of a `seal.used` record, else none. */
export function receiptOf(record: EvidenceRecord): string | null {
  const receipt = record.data.receipt;
  return record.type === "seal.used" && typeof receipt === "string" ? receipt : null;
}

/** Bodies are written only by the adapters' append(), from records that passed canonicalJson(). */
export function parseRecord(body: string): EvidenceRecord {
  return JSON.parse(body) as EvidenceRecord;
}
