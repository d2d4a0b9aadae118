// A bundle read as lines of bytes, split where readline splits (\n, \r\n or a lone \r), from a stream that reads the
// next few megabytes while the last are judged. A line is a view into what was read: whoever keeps any of it past
// the next batch of lines copies it.
import fs from "node:fs";

const CHUNK = 4 << 20;
const LF = 0x0a;
const CR = 0x0d;

/** The file's lines, a chunk's worth at a time. */
export async function* bundleLines(file: string): AsyncGenerator<Buffer[]> {
  for await (const region of wholeLines(file)) yield splitLines(region, []);
}

/**
 * The lines that start with `prefix` (which holds no line break), found by searching for it after each line break
 * rather than by splitting every line.
 */
export async function* linesStartingWith(file: string, prefix: string): AsyncGenerator<Buffer> {
  const needles = [LF, CR].map((b) => Buffer.concat([Buffer.of(b), Buffer.from(prefix)]));
  for await (const region of wholeLines(file)) {
    // A region starts where a line does.
    const starts = region.subarray(0, needles[0].length - 1).equals(needles[0].subarray(1)) ? [0] : [];
    for (const needle of needles) for (let at = region.indexOf(needle); at >= 0; at = region.indexOf(needle, at + 1)) starts.push(at + 1);
    for (const start of starts.sort((a, b) => a - b)) yield region.subarray(start, lineEnd(region, start));
  }
}

/** Runs of whole lines (the last one may lack its break at the end of the file), as read. */
async function* wholeLines(file: string): AsyncGenerator<Buffer> {
  /** The start of a line the last chunk ended in. */
  let carry: Buffer | null = null;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    const last = chunk.lastIndexOf(LF);
    if (last < 0) {
      carry = carry === null ? chunk : Buffer.concat([carry, chunk]);
      continue;
    }
    let from = 0;
    if (carry !== null) {
      from = chunk.indexOf(LF) + 1;
      yield Buffer.concat([carry, chunk.subarray(0, from)]);
    }
    yield chunk.subarray(from, last + 1);
    carry = last + 1 < chunk.length ? chunk.subarray(last + 1) : null;
  }
  if (carry !== null) yield carry;
}

/** Where the line starting at `start` ends: its first \n or \r, or the end of the region. */
function lineEnd(region: Buffer, start: number): number {
  const lf = region.indexOf(LF, start);
  const cr = region.indexOf(CR, start);
  const ends = [lf, cr].filter((e) => e >= 0);
  return ends.length === 0 ? region.length : Math.min(...ends);
}

function splitLines(block: Buffer, lines: Buffer[]): Buffer[] {
  let cr = block.indexOf(CR);
  let start = 0;
  while (start < block.length) {
    if (cr >= 0 && cr < start) cr = block.indexOf(CR, start);
    let end = block.indexOf(LF, start);
    if (end < 0) end = block.length;
    let next = end + 1;
    if (cr >= 0 && cr < end) [end, next] = [cr, cr + 1 === end ? end + 1 : cr + 1];
    lines.push(block.subarray(start, end));
    start = next;
  }
  return lines;
}
