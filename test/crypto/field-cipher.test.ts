// SM4-GCM for fields at rest: the RFC 8998 test vector, binding to the field's context, and values in clear.
import { expect } from "chai";
import { sm4 } from "sm-crypto-v2";
import { FieldCipherError, SEALED_PREFIX, sm4GcmCipher } from "../../service/crypto/field-cipher";

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ""), "hex");

describe("crypto: SM4-GCM field cipher", () => {
  it("the SM4 implementation matches RFC 8998 appendix A.1 (SM4-GCM)", () => {
    const key = hex("0123456789ABCDEFFEDCBA9876543210");
    const iv = hex("00001234567800000000ABCD");
    const aad = hex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
    const plain = hex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA");
    const { output, tag } = sm4.encrypt(plain, key, { mode: "gcm", iv, associatedData: aad, output: "array", outputTag: true });
    expect(Buffer.from(output).toString("hex").toUpperCase()).to.equal(
      "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
    );
    expect(Buffer.from(tag ?? []).toString("hex").toUpperCase()).to.equal("83DE3541E4C2B58177E065A9BF7B62EC");
  });

  const cipher = sm4GcmCipher(Buffer.alloc(16, 7));

  it("round-trips, with a fresh IV each time, and leaves no plaintext in the stored form", () => {
    const a = cipher.seal("张三 11010519491231002X", "companies.legalRepName:c_1");
    const b = cipher.seal("张三 11010519491231002X", "companies.legalRepName:c_1");
    expect(a.startsWith(SEALED_PREFIX)).to.equal(true);
    expect(a).to.not.equal(b);
    expect(a).to.not.include("11010519491231002X");
    expect(cipher.open(a, "companies.legalRepName:c_1")).to.equal("张三 11010519491231002X");
  });

  it("opens only under the same context, the same key and unaltered bytes", () => {
    const sealed = cipher.seal("11010519491231002X", "companies.legalRepIdNumber:c_1");
    expect(() => cipher.open(sealed, "companies.legalRepIdNumber:c_2")).to.throw(FieldCipherError);
    expect(() => cipher.open(sealed, "members.name:c_1")).to.throw(FieldCipherError);
    expect(() => sm4GcmCipher(Buffer.alloc(16, 8)).open(sealed, "companies.legalRepIdNumber:c_1")).to.throw(FieldCipherError);
    const body = Buffer.from(sealed.slice(SEALED_PREFIX.length), "base64url");
    body[14] ^= 1;
    expect(() => cipher.open(SEALED_PREFIX + body.toString("base64url"), "companies.legalRepIdNumber:c_1")).to.throw(FieldCipherError);
    expect(() => cipher.open(`${SEALED_PREFIX}AAAA`, "companies.legalRepIdNumber:c_1")).to.throw(FieldCipherError);
  });

  it("returns a value stored before encryption was on unchanged", () => {
    expect(cipher.open("Zhang San", "members.name:m_1")).to.equal("Zhang San");
  });

  it("refuses a key that is not 16 bytes", () => {
    expect(() => sm4GcmCipher(Buffer.alloc(32))).to.throw(RangeError);
  });
});
