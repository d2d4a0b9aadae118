import { expect } from "chai";
import { sha256, sm3, toHex, utf8 } from "../../service/evidence";

describe("evidence/hash", () => {
  it('SM3 of "abc" is the GB/T 32905 example 1', () => {
    expect(toHex(sm3(utf8("abc")))).to.equal("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  });
  it('SM3 of "abcd" repeated 16 times is the GB/T 32905 example 2', () => {
    expect(toHex(sm3(utf8("abcd".repeat(16))))).to.equal("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
  });
  it("SHA-256 of \"abc\" is the FIPS 180-2 example", () => {
    expect(toHex(sha256(utf8("abc")))).to.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("hashes bytes, so non-BMP characters hash as their UTF-8 encoding", () => {
    // U+1F9E7 (red envelope) is F0 9F A7 A7 in UTF-8; hashing the JS string's code units would differ.
    expect(toHex(sm3(utf8("🧧")))).to.equal(toHex(sm3(Uint8Array.of(0xf0, 0x9f, 0xa7, 0xa7))));
  });
});
