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
 * The id a record sequenced before record ids existed is known by on MongoDB: its seq behind a "0", which base58 never
 * holds, so it can never equal a random id.
 */
export function legacyRecordId(seq: number): string {
  return `rec_0${seq}`;
}

/**
 * SQLite's record ids: the record's acceptance position (its rowid) in base58 behind "rec_". SQLite's one writer
 * allocates positions anyway, so an id costs no shared state, and a lookup by id is a rowid lookup rather than one
 * more index of random keys to update on every accepted record. A base58 number never starts with "1" (its zero), so
 * the encoding is canonical and the id parses back to exactly one position.
 */
export function sqliteRecordId(pos: number): string {
  return `rec_${bs58.encode(positionBytes(pos))}`;
}

/** The position a SQLite record id names, or null when it is not one (another adapter's id, a typo). */
export function positionOf(id: string): number | null {
  if (!/^rec_[2-9A-HJ-NP-Za-km-z][1-9A-HJ-NP-Za-km-z]{0,10}$/.test(id)) return null;
  const bytes = bs58.decode(id.slice(4));
  let pos = 0;
  for (const byte of bytes) pos = pos * 256 + byte;
  return Number.isSafeInteger(pos) && pos > 0 && sqliteRecordId(pos) === id ? pos : null;
}

/** pos as big-endian bytes without leading zeros. */
function positionBytes(pos: number): Uint8Array {
  const bytes: number[] = [];
  for (let rest = pos; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.from(bytes);
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
