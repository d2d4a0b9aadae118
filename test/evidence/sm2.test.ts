import { expect } from "chai";
import { sm2 as reference } from "sm-crypto";
import { generateSm2KeyPair, isSm2PublicKey, sm2Backend, sm2PublicKeyOf, sm2Sign, sm2Verify, utf8, SM2_USER_ID } from "../../service/evidence";

const CURVE_ORDER = BigInt("0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123");
const referenceOptions = { hash: true, userId: SM2_USER_ID };

// Non-ASCII on purpose: both sm-crypto libraries mis-encode some strings, so only bytes cross the boundary.
const message = utf8('{"documentHash":"ab","seal":"s_合同专用章"}');

function flipBit(hex: string, at: number): string {
  const nibble = (parseInt(hex[at], 16) ^ 1).toString(16);
  return hex.slice(0, at) + nibble + hex.slice(at + 1);
}

// Runs on whichever backend loads: SM2_BACKEND=js runs it on sm-crypto-v2 even where the addon is built.
describe(`evidence/sm2 (${sm2Backend} backend)`, () => {
  it("a signature made by sm-crypto verifies with ours", () => {
    const keys = reference.generateKeyPairHex();
    const signature = reference.doSignature(Array.from(message), keys.privateKey, referenceOptions);
    expect(sm2Verify(message, signature, keys.publicKey)).to.equal(true);
  });

  it("a signature made by ours verifies with sm-crypto", () => {
    const keys = generateSm2KeyPair();
    const signature = sm2Sign(message, keys.privateKey);
    expect(signature).to.match(/^[0-9a-f]{128}$/);
    expect(reference.doVerifySignature(Array.from(message), signature, keys.publicKey, referenceOptions)).to.equal(true);
  });

  it("derives the same public key as the key generator", () => {
    const keys = generateSm2KeyPair();
    expect(sm2PublicKeyOf(keys.privateKey)).to.equal(keys.publicKey);
    expect(isSm2PublicKey(keys.publicKey)).to.equal(true);
  });

  describe("a flipped bit fails", () => {
    const keys = generateSm2KeyPair();
    const signature = sm2Sign(message, keys.privateKey);

    it("in the message", () => {
      const changed = Uint8Array.from(message);
      changed[5] ^= 0x01;
      expect(sm2Verify(message, signature, keys.publicKey)).to.equal(true);
      expect(sm2Verify(changed, signature, keys.publicKey)).to.equal(false);
    });
    it("in the signature's r and in its s", () => {
      expect(sm2Verify(message, flipBit(signature, 10), keys.publicKey)).to.equal(false);
      expect(sm2Verify(message, flipBit(signature, 100), keys.publicKey)).to.equal(false);
    });
    it("in the public key", () => {
      // A flipped bit usually leaves the curve (refused as a key); one that stays on it must still fail.
      const other = generateSm2KeyPair().publicKey;
      expect(sm2Verify(message, signature, other)).to.equal(false);
      expect(() => sm2Verify(message, signature, flipBit(keys.publicKey, 40))).to.throw().with.property("code", "INVALID_KEY");
    });
  });

  it("refuses r or s outside [1, n-1], which the library does not check for s", () => {
    const keys = generateSm2KeyPair();
    const signature = sm2Sign(message, keys.privateKey);
    const n = CURVE_ORDER.toString(16).padStart(64, "0");
    const zero = "0".repeat(64);
    const above = (CURVE_ORDER + 1n).toString(16);
    const top = "f".repeat(64);
    const r = signature.slice(0, 64);
    const s = signature.slice(64);
    for (const bad of [n + s, r + n, zero + s, r + zero, above + s, r + above, top + s, r + top]) {
      expect(sm2Verify(message, bad, keys.publicKey), bad).to.equal(false);
    }
  });

  it("answers false, without throwing, for r and s in range that do not verify (n - 1, 1)", () => {
    const keys = generateSm2KeyPair();
    const signature = sm2Sign(message, keys.privateKey);
    const nMinus1 = (CURVE_ORDER - 1n).toString(16);
    const one = "1".padStart(64, "0");
    for (const wrong of [nMinus1 + signature.slice(64), signature.slice(0, 64) + nMinus1, one + one]) {
      expect(sm2Verify(message, wrong, keys.publicKey), wrong).to.equal(false);
    }
  });

  it("refuses compressed keys, the point at infinity and points off the curve as keys", () => {
    const keys = generateSm2KeyPair();
    const signature = sm2Sign(message, keys.privateKey);
    const x = keys.publicKey.slice(2, 66);
    const yOdd = parseInt(keys.publicKey.slice(-1), 16) & 1;
    const offCurve = `04${x}${flipBit(keys.publicKey, 129).slice(66)}`;
    for (const bad of [`0${2 + yOdd}${x}`, "00", `04${"00".repeat(64)}`, offCurve, `06${keys.publicKey.slice(2)}`, keys.publicKey.toUpperCase()]) {
      expect(isSm2PublicKey(bad), bad).to.equal(false);
      expect(() => sm2Verify(message, signature, bad), bad).to.throw().with.property("code", "INVALID_KEY");
    }
  });

  it("refuses private keys outside [1, n - 2]", () => {
    for (const bad of ["0".repeat(64), (CURVE_ORDER - 1n).toString(16), CURVE_ORDER.toString(16), "f".repeat(64)]) {
      expect(() => sm2Sign(message, bad), bad).to.throw().with.property("code", "INVALID_KEY");
      expect(() => sm2PublicKeyOf(bad), bad).to.throw().with.property("code", "INVALID_KEY");
    }
    const smallest = "1".padStart(64, "0");
    expect(sm2Verify(message, sm2Sign(message, smallest), sm2PublicKeyOf(smallest))).to.equal(true);
  });

  it("refuses malformed signatures and keys", () => {
    const keys = generateSm2KeyPair();
    const signature = sm2Sign(message, keys.privateKey);
    for (const bad of ["", signature.slice(2), signature.toUpperCase(), `${signature}00`, "0".repeat(128)]) {
      expect(sm2Verify(message, bad, keys.publicKey), bad).to.equal(false);
    }
    expect(() => sm2Sign(message, "xyz")).to.throw().with.property("code", "INVALID_KEY");
    expect(() => sm2Verify(message, signature, keys.publicKey.slice(2))).to.throw().with.property("code", "INVALID_KEY");
    expect(isSm2PublicKey(`04${"00".repeat(64)}`)).to.equal(false);
  });
});
