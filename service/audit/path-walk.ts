// One batch's receipts judged in leaf order against the one before. Two leaves' audit paths (RFC 6962 §2.1.1, levels
// stored flat as in evidence/merkle.ts) are the same above the level where their ancestors become siblings, and at that
// level each path holds the other's ancestor. A receipt whose path agrees with the previous one's there, byte for byte,
// leads to the same root; only the hashes below that level are computed, so a batch costs about one tree's hashes.
import { HASH_SIZE } from "../evidence/hash";
import { RFC6962_NODE_HASH_PREFIX } from "../evidence/merkle";
import { sm3Into } from "../evidence/sm3";
import { decodeHex, hexEquals } from "./hex-digits";
import { ENTRY_STRIDE, entryAt } from "./receipt-line";

export class PathWalk {
  /** The previous receipt's ancestors, level by level: its leaf at 0, the root at `top`. */
  private readonly ancestors: Uint8Array;
  private readonly climbed: Uint8Array;
  private readonly pair = new Uint8Array(1 + 2 * HASH_SIZE);
  /** The previous receipt's path entries as its line holds them. */
  private entries = Buffer.alloc(0);
  private count = 0;

  private constructor(
    private readonly treeSize: number,
    private readonly top: number,
    private leafIndex: number,
  ) {
    this.ancestors = new Uint8Array((top + 1) * HASH_SIZE);
    this.climbed = new Uint8Array((top + 1) * HASH_SIZE);
    this.pair[0] = RFC6962_NODE_HASH_PREFIX;
  }

  /**
   * Starts from a receipt verified in full: its leaf and path entries (as pathEntries writes them). Null when the path,
   * climbed in the flat levels, does not reach `root` with every entry used: then no receipt is judged the short way.
   */
  static start(treeSize: number, leafIndex: number, leaf: Uint8Array, entries: Buffer, count: number, root: Uint8Array): PathWalk | null {
    if (!Number.isSafeInteger(treeSize) || treeSize < 1 || treeSize > 2 ** 31 || leafIndex < 0 || leafIndex >= treeSize) return null;
    const walk = new PathWalk(treeSize, treeSize === 1 ? 0 : 32 - Math.clz32(treeSize - 1), leafIndex);
    walk.climbed.set(leaf, 0);
    if (walk.climb(leafIndex, entries, 0, count, walk.top) !== count || !sameBytes(walk.climbed, walk.top * HASH_SIZE, root, 0, HASH_SIZE)) return null;
    walk.ancestors.set(walk.climbed);
    walk.keep(entries, 0, count, count);
    return walk;
  }

  /**
   * Whether the receipt of leaf `leafIndex` (after the previous one's), with `leaf` and the `count` path entries at
   * line[pathAt…], leads to the previous receipt's root. When it does, it becomes the previous receipt.
   */
  follow(leafIndex: number, leaf: Uint8Array, line: Buffer, pathAt: number, count: number): boolean {
    const before = this.leafIndex;
    if (leafIndex <= before || leafIndex >= this.treeSize) return false;
    const meet = 31 - Math.clz32(before ^ leafIndex);
    this.climbed.set(leaf, 0);
    const below = this.climb(leafIndex, line, pathAt, count, meet);
    const belowBefore = siblingsBelow(before, meet, this.treeSize);
    const rest = count - below - 1;
    const agrees =
      below >= 0 &&
      rest >= 0 &&
      rest === this.count - belowBefore - 1 &&
      hexEquals(line, entryAt(pathAt, below), this.ancestors, meet * HASH_SIZE) &&
      hexEquals(this.entries, entryAt(0, belowBefore), this.climbed, meet * HASH_SIZE) &&
      sameTail(line, entryAt(pathAt, below + 1), this.entries, entryAt(0, belowBefore + 1), rest * ENTRY_STRIDE - 2);
    if (!agrees) return false;
    for (let i = 0; i < (meet + 1) * HASH_SIZE; i++) this.ancestors[i] = this.climbed[i];
    this.leafIndex = leafIndex;
    this.keep(line, pathAt, count, below === belowBefore ? below + 1 : count);
    return true;
  }

  /**
   * climbed[0] holds a leaf: computes its ancestors up to level `to` from the entries at text[pathAt…], of which there
   * are `count`. Returns how many entries it used, or -1 when one is missing or not hex.
   */
  private climb(leafIndex: number, text: Buffer, pathAt: number, count: number, to: number): number {
    let used = 0;
    for (let level = 0; level < to; level++) {
      const index = leafIndex >>> level;
      const at = level * HASH_SIZE;
      if (!siblingExists(index, level, this.treeSize)) {
        for (let i = 0; i < HASH_SIZE; i++) this.climbed[at + HASH_SIZE + i] = this.climbed[at + i];
        continue;
      }
      if (used >= count) return -1;
      const [mine, theirs] = index % 2 === 1 ? [1 + HASH_SIZE, 1] : [1, 1 + HASH_SIZE];
      if (!decodeHex(text, entryAt(pathAt, used++), this.pair, theirs)) return -1;
      for (let i = 0; i < HASH_SIZE; i++) this.pair[mine + i] = this.climbed[at + i];
      sm3Into(this.pair, this.climbed, at + HASH_SIZE);
    }
    return used;
  }

  /** Keeps a receipt's entries as the previous ones; the first `changed` differ from those kept, the rest are the same. */
  private keep(text: Buffer, pathAt: number, count: number, changed: number): void {
    const length = Math.max(0, count * ENTRY_STRIDE - 1);
    if (this.entries.length < length) this.entries = Buffer.alloc(length);
    text.copy(this.entries, 0, pathAt, pathAt + Math.min(length, changed * ENTRY_STRIDE));
    this.count = count;
  }
}

/** How many of a leaf's levels below `level` have a sibling, so an entry in its path. */
function siblingsBelow(leafIndex: number, level: number, treeSize: number): number {
  let n = 0;
  for (let l = 0; l < level; l++) if (siblingExists(leafIndex >>> l, l, treeSize)) n++;
  return n;
}

/** Level `level` holds ceil(treeSize / 2^level) nodes; an odd last one has no sibling and moves up unchanged. */
const siblingExists = (index: number, level: number, treeSize: number): boolean => (index ^ 1) <= (treeSize - 1) >>> level;

function sameBytes(a: Uint8Array, at: number, b: Uint8Array, bt: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[at + i] !== b[bt + i]) return false;
  return true;
}

/** Whether a[at, at + length) and b[bt, bt + length) hold the same bytes (a path's entries above a level). */
function sameTail(a: Buffer, at: number, b: Buffer, bt: number, length: number): boolean {
  if (length <= 0) return true;
  if (at + length > a.length || bt + length > b.length) return false;
  return a.compare(b, bt, bt + length, at, at + length) === 0;
}
