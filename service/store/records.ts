// What both adapters derive from a draft when they accept it and when the sequencer numbers it: the record id, the
// receipt id, the pending text, and the final canonical text with its seq and, in v2, its place in the company's chain.
import { randomBytes } from "node:crypto";
import bs58 from "bs58";
import { canonicalJson, HASH_SIZE, isRecordType, leafHasher, RECORD_VERSION, recordSpec, sm3, toHex, utf8, type EvidenceRecord } from "../evidence";
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

/** The record a draft becomes when accepted: every field of the evidence record, seq, cseq and prev null. */
export function pendingRecord(draft: RecordDraft): PendingRecord {
  const { type, at, company, subject, actor, data } = draft;
  return { v: RECORD_VERSION, seq: null, cseq: null, prev: null, type, at, company, subject, actor, data };
}

/** The text a pending record is stored as until sequenced. */
export function pendingText(record: PendingRecord): string {
  return canonicalJson(record);
}

/** A record's place in its company's chain (record v2): what the sequencer gives it besides its seq. */
export interface ChainLink {
  cseq: number;
  /** Hex SM3 leaf hash of the company's previous record. */
  prev: string;
}

/**
 * The final canonical text of a pending record's text at `seq` (and, for a v2 record, at `link`). RFC 8785 orders
 * keys, so the top level reads actor, at, company, cseq, data, prev, seq, subject, type, v: before "cseq" come only
 * string values, and after "seq" only strings and a number. Inside a JSON string a quote is always escaped, so the
 * first `,"cseq":null,` and the last `,"prev":null,"seq":null,` (or `,"seq":null,` in v1) are the top-level ones,
 * whatever the data holds. The same text canonicalJson() gives for the record with its fields set, without
 * serializing the record again (the sequencer and every read of a SQLite record do this).
 */
export function sequencedText(pendingText: string, seq: number, link: ChainLink | null = null): string {
  if (!isV2Text(pendingText)) return splice(pendingText, pendingText.lastIndexOf(SEQ_PLACEHOLDER), SEQ_PLACEHOLDER, `,"seq":${seq},`);
  if (link === null) throw new Error("invariant: a v2 record is sequenced with its chain link");
  const withTail = splice(pendingText, pendingText.lastIndexOf(PREV_SEQ_PLACEHOLDER), PREV_SEQ_PLACEHOLDER, `,"prev":"${link.prev}","seq":${seq},`);
  return splice(withTail, withTail.indexOf(CSEQ_PLACEHOLDER), CSEQ_PLACEHOLDER, `,"cseq":${link.cseq},`);
}

const SEQ_PLACEHOLDER = ',"seq":null,';
const PREV_SEQ_PLACEHOLDER = ',"prev":null,"seq":null,';
const CSEQ_PLACEHOLDER = ',"cseq":null,';

function splice(text: string, at: number, placeholder: string, value: string): string {
  if (at < 0) throw new Error(`invariant: a pending record's text has no ${placeholder} placeholder`);
  return `${text.slice(0, at)}${value}${text.slice(at + placeholder.length)}`;
}

/** "v" is the last key of a canonical record, and its value a number. */
export function isV2Text(text: string): boolean {
  return text.endsWith(',"v":2}');
}

/** A company's head in its chain: how many of its records are sequenced, and the leaf hash of the last (zeros first). */
export interface CompanyHead {
  next: number;
  leaf: Uint8Array;
}

/** A record as the sequencer takes it: its company and its stored text, pending, or final if numbered when written. */
export interface ToSequence {
  company: string;
  text: string;
  final: boolean;
}

export interface Sequenced {
  /** Final texts in seq order. */
  texts: string[];
  /** Their SM3 leaf hashes, concatenated: the batch tree is built from them without hashing again. */
  leaves: Uint8Array;
  /** Each v2 record's chain link, null for v1 records. */
  links: Array<ChainLink | null>;
}

/**
 * Numbers records from `firstSeq` in the order given: each gets its seq, and a v2 record its company's next cseq and
 * the leaf hash of the company's previous record as prev. Every record, v1 or v2, advances its company's head in
 * `heads` (which the adapter loads before and stores after, in the same transaction), so a company's first v2 record
 * follows on from its v1 history.
 */
export function sequenceRecords(records: readonly ToSequence[], firstSeq: number, heads: Map<string, CompanyHead>): Sequenced {
  const leaves = new Uint8Array(records.length * HASH_SIZE);
  const hashLeaf = leafHasher(sm3, leaves);
  const texts: string[] = [];
  const links: Array<ChainLink | null> = [];
  records.forEach((record, i) => {
    const head = heads.get(record.company) ?? { next: 0, leaf: new Uint8Array(HASH_SIZE) };
    const link = !record.final && isV2Text(record.text) ? { cseq: head.next, prev: toHex(head.leaf) } : null;
    const text = record.final ? record.text : sequencedText(record.text, firstSeq + i, link);
    hashLeaf(utf8(text), i);
    const leaf = leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
    texts.push(text);
    links.push(link);
    heads.set(record.company, { next: head.next + 1, leaf });
  });
  return { texts, leaves, links };
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
