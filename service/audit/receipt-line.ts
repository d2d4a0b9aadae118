// A receipt line as the exporter writes it (JSON.stringify of assembleReceipt), recognised in its bytes: where the
// record, the proof's numbers, its leaf and its path entries sit. Only a shape is read here; every value is judged
// by the caller, and a line in any other layout is left to the general parser.

/** Everything before the record. */
const PREFIX = Buffer.from('{"format":"sealproof-receipt/1","record":');
/** Between the record and the leaf index. */
const PROOF_OPEN = ascii(',"proof":{"leafIndex":');
const TREE_SIZE = ascii(',"treeSize":');
const LEAF = ascii(',"leaf":"');
const PATH_OPEN = ascii('","path":[');
const HEX_LENGTH = 64;
/** One path entry: a quote, 64 hex digits, a quote. */
const ENTRY = HEX_LENGTH + 2;
/** Entries are written one after another with a comma between them. */
export const ENTRY_STRIDE = ENTRY + 1;
/** An RFC 6962 path of a tree this verifier can hold has fewer entries. */
const MAX_ENTRIES = 64;
const MAX_DIGITS = 15;

const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;

export interface ReceiptLineLayout {
  /** The record's JSON text: line[recordStart, recordEnd). */
  recordStart: number;
  recordEnd: number;
  leafIndex: number;
  treeSize: number;
  /** Where the proof's leaf, 64 hex digits, starts. */
  leafAt: number;
  /** Where the path's first entry (its opening quote) starts; entry k's digits start at pathAt + k * ENTRY_STRIDE + 1. */
  pathAt: number;
  pathCount: number;
}

/**
 * The layout of `line` when it is `{"format":"sealproof-receipt/1","record":…,"proof":{"leafIndex":N,"treeSize":N,
 * "leaf":"…","path":["…",…]` followed by exactly `suffix` (the batch, anchor and hash of a receipt already judged), or
 * null. Read from the end, since the record's text is only known to end where the proof begins.
 */
export function receiptLineLayout(line: Buffer, suffix: Buffer): ReceiptLineLayout | null {
  let at = line.length - suffix.length;
  if (at < PREFIX.length || line.compare(suffix, 0, suffix.length, at) !== 0 || line.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0) return null;
  let pathCount = 0;
  if (line[at - 1] !== OPEN_BRACKET) {
    for (;;) {
      at -= ENTRY;
      if (at < 0 || line[at] !== QUOTE || line[at + ENTRY - 1] !== QUOTE || ++pathCount > MAX_ENTRIES) return null;
      if (line[at - 1] === OPEN_BRACKET) break;
      if (line[at - 1] !== COMMA) return null;
      at--;
    }
  }
  const pathAt = at;
  const leafAt = pathAt - PATH_OPEN.length - HEX_LENGTH;
  if (!matchAt(line, pathAt - PATH_OPEN.length, PATH_OPEN) || !matchAt(line, leafAt - LEAF.length, LEAF)) return null;
  const treeSize = digitsBefore(line, leafAt - LEAF.length);
  if (treeSize === null || !matchAt(line, treeSize.start - TREE_SIZE.length, TREE_SIZE)) return null;
  const leafIndex = digitsBefore(line, treeSize.start - TREE_SIZE.length);
  if (leafIndex === null) return null;
  const recordEnd = leafIndex.start - PROOF_OPEN.length;
  if (recordEnd <= PREFIX.length || !matchAt(line, recordEnd, PROOF_OPEN)) return null;
  return { recordStart: PREFIX.length, recordEnd, leafIndex: leafIndex.value, treeSize: treeSize.value, leafAt, pathAt, pathCount };
}

/** The entries of a path as the exporter writes them between its brackets: `"…","…"`. */
export function pathEntries(path: readonly string[]): Buffer {
  return Buffer.from(path.map((p) => `"${p}"`).join(","), "latin1");
}

/** Where entry k's 64 hex digits start, in entries laid out from `pathAt`. */
export const entryAt = (pathAt: number, k: number): number => pathAt + k * ENTRY_STRIDE + 1;

/** The JSON number (a non-negative integer, no leading zero) that ends just before `end`. */
function digitsBefore(line: Uint8Array, end: number): { value: number; start: number } | null {
  let start = end;
  while (start > 0 && line[start - 1] >= 0x30 && line[start - 1] <= 0x39) start--;
  const length = end - start;
  if (length === 0 || length > MAX_DIGITS || (length > 1 && line[start] === 0x30)) return null;
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (line[i] - 0x30);
  return { value, start };
}

function matchAt(line: Uint8Array, at: number, bytes: Uint8Array): boolean {
  if (at < 0 || at + bytes.length > line.length) return false;
  for (let i = 0; i < bytes.length; i++) if (line[at + i] !== bytes[i]) return false;
  return true;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
