import { hash, randomBytes } from "node:crypto";
import { expect } from "chai";
import { sha256, sm3 as nodeSm3, toHex, utf8 } from "../../service/evidence";
import { SM3_DIGEST_SIZE, sm3, sm3Into } from "../../service/evidence/sm3";

// The reference for every comparison below: OpenSSL's SM3 through Node, independent of our code.
const referenceSm3 = (data: Uint8Array): string => hash("sm3", data, "hex");

const ABC_DIGEST = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
const ABCD16_DIGEST = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732";

function intoFresh(data: Uint8Array): string {
  const out = new Uint8Array(SM3_DIGEST_SIZE);
  sm3Into(data, out, 0);
  return toHex(out);
}

describe("evidence/sm3: the pure-TypeScript SM3", () => {
  describe("GB/T 32905 examples", () => {
    it('"abc" (example 1, one block)', () => {
      expect(toHex(sm3(utf8("abc")))).to.equal(ABC_DIGEST);
      expect(intoFresh(utf8("abc"))).to.equal(ABC_DIGEST);
    });
    it('"abcd" repeated 16 times (example 2, a full block then a padding block)', () => {
      expect(toHex(sm3(utf8("abcd".repeat(16))))).to.equal(ABCD16_DIGEST);
      expect(intoFresh(utf8("abcd".repeat(16)))).to.equal(ABCD16_DIGEST);
    });
  });

  it("equals crypto.hash('sm3') on random input of every length 0..300", () => {
    for (let length = 0; length <= 300; length++) {
      const data = randomBytes(length);
      expect(toHex(sm3(data)), `length ${length}`).to.equal(referenceSm3(data));
      expect(intoFresh(data), `into, length ${length}`).to.equal(referenceSm3(data));
    }
  });

  it("equals crypto.hash('sm3') on large inputs around 1 MB", () => {
    for (const length of [1 << 20, (1 << 20) + 55, (1 << 20) + 56, (1 << 20) + 63, 3_000_017]) {
      const data = randomBytes(length);
      expect(toHex(sm3(data)), `length ${length}`).to.equal(referenceSm3(data));
    }
  });

  it("pads correctly on both sides of the 55/56 and 64-byte boundaries, with all-zero and all-0xff bytes", () => {
    // 55 bytes leave room for 0x80 and the 8-byte length in one block; 56..63 need a second padding block.
    const lengths = [54, 55, 56, 57, 63, 64, 65, 118, 119, 120, 121, 127, 128, 129, 183, 184, 191, 192];
    for (const length of lengths) {
      for (const data of [randomBytes(length), new Uint8Array(length), new Uint8Array(length).fill(0xff)]) {
        expect(toHex(sm3(data)), `length ${length}, first byte ${data[0]}`).to.equal(referenceSm3(data));
      }
    }
  });

  it("carries no state from one call to the next (a two-block tail, then shorter inputs)", () => {
    const long = new Uint8Array(120).fill(0xff);
    const inputs = [long, new Uint8Array(0), long, Uint8Array.of(1), randomBytes(60), randomBytes(3)];
    const digests = inputs.map((data) => toHex(sm3(data)));
    expect(digests).to.deep.equal(inputs.map(referenceSm3));
  });

  it("hashes only the bytes of a view, not the rest of its buffer", () => {
    const backing = randomBytes(300);
    const view = backing.subarray(17, 17 + 65);
    expect(toHex(sm3(view))).to.equal(referenceSm3(Uint8Array.from(view)));
  });

  describe("sm3Into", () => {
    it("writes the digest at a non-zero, unaligned offset and leaves every neighbouring byte alone", () => {
      const data = randomBytes(65);
      const out = new Uint8Array(100).map((_, i) => (i * 7 + 3) & 0xff);
      const before = Uint8Array.from(out);
      const offset = 13;
      sm3Into(data, out, offset);
      expect(toHex(out.subarray(offset, offset + SM3_DIGEST_SIZE))).to.equal(referenceSm3(data));
      expect(toHex(out.subarray(0, offset)), "bytes before").to.equal(toHex(before.subarray(0, offset)));
      expect(toHex(out.subarray(offset + SM3_DIGEST_SIZE)), "bytes after").to.equal(toHex(before.subarray(offset + SM3_DIGEST_SIZE)));
    });

    it("writes into the last 32 bytes of the output, and into a view at its own offset", () => {
      const data = randomBytes(33);
      const out = new Uint8Array(64);
      sm3Into(data, out, 32);
      expect(toHex(out.subarray(32))).to.equal(referenceSm3(data));
      expect(toHex(out.subarray(0, 32))).to.equal("00".repeat(32));

      const backing = new Uint8Array(96);
      sm3Into(data, backing.subarray(32), 16);
      expect(toHex(backing.subarray(48, 80))).to.equal(referenceSm3(data));
      expect(toHex(backing.subarray(0, 48)) + toHex(backing.subarray(80))).to.equal("00".repeat(64));
    });

    it("may write over its own input, because the input is read in full first", () => {
      const buffer = randomBytes(65);
      const expected = referenceSm3(buffer);
      sm3Into(buffer, buffer, 1);
      expect(toHex(buffer.subarray(1, 33))).to.equal(expected);
    });

    it("refuses an offset where the digest does not fit, writing nothing", () => {
      const out = new Uint8Array(40);
      for (const offset of [-1, 9, 40, 1.5, Number.NaN]) {
        expect(() => sm3Into(utf8("abc"), out, offset), `offset ${offset}`).to.throw(RangeError);
      }
      expect(toHex(out)).to.equal("00".repeat(40));
    });
  });

  describe("in hash.ts", () => {
    it("sm3 equals crypto.hash('sm3') on both sides of its switch from the JS SM3 to crypto.hash", () => {
      const lengths = [0, 33, 65, 300, ...Array.from({ length: 40 }, (_, i) => 490 + i), 4096, 1 << 20];
      for (const length of lengths) {
        const data = randomBytes(length);
        expect(toHex(nodeSm3(data)), `length ${length}`).to.equal(referenceSm3(data));
      }
    });
    it("sm3.into writes the same digest at an offset, on both sides of the same switch", () => {
      for (const length of [0, 33, 65, 300, 512, 513, 4096]) {
        const data = randomBytes(length);
        const out = new Uint8Array(SM3_DIGEST_SIZE + 8).fill(0xa5);
        nodeSm3.into!(data, out, 5);
        expect(toHex(out), `length ${length}`).to.equal(`${"a5".repeat(5)}${referenceSm3(data)}${"a5".repeat(3)}`);
      }
    });
    it("sha256 has no into fast path, so Merkle builds fall back to calling it", () => {
      expect(sha256.into).to.equal(undefined);
    });
  });
});
