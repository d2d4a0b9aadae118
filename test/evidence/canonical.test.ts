import { expect } from "chai";
import { canonicalBytes, canonicalJson, EvidenceError } from "../../service/evidence";

describe("evidence/canonical: RFC 8785 JSON", () => {
  it("sorts keys by UTF-16 code units and drops insignificant whitespace (RFC 8785 §3.2.3 example)", () => {
    const input = JSON.parse('{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}');
    expect(canonicalJson(input)).to.equal(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it("serializes numbers as ECMAScript does (RFC 8785 §3.2.2.3 samples)", () => {
    expect(canonicalJson([1e21, 1e-7, 333333333.3333333, 0.000001, -0, 4.5, 2e-3, 1e23])).to.equal(
      "[1e+21,1e-7,333333333.3333333,0.000001,0,4.5,0.002,1e+23]",
    );
  });

  it("encodes the canonical text as UTF-8", () => {
    expect(Buffer.from(canonicalBytes({ b: "印章", a: 1 })).toString("hex")).to.equal(Buffer.from('{"a":1,"b":"印章"}', "utf8").toString("hex"));
  });

  const refused: Array<[string, unknown]> = [
    ["NaN", { n: Number.NaN }],
    ["Infinity", [Number.POSITIVE_INFINITY]],
    ["-Infinity", { deep: { n: Number.NEGATIVE_INFINITY } }],
    ["a lone high surrogate in a value", { s: "a\ud800" }],
    ["a lone low surrogate in a value", ["\udc00b"]],
    ["a lone surrogate in a key", { ["k\ud83d"]: 1 }],
    ["undefined", { u: undefined }],
    ["a function", { f: () => 1 }],
    ["a bigint", { b: 1n }],
    ["a Date (not a plain object)", { d: new Date(0) }],
  ];
  for (const [name, value] of refused) {
    it(`refuses ${name} with NOT_CANONICAL_JSON`, () => {
      expect(() => canonicalJson(value)).to.throw(EvidenceError).with.property("code", "NOT_CANONICAL_JSON");
    });
  }

  it("keeps a well-formed surrogate pair", () => {
    expect(canonicalJson({ e: "\ud83d\ude00" })).to.equal('{"e":"😀"}');
  });
});
