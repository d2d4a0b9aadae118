// A bundle read as lines of bytes, split where readline splits (\n, \r\n or a lone \r), from a stream that reads the
// next chunk while the last is judged. A line is a view into what was read: whoever keeps any of it past
// the next batch of lines copies it.
import fs from "node:fs";

/**
 * Small enough to still be in the CPU's cache when its lines are judged after being split: on the 1,000,000-record
 * bench bundle, 256 KB took audit verify --no-signatures 14.8-17.2 s against 16.0-25.2 s with 4 MB, and ~120 MB of
 * peak RSS against ~200 MB (1 MB: 21.4 s at a higher load; 64 KB: 15.5-18.2 s).
 */
export const CHUNK = 256 << 10;
/** Reading backwards, for the few lines at the end: registrations are about a kilobyte each. */
export const TAIL_BLOCK = 256 << 10;
const LF = 0x0a;
const CR = 0x0d;

/** The file's lines, a chunk's worth at a time. */
export async function* bundleLines(file: string): AsyncGenerator<Buffer[]> {
  for await (const region of wholeLines(file)) yield splitLines(region, []);
}

/**
 * The run of lines starting with `prefix` (which holds no line break) that closes the file: the last lines, or all but
 * the very last when that one does not start with it. `start` is the run's first byte, `after` the lines following it.
 */
export interface ClosingRun {
  start: number;
  count: number;
  after: 0 | 1;
}

/** Finds the closing run by reading the file backwards from its end, a block at a time, only as far as the run goes. */
export async function closingRun(file: string, prefix: string): Promise<ClosingRun> {
  const head = Buffer.from(prefix);
  const startsWithPrefix = (line: Buffer) => line.length >= head.length && head.equals(line.subarray(0, head.length));
  const handle = await fs.promises.open(file, "r");
  try {
    const size = (await handle.stat()).size;
    const run: ClosingRun = { start: size, count: 0, after: 0 };
    let seenLast = false;
    /** The start of the file not yet read, and the unjudged line that begins the part read (with its break). */
    let pos = size;
    let carry = Buffer.alloc(0);
    while (pos > 0) {
      const from = Math.max(0, pos - TAIL_BLOCK);
      const region = Buffer.concat([await readAt(handle, from, pos - from), carry]);
      // Only lines known to be whole: from the file's start, or from the first line break read.
      const whole = from === 0 ? 0 : firstLineStart(region);
      const lines = whole < 0 ? [] : splitLines(region.subarray(whole), []);
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i];
        const isLast = !seenLast;
        seenLast = true;
        if (startsWithPrefix(line)) {
          run.start = from + line.byteOffset - region.byteOffset;
          run.count++;
        } else if (isLast) run.after = 1;
        else return run;
      }
      carry = whole < 0 ? region : region.subarray(0, whole);
      pos = from;
    }
    return run;
  } finally {
    await handle.close();
  }
}

/** The closing run's lines, read forwards from its first byte. */
export async function* closingLines(file: string, run: ClosingRun): AsyncGenerator<Buffer> {
  let left = run.count;
  if (left === 0) return;
  for await (const region of wholeLines(file, run.start)) {
    for (const line of splitLines(region, [])) {
      yield line;
      if (--left === 0) return;
    }
  }
}

/** Runs of whole lines from `start`, a line's first byte (the last may lack its break at the end of the file), as read. */
async function* wholeLines(file: string, start = 0): AsyncGenerator<Buffer> {
  /** The start of a line the last chunk ended in. */
  let carry: Buffer | null = null;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK, start }) as AsyncIterable<Buffer>) {
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

/** Where the first line after a break begins (after the whole of a \r\n), or -1 when the region holds no break. */
function firstLineStart(region: Buffer): number {
  const lf = region.indexOf(LF);
  const cr = region.indexOf(CR);
  if (cr >= 0 && (lf < 0 || cr < lf)) return region[cr + 1] === LF ? cr + 2 : cr + 1;
  return lf < 0 ? -1 : lf + 1;
}

async function readAt(handle: fs.promises.FileHandle, position: number, length: number): Promise<Buffer> {
  const block = Buffer.allocUnsafe(length);
  for (let done = 0; done < length; ) {
    const { bytesRead } = await handle.read(block, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`the file ended at byte ${position + done} while reading up to ${position + length}`);
    done += bytesRead;
  }
  return block;
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
