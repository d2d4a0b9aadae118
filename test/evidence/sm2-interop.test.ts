import { randomBytes, randomInt } from "node:crypto";
import { expect } from "chai";
import { sm2 as smCrypto } from "sm-crypto";
import { sm2 as smCryptoV2 } from "sm-crypto-v2";
import { generateSm2KeyPair, sm2Backend, sm2Sign, sm2Verify, toHex, utf8, SM2_USER_ID } from "../../service/evidence";

// Interoperability of whichever backend loaded (run with SM2_BACKEND=js for the fallback) with both sm-crypto
// libraries, both ways, on random keys and messages. sm-crypto is ~40× slower than sm-crypto-v2, so it gets fewer
// cases; so does the JS backend, which builds a ~200 ms table for each new key (and is sm-crypto-v2 itself).
const V2_CASES = sm2Backend === "native" ? 2000 : 100;
const V1_CASES = sm2Backend === "native" ? 100 : 30;
const options = { hash: true, userId: SM2_USER_ID };

/** Empty, one byte, short and long random bytes, Chinese text, in turn. */
function messageFor(i: number): Uint8Array {
  switch (i % 5) {
    case 0:
      return new Uint8Array(0);
    case 1:
      return randomBytes(1);
    case 2:
      return randomBytes(randomInt(2, 300));
    case 3:
      return randomBytes(randomInt(300, 5000));
    default:
      return utf8(Array.from({ length: randomInt(1, 200) }, () => String.fromCodePoint(randomInt(0x4e00, 0x9fa6))).join("") + "合同专用章");
  }
}

/** The failing case, so it can be replayed. */
function replay(keys: { privateKey: string; publicKey: string }, message: Uint8Array, signature: string): string {
  return JSON.stringify({ ...keys, message: message.length > 200 ? `${message.length} bytes` : toHex(message), signature });
}

describe(`evidence/sm2 interoperability (${sm2Backend} backend)`, () => {
  it(`${V2_CASES} random keys and messages: ours signs, sm-crypto-v2 verifies`, () => {
    for (let i = 0; i < V2_CASES; i++) {
      const keys = generateSm2KeyPair();
      const message = messageFor(i);
      const signature = sm2Sign(message, keys.privateKey);
      expect(smCryptoV2.doVerifySignature(message, signature, keys.publicKey, options), replay(keys, message, signature)).to.equal(true);
    }
  });

  it(`${V2_CASES} random keys and messages: sm-crypto-v2 signs, ours verifies, and refuses another message`, () => {
    for (let i = 0; i < V2_CASES; i++) {
      const keys = smCryptoV2.generateKeyPairHex();
      const message = messageFor(i);
      const signature = smCryptoV2.doSignature(message, keys.privateKey, options);
      expect(sm2Verify(message, signature, keys.publicKey), replay(keys, message, signature)).to.equal(true);
      const other = Uint8Array.from([...message, 0]);
      expect(sm2Verify(other, signature, keys.publicKey), replay(keys, other, signature)).to.equal(false);
    }
  });

  it(`${V1_CASES} random keys and messages both ways with sm-crypto`, () => {
    for (let i = 0; i < V1_CASES; i++) {
      const ours = generateSm2KeyPair();
      const message = messageFor(i);
      const signature = sm2Sign(message, ours.privateKey);
      expect(smCrypto.doVerifySignature(Array.from(message), signature, ours.publicKey, options), replay(ours, message, signature)).to.equal(true);
      const theirs = smCrypto.generateKeyPairHex();
      const theirSignature = smCrypto.doSignature(Array.from(message), theirs.privateKey, options);
      expect(sm2Verify(message, theirSignature, theirs.publicKey), replay(theirs, message, theirSignature)).to.equal(true);
    }
  });

  it("a 3 MB message both ways with sm-crypto-v2, and one signed by sm-crypto", () => {
    const message = randomBytes(3 << 20);
    const ours = generateSm2KeyPair();
    expect(smCryptoV2.doVerifySignature(message, sm2Sign(message, ours.privateKey), ours.publicKey, options)).to.equal(true);
    const theirs = smCryptoV2.generateKeyPairHex();
    expect(sm2Verify(message, smCryptoV2.doSignature(message, theirs.privateKey, options), theirs.publicKey)).to.equal(true);
    const v1 = smCrypto.generateKeyPairHex();
    expect(sm2Verify(message, smCrypto.doSignature(Array.from(message), v1.privateKey, options), v1.publicKey)).to.equal(true);
  });
});
