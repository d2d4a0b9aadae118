// A bundle read as lines of bytes, split where readline splits (\n, \r\n or a lone \r), from a stream that reads the
// next few megabytes while the last are judged. A line is a view into what was read: whoever keeps any of it past
// the next batch of lines copies it.
import fs from "node:fs";

const CHUNK = 4 << 20;
const LF = 0x0a;
const CR = 0x0d;

/** The file's lines, a chunk's worth at a time. */
export async function* bundleLines(file: string): AsyncGenerator<Buffer[]> {
  /** The start of a line the last chunk ended in. */
  let carry: Buffer | null = null;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    const last = chunk.lastIndexOf(LF);
    if (last < 0) {
      carry = carry === null ? chunk : Buffer.concat([carry, chunk]);
      continue;
    }
    const lines: Buffer[] = [];
    let from = 0;
    if (carry !== null) {
      from = chunk.indexOf(LF) + 1;
      splitLines(Buffer.concat([carry, chunk.subarray(0, from)]), lines);
    }
    splitLines(chunk.subarray(from, last + 1), lines);
    carry = last + 1 < chunk.length ? chunk.subarray(last + 1) : null;
    yield lines;
  }
  if (carry !== null) yield splitLines(carry, []);
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
