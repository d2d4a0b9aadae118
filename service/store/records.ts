// What both adapters derive from a draft when they accept it and when the sequencer numbers it: the record id, the
// receipt id, the pending text, and the final canonical text with its seq.
import { randomBytes } from "node:crypto";
import bs58 from "bs58";
import { canonicalJson, isRecordType, RECORD_VERSION, recordSpec, type EvidenceRecord } from "../evidence";
import type { PendingRecord, RecordDraft } from "./port";

/** Record ids: random, so that accepting a record touches nothing other writers share. */
export function newRecordId(): string {
  return `rec_${bs58.encode(randomBytes(12))}`;
}

/**
 * The id a record sequenced before record ids existed is known by: its seq behind a "0", which base58 never holds,
 * so it can never equal a random id. Written by the SQLite migration that introduced ids; kept here beside newRecordId.
 */
export function legacyRecordId(seq: number): string {
  return `rec_0${seq}`;
}

/** The record a draft becomes when accepted: every field of the evidence record, seq null. */
export function pendingRecord(draft: RecordDraft): PendingRecord {
  const { type, at, company, subject, actor, data } = draft;
  return { v: RECORD_VERSION, seq: null, type, at, company, subject, actor, data };
}

/**
 * The final canonical text of a pending record's text at `seq`. RFC 8785 orders keys, so the top-level "seq" sits
 * between "data" and "subject", and after it come only "subject", "type" and "v" with string and number values:
 * inside a JSON string a quote is always escaped, so `,"seq":null,` cannot occur after the top-level one, and the last
 * occurrence is the one to replace. The same text canonicalJson() gives for the record with its seq, without
 * serializing the record again (the sequencer does this for every record of a batch inside its transaction).
 */
export function sequencedText(pendingText: string, seq: number): string {
  const at = pendingText.lastIndexOf(SEQ_PLACEHOLDER);
  if (at < 0) throw new Error("invariant: a pending record's text has no seq placeholder");
  return `${pendingText.slice(0, at)},"seq":${seq},${pendingText.slice(at + SEQ_PLACEHOLDER.length)}`;
}

const SEQ_PLACEHOLDER = ',"seq":null,';

/** The text a pending record is stored as until sequenced. */
export function pendingText(record: PendingRecord): string {
  return canonicalJson(record);
}

/**
 * The receipt id a record is found by, unique across the log: data.receipt of a type whose record spec says it
 * carries one. A type the evidence layer does not know is stored all the same, without one.
 */
export function receiptOf(record: Pick<EvidenceRecord, "type" | "data">): string | null {
  const receipt = record.data.receipt;
  return isRecordType(record.type) && recordSpec(record.type).receiptId && typeof receipt === "string" ? receipt : null;
}

/** Bodies are written only by the adapters, from records that passed canonicalJson(). */
export function parseRecord(body: string): EvidenceRecord {
  return JSON.parse(body) as EvidenceRecord;
}

/** A stored body, pending or sequenced. */
export function parseLogged(body: string): EvidenceRecord | PendingRecord {
  return JSON.parse(body) as EvidenceRecord | PendingRecord;
}
