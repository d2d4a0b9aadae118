// PathWalk against the tree it judges: for every tree size up to 70 and leaves taken densely or sparsely, each
// receipt's real inclusion proof (evidence/merkle.ts) is followed from the one before, and any changed byte of a
// path, a missing or extra entry, or a leaf out of order is refused.
import { expect } from "chai";
import { buildTree, inclusionProof, rootOf, sm3, toHex, utf8 } from "../../service/evidence";
import { PathWalk } from "../../service/audit/path-walk";
import { pathEntries } from "../../service/audit/receipt-line";

function tree(size: number) {
  const t = buildTree(sm3, Array.from({ length: size }, (_, i) => utf8(`leaf ${i}`)));
  const leaf = (i: number) => t.levels[0].subarray(i * 32, (i + 1) * 32);
  const path = (i: number) => inclusionProof(t, i).map(toHex);
  return { root: rootOf(t), leaf, path };
}

function walkFrom(size: number, first: number) {
  const t = tree(size);
  const walk = PathWalk.start(size, first, t.leaf(first), pathEntries(t.path(first)), t.path(first).length, t.root);
  expect(walk, `size ${size}, leaf ${first}`).to.not.equal(null);
  return { t, walk: walk as PathWalk };
}

const follow = (walk: PathWalk, i: number, leaf: Uint8Array, path: string[]) => walk.follow(i, leaf, pathEntries(path), 0, path.length);

describe("audit: PathWalk", () => {
  it("follows every later leaf of trees of 1 to 70 leaves, taken one by one, every third, or every seventh from the fifth", () => {
    for (let size = 1; size <= 70; size++) {
      for (const [first, step] of [
        [0, 1],
        [1, 3],
        [5, 7],
      ]) {
        if (first >= size) continue;
        const { t, walk } = walkFrom(size, first);
        for (let i = first + step; i < size; i += step) expect(follow(walk, i, t.leaf(i), t.path(i)), `size ${size}, leaf ${i}`).to.equal(true);
      }
    }
  });

  it("refuses a path with any one hex digit changed, and then follows the next leaf still", () => {
    const size = 37;
    for (let i = 1; i < size; i++) {
      const path = tree(size).path(i);
      for (let e = 0; e < path.length; e++) {
        for (const at of [0, 31, 63]) {
          const { t, walk } = walkFrom(size, i - 1);
          const changed = [...path];
          changed[e] = changed[e].slice(0, at) + (changed[e][at] === "0" ? "1" : "0") + changed[e].slice(at + 1);
          expect(follow(walk, i, t.leaf(i), changed), `leaf ${i}, entry ${e}, digit ${at}`).to.equal(false);
          if (i + 1 < size) expect(follow(walk, i + 1, t.leaf(i + 1), t.path(i + 1))).to.equal(true);
        }
      }
    }
  });

  it("refuses a wrong leaf, a missing, extra or uppercase entry, swapped entries, and leaves out of order or past the tree", () => {
    const size = 50;
    const { t, walk } = walkFrom(size, 10);
    const path = t.path(20);
    expect(follow(walk, 20, t.leaf(21), path)).to.equal(false);
    expect(follow(walk, 20, t.leaf(20), path.slice(0, -1))).to.equal(false);
    expect(follow(walk, 20, t.leaf(20), [...path, path[0]])).to.equal(false);
    const lettered = path.findIndex((p) => /[a-f]/.test(p));
    expect(follow(walk, 20, t.leaf(20), path.map((p, e) => (e === lettered ? p.toUpperCase() : p)))).to.equal(false);
    expect(follow(walk, 20, t.leaf(20), [path[1], path[0], ...path.slice(2)])).to.equal(false);
    expect(follow(walk, 20, t.leaf(20), t.path(21))).to.equal(false);
    expect(follow(walk, 10, t.leaf(10), t.path(10))).to.equal(false);
    expect(follow(walk, 5, t.leaf(5), t.path(5))).to.equal(false);
    expect(follow(walk, 20, t.leaf(20), path)).to.equal(true);
    expect(walk.follow(size, t.leaf(20), pathEntries(path), 0, path.length)).to.equal(false);
  });

  it("starts only from a path that leads to the root", () => {
    const size = 9;
    const t = tree(size);
    const path = t.path(8);
    expect(PathWalk.start(size, 8, t.leaf(8), pathEntries(path), path.length, t.root)).to.not.equal(null);
    expect(PathWalk.start(size, 8, t.leaf(7), pathEntries(path), path.length, t.root)).to.equal(null);
    expect(PathWalk.start(size, 7, t.leaf(8), pathEntries(path), path.length, t.root)).to.equal(null);
    expect(PathWalk.start(size + 1, 8, t.leaf(8), pathEntries(path), path.length, t.root)).to.equal(null);
  });
});
