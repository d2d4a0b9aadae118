// A bundle read as lines of bytes, a few megabytes at a time, split where readline splits (\n, \r\n or a lone \r).
// A line is a view into the block being read: whoever keeps any of it past the next line copies it.
import fs from "node:fs";

const BLOCK = 4 << 20;
const LF = 0x0a;
const CR = 0x0d;

/** A run of whole lines: their views, and where in the file the run starts. */
export interface LineBlock {
  lines: Buffer[];
  /** The file offset of the block's first byte. */
  start: number;
  /** The block itself: line.byteOffset − block.byteOffset is a line's place in it. */
  block: Buffer;
}

/** The file's lines, a block at a time. */
export async function* bundleBlocks(file: string): AsyncGenerator<LineBlock> {
  const handle = await fs.promises.open(file, "r");
  try {
    let buffer = Buffer.allocUnsafe(BLOCK);
    let filled = 0;
    let bytes = 0;
    for (;;) {
      if (filled === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      filled += bytesRead;
      bytes += bytesRead;
      const end = bytesRead === 0 ? filled : lastBreak(buffer, filled);
      if (end > 0) {
        const block = buffer.subarray(0, end);
        yield { lines: splitLines(block), start: bytes - filled, block };
        buffer.copy(buffer, 0, end, filled);
        filled -= end;
      }
      if (bytesRead === 0) return;
    }
  } finally {
    await handle.close();
  }
}

/** Where the block may end: after its last line break, unless that is a \r that a \n may yet follow. */
function lastBreak(buffer: Buffer, filled: number): number {
  if (filled < 2) return 0;
  const lf = buffer.lastIndexOf(LF, filled - 1);
  if (lf >= 0) return lf + 1;
  const cr = buffer.lastIndexOf(CR, filled - 2);
  return cr + 1;
}

function splitLines(block: Buffer): Buffer[] {
  const lines: Buffer[] = [];
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
