import { hash, randomBytes } from "node:crypto";
import { expect } from "chai";
import {
  buildTree,
  concatBytes,
  fromHex,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  sha256,
  sm3,
  toHex,
  verifyInclusion,
  writeInclusionProof,
  type HashFn,
} from "../../service/evidence";
import vectors from "../fixtures/rfc6962-sha256.json";

// RFC 6962 §2.1 written as the spec states it, recursion and all: the reference our flat tree must equal.
function naiveRoot(hash: HashFn, leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leafHash(hash, leaves[0]);
  const k = largestPowerOfTwoBelow(leaves.length);
  return nodeHash(hash, naiveRoot(hash, leaves.slice(0, k)), naiveRoot(hash, leaves.slice(k)));
}

function naivePath(hash: HashFn, m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length === 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  return m < k
    ? [...naivePath(hash, m, leaves.slice(0, k)), naiveRoot(hash, leaves.slice(k))]
    : [...naivePath(hash, m - k, leaves.slice(k)), naiveRoot(hash, leaves.slice(0, k))];
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const ctLeaves = vectors.leaves.map((h) => fromHex(h));

describe("evidence/merkle: RFC 6962 tree", () => {
  describe("Certificate Transparency SHA-256 test data", () => {
    vectors.roots.forEach((root, i) => {
      it(`root of the first ${i + 1} leaves`, () => {
        expect(toHex(rootOf(buildTree(sha256, ctLeaves.slice(0, i + 1))))).to.equal(root);
      });
    });

    for (const v of vectors.inclusionProofs) {
      it(`inclusion proof for leaf ${v.leafIndex} of ${v.treeSize}`, () => {
        const tree = buildTree(sha256, ctLeaves.slice(0, v.treeSize));
        expect(inclusionProof(tree, v.leafIndex).map(toHex)).to.deep.equal(v.path);
        const leaf = leafHash(sha256, ctLeaves[v.leafIndex]);
        const root = fromHex(vectors.roots[v.treeSize - 1]);
        expect(verifyInclusion(sha256, v.leafIndex, v.treeSize, leaf, v.path.map((p) => fromHex(p)), root)).to.equal(true);
      });
    }
  });

  it("equals the recursive RFC 6962 definition with SM3 for every size 1..300", () => {
    const leaves = Array.from({ length: 300 }, () => randomBytes(1 + Math.floor(Math.random() * 64)));
    for (let size = 1; size <= 300; size++) {
      const slice = leaves.slice(0, size);
      const tree = buildTree(sm3, slice);
      const root = rootOf(tree);
      expect(toHex(root), `root of ${size}`).to.equal(toHex(naiveRoot(sm3, slice)));
      const sampled = new Set([0, size - 1, Math.floor(Math.random() * size)]);
      for (const index of sampled) {
        const path = inclusionProof(tree, index);
        expect(path.map(toHex), `path ${index}/${size}`).to.deep.equal(naivePath(sm3, index, slice).map(toHex));
      }
      for (let index = 0; index < size; index++) {
        const ok = verifyInclusion(sm3, index, size, leafHash(sm3, slice[index]), inclusionProof(tree, index), root);
        expect(ok, `verify ${index}/${size}`).to.equal(true);
      }
    }
  });

  it("writes every leaf's path into a flat buffer exactly as inclusionProof gives it, for every size 1..130", () => {
    const leaves = Array.from({ length: 130 }, () => randomBytes(8));
    for (let size = 1; size <= 130; size++) {
      const tree = buildTree(sm3, leaves.slice(0, size));
      for (let index = 0; index < size; index++) {
        const out = new Uint8Array(2 + tree.levels.length * 32).fill(0xee);
        const end = writeInclusionProof(tree, index, out, 2);
        const path = inclusionProof(tree, index);
        expect(end, `end ${index}/${size}`).to.equal(2 + path.length * 32);
        expect(toHex(out.subarray(2, end)), `path ${index}/${size}`).to.equal(path.map(toHex).join(""));
        expect([...out.subarray(0, 2), ...out.subarray(end)].every((b) => b === 0xee), `bytes outside ${index}/${size}`).to.equal(true);
      }
    }
  });

  describe("a hash's into fast path", () => {
    // OpenSSL's SM3 with no `into`: the build takes the allocating path, and the hash shares no code with ours.
    const plainSm3: HashFn = (data) => hash("sm3", data, "buffer");

    it("is used for every leaf and node hash when present", () => {
      let calls = 0;
      let intoCalls = 0;
      const counted: HashFn = Object.assign((data: Uint8Array) => (calls++, sm3(data)), {
        into: (data: Uint8Array, out: Uint8Array, offset: number) => (intoCalls++, sm3.into!(data, out, offset)),
      });
      buildTree(counted, Array.from({ length: 13 }, (_, i) => Uint8Array.of(i)));
      expect({ calls, intoCalls }).to.deep.equal({ calls: 0, intoCalls: 13 + 12 });
    });

    it("builds the same levels as the allocating path, for every size 1..70 and mixed leaf lengths", () => {
      const leaves = Array.from({ length: 70 }, (_, i) => randomBytes(i % 5 === 0 ? 32 : i % 97));
      for (let size = 1; size <= 70; size++) {
        const fast = buildTree(sm3, leaves.slice(0, size));
        const plain = buildTree(plainSm3, leaves.slice(0, size));
        expect(fast.levels.map(toHex), `size ${size}`).to.deep.equal(plain.levels.map(toHex));
      }
    });
  });

  describe("proof verification refuses", () => {
    const leaves = Array.from({ length: 13 }, (_, i) => Uint8Array.of(i, i + 1));
    const tree = buildTree(sm3, leaves);
    const root = rootOf(tree);
    const index = 6;
    const leaf = leafHash(sm3, leaves[index]);
    const path = inclusionProof(tree, index);

    it("accepts the genuine proof (the control for every refusal below)", () => {
      expect(verifyInclusion(sm3, index, 13, leaf, path, root)).to.equal(true);
    });
    it("index -1", () => {
      expect(verifyInclusion(sm3, -1, 13, leaf, path, root)).to.equal(false);
    });
    it("index equal to or past the tree size", () => {
      expect(verifyInclusion(sm3, 13, 13, leaf, path, root)).to.equal(false);
      expect(verifyInclusion(sm3, 14, 13, leaf, path, root)).to.equal(false);
    });
    it("a non-integer index or size", () => {
      expect(verifyInclusion(sm3, 6.5, 13, leaf, path, root)).to.equal(false);
      expect(verifyInclusion(sm3, index, Number.NaN, leaf, path, root)).to.equal(false);
    });
    it("a truncated path", () => {
      expect(verifyInclusion(sm3, index, 13, leaf, path.slice(0, -1), root)).to.equal(false);
    });
    it("an extra path element", () => {
      expect(verifyInclusion(sm3, index, 13, leaf, [...path, root], root)).to.equal(false);
      expect(verifyInclusion(sm3, index, 13, leaf, [...path, new Uint8Array(32)], root)).to.equal(false);
    });
    it("a wrong tree size", () => {
      // Sizes 9..16 give leaf 6 a path of the same shape, so RFC 9162 cannot tell them apart; the receipt
      // binds the size to the batch count stored on chain. Every size with another shape must fail.
      for (const size of [7, 8, 17, 32, 1 << 20]) expect(verifyInclusion(sm3, index, size, leaf, path, root), `size ${size}`).to.equal(false);
    });
    it("a changed path element or leaf", () => {
      const changed = path.map((p) => Uint8Array.from(p));
      changed[1][0] ^= 1;
      expect(verifyInclusion(sm3, index, 13, leaf, changed, root)).to.equal(false);
      expect(verifyInclusion(sm3, index, 13, leafHash(sm3, Uint8Array.of(99)), path, root)).to.equal(false);
    });
    it("a path element of the wrong length", () => {
      expect(verifyInclusion(sm3, index, 13, leaf, [path[0].subarray(0, 31), ...path.slice(1)], root)).to.equal(false);
    });
    it("a one-leaf tree with a non-empty path", () => {
      const single = buildTree(sm3, [leaves[0]]);
      const singleLeaf = leafHash(sm3, leaves[0]);
      expect(verifyInclusion(sm3, 0, 1, singleLeaf, [], rootOf(single))).to.equal(true);
      expect(verifyInclusion(sm3, 0, 1, singleLeaf, [singleLeaf], rootOf(single))).to.equal(false);
    });
    it("an internal node presented as a leaf", () => {
      // The preimage of the node over leaves 0 and 1, offered as the data of leaf 0 in a two-leaf tree:
      // the leaf prefix 0x00 makes its hash differ from the node hash, so the forged proof cannot match.
      const nodePreimage = concatBytes(leafHash(sm3, leaves[0]), leafHash(sm3, leaves[1]));
      const upper = inclusionProof(tree, 0).slice(1);
      expect(verifyInclusion(sm3, 0, 7, leafHash(sm3, nodePreimage), upper, root)).to.equal(false);
      const four = buildTree(sm3, leaves.slice(0, 4));
      const rightNode = nodeHash(sm3, leafHash(sm3, leaves[2]), leafHash(sm3, leaves[3]));
      expect(verifyInclusion(sm3, 0, 2, leafHash(sm3, nodePreimage), [rightNode], rootOf(four))).to.equal(false);
    });
  });

  describe("building refuses", () => {
    it("an empty tree, and a proof index outside the tree", () => {
      expect(() => buildTree(sm3, [])).to.throw().with.property("code", "INVALID_TREE_ARGUMENT");
      const tree = buildTree(sm3, [Uint8Array.of(1), Uint8Array.of(2)]);
      for (const bad of [-1, 2, 0.5]) expect(() => inclusionProof(tree, bad)).to.throw().with.property("code", "INVALID_TREE_ARGUMENT");
      for (const bad of [-1, 2, 0.5]) expect(() => writeInclusionProof(tree, bad, new Uint8Array(64), 0)).to.throw().with.property("code", "INVALID_TREE_ARGUMENT");
    });
  });
});
