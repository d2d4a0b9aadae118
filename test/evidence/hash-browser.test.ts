// The browser's hash module (swapped in by web-verify/build.ts) exports the same API as hash.ts and agrees with it.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import * as node from "../../service/evidence/hash";
import * as browser from "../../service/evidence/hash.browser";

describe("evidence/hash.browser", () => {
  it("exports exactly what hash.ts exports", () => {
    expect(Object.keys(browser).sort()).to.deep.equal(Object.keys(node).sort());
    expect(browser.HASH_SIZE).to.equal(node.HASH_SIZE);
  });

  it("gives the same SM3 and SHA-256 digests as hash.ts, on both sides of hash.ts's engine switch", () => {
    for (const size of [0, 1, 55, 56, 64, 65, 511, 512, 513, 4096, 100_000]) {
      const data = randomBytes(size);
      expect(Buffer.from(browser.sm3(data)).toString("hex"), `sm3 of ${size} bytes`).to.equal(Buffer.from(node.sm3(data)).toString("hex"));
      expect(Buffer.from(browser.sha256(data)).toString("hex"), `sha256 of ${size} bytes`).to.equal(Buffer.from(node.sha256(data)).toString("hex"));
    }
  });

  it("writes SM3 in place with `into`, touching only its 32 bytes", () => {
    const data = randomBytes(65);
    const out = new Uint8Array(96).fill(0xee);
    browser.sm3.into?.(data, out, 32);
    expect(Buffer.from(out.subarray(32, 64)).toString("hex")).to.equal(Buffer.from(node.sm3(data)).toString("hex"));
    expect([...out.subarray(0, 32), ...out.subarray(64)].every((b) => b === 0xee)).to.equal(true);
  });
});
