// sm-crypto-v2 (the browser's SM2, and Node's where the addon does not load) precomputes a key's point only when the
// key is verified again: a key verified once (a verify page's receipt, a device's hello, an unauthorized stamp checked on the
// event loop at once) does not pay the ~40 ms it costs, and the verdicts are the same before and after it is done.
import { expect } from "chai";
import { generateSm2KeyPair, isPrecomputed, sm2Sign, sm2Verify } from "../../service/evidence/sm2.browser";
import { utf8 } from "../../service/evidence";

describe("evidence/sm2 in JavaScript: precomputing a key's point", () => {
  it("verifies a key seen once without precomputing it, and precomputes it when it is verified again", () => {
    const keys = generateSm2KeyPair();
    const message = utf8("盖章 1");
    const signature = sm2Sign(message, keys.privateKey);
    expect(sm2Verify(message, signature, keys.publicKey)).to.equal(true);
    expect(isPrecomputed(keys.publicKey)).to.equal(false);
    expect(sm2Verify(message, signature, keys.publicKey)).to.equal(true);
    expect(isPrecomputed(keys.publicKey)).to.equal(true);
  });

  it("gives the same verdicts before the point is precomputed and after", () => {
    const keys = generateSm2KeyPair();
    const other = generateSm2KeyPair();
    const verdicts: boolean[][] = [];
    for (let i = 0; i < 30; i++) {
      const message = utf8(`用印 ${i}`);
      const good = sm2Sign(message, keys.privateKey);
      verdicts.push([sm2Verify(message, good, keys.publicKey), sm2Verify(utf8(`用印 ${i + 1}`), good, keys.publicKey), sm2Verify(message, sm2Sign(message, other.privateKey), keys.publicKey)]);
    }
    expect(isPrecomputed(keys.publicKey)).to.equal(true);
    expect(verdicts.every(([good, otherMessage, otherKey]) => good && !otherMessage && !otherKey)).to.equal(true);
  });
});
