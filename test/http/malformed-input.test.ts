// Malformed input gets a 4xx with a code and writes nothing; no route answers 5xx to any of it.
import { expect } from "chai";
import { startService, OPERATOR_TOKEN, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, type TestCompany } from "../helpers/company";
import { logMark } from "../helpers/records";

describe("http: malformed input", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  let validBodies: Record<string, unknown>;

  before(async () => {
    svc = await startService({}, { bodyLimit: "16kb" });
    co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    validBodies = {
      "/api/v1/members": { name: "n", roles: ["employee"], department: null },
      "/api/v1/seals": { kind: "electronic", type: "contract", name: "x", publicKey: `04${"1".repeat(128)}` },
      "/api/v1/scenarios": { code: "ok", name: "n", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" },
      "/api/v1/grants": grantBody(co.employee.id, co.seal.id, [co.scenarios.none]),
      "/api/v1/requests": { seal: co.seal.id, scenario: co.scenarios.none, documentHash: "a".repeat(64), title: "t", reason: "r" },
      "/api/v1/usages/reservations": { seal: co.seal.id },
    };
  });
  after(() => svc.stop());

  /** Mutations of a valid body that must each be refused. */
  function mutations(body: Record<string, unknown>): Array<[string, string]> {
    const [firstKey] = Object.keys(body);
    const variants: Array<[string, unknown]> = [
      ["an unknown field", { ...body, extra: 1 }],
      ["a missing field", Object.fromEntries(Object.entries(body).slice(1))],
      ["a wrong type", { ...body, [firstKey]: 12345 }],
      ["an operator object", { ...body, [firstKey]: { $gt: "" } }],
      ["an array for the body", [body]],
      ["null for the body", null],
      ["a string for the body", "text"],
    ];
    const raw: Array<[string, string]> = variants.map(([name, v]) => [name, JSON.stringify(v)]);
    raw.push(["a __proto__ key", JSON.stringify(body).replace(/^\{/, '{"__proto__":{"roles":["legal_rep"]},')]);
    raw.push(["a constructor key", JSON.stringify(body).replace(/^\{/, '{"constructor":{"prototype":{"x":1}},')]);
    raw.push(["a lone surrogate", JSON.stringify(body).replace(/^\{/, '{"x":"\\ud800",')]);
    raw.push(["truncated JSON", JSON.stringify(body).slice(0, -3)]);
    return raw;
  }

  it("refuses each malformed body on every POST route with a 4xx code and no write", async () => {
    for (const [route, body] of Object.entries(validBodies)) {
      for (const [name, raw] of mutations(body as Record<string, unknown>)) {
        const before = await logMark(svc.store);
        const r = await svc.call("POST", route, { token: co.admin.token, raw, headers: { "content-type": "application/json" } });
        expect(r.status, `${route}: ${name}`).to.be.within(400, 499);
        expect(r.body.error?.code, `${route}: ${name}`).to.be.a("string");
        expect(await logMark(svc.store), `${route}: ${name} wrote a record`).to.equal(before);
      }
    }
  });

  it("refuses invalid UTF-8 with INVALID_UTF8", async () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","roles":["employee"]}')]);
    const r = await svc.call("POST", "/api/v1/members", { token: co.admin.token, raw: bytes });
    expect([r.status, r.body.error.code]).to.deep.equal([400, "INVALID_UTF8"]);
  });

  it("refuses a body over the limit with 413 BODY_TOO_LARGE", async () => {
    const r = await svc.call("POST", "/api/v1/members", { token: co.admin.token, body: { name: "x".repeat(20_000), roles: ["employee"] } });
    expect([r.status, r.body.error.code]).to.deep.equal([413, "BODY_TOO_LARGE"]);
  });

  it("refuses a non-JSON content type with 415", async () => {
    const r = await svc.call("POST", "/api/v1/members", { token: co.admin.token, raw: "name=x&roles=employee", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect([r.status, r.body.error.code]).to.deep.equal([415, "UNSUPPORTED_MEDIA_TYPE"]);
  });

  it("refuses malformed ids in paths and queries with 400 VALIDATION_FAILED", async () => {
    for (const route of ["/api/v1/seals/not-an-id", "/api/v1/members/m_$ne", "/api/v1/records/-1", "/api/v1/records/1e400", "/api/v1/records?limit=0", "/api/v1/records?fromSeq=x", "/api/v1/records?limit=5&evil=1"]) {
      const r = await svc.call("GET", route, { token: co.admin.token });
      expect([route, r.status, r.body.error?.code]).to.deep.equal([route, 400, "VALIDATION_FAILED"]);
    }
  });

  it("answers 401 without a key, with a malformed header, or with an unknown key", async () => {
    for (const headers of [{} as Record<string, string>, { authorization: "Basic abc" }, { authorization: "Bearer " }, { authorization: "Bearer sp_unknown_key" }]) {
      const r = await svc.call("GET", "/api/v1/seals", { headers });
      expect([r.status, r.body.error.code]).to.deep.equal([401, "UNAUTHENTICATED"]);
    }
    const r = await svc.call("POST", "/api/v1/companies", { token: "wrong", body: {} });
    expect(r.status).to.equal(401);
  });

  it("answers an unknown route with 404 ROUTE_NOT_FOUND", async () => {
    const r = await svc.call("GET", "/api/v1/nothing-here", { token: co.admin.token });
    expect([r.status, r.body.error.code]).to.deep.equal([404, "ROUTE_NOT_FOUND"]);
  });

  it("refuses JSON nested deeper than the limit with 400 JSON_TOO_DEEP, also where a \\u escape would be walked", async () => {
    const deep = (depth: number, inner: string) => `{"name":${"[".repeat(depth)}${inner}${"]".repeat(depth)},"roles":["employee"]}`;
    for (const raw of [deep(5_000, "1"), deep(5_000, '"\\u00e9"'), deep(5_000, '"\\ud800"'), `{"name":"x","roles":["employee"],"d":${'{"a":'.repeat(2_000)}1${"}".repeat(2_000)}}`]) {
      const r = await svc.call("POST", "/api/v1/members", { token: co.admin.token, raw });
      expect([r.status, r.body.error?.code]).to.deep.equal([400, "JSON_TOO_DEEP"]);
    }
    // The body object is level 1: 31 arrays inside it reach the limit of 32, one more passes it.
    const atLimit = await svc.call("POST", "/api/v1/members", { token: co.admin.token, raw: deep(31, "1") });
    expect([atLimit.status, atLimit.body.error?.code]).to.deep.equal([400, "VALIDATION_FAILED"]);
    const overLimit = await svc.call("POST", "/api/v1/members", { token: co.admin.token, raw: deep(32, "1") });
    expect([overLimit.status, overLimit.body.error?.code]).to.deep.equal([400, "JSON_TOO_DEEP"]);
  });

  it("counts only brackets outside strings toward the depth limit", async () => {
    const r = await svc.call("POST", "/api/v1/members", { token: co.admin.token, body: { name: `Brackets ${"[{".repeat(20)} \\" ${"[".repeat(40)}`, roles: ["employee"], department: null } });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
  });

  it("refuses 100,000 nested arrays within a larger body limit with 400 JSON_TOO_DEEP", async () => {
    const big = await startService({}, { bodyLimit: "1mb" });
    try {
      for (const inner of ["1", '"\\ud800"']) {
        const raw = `${"[".repeat(100_000)}${inner}${"]".repeat(100_000)}`;
        const r = await big.call("POST", "/api/v1/companies", { token: OPERATOR_TOKEN, raw });
        expect([r.status, r.body.error?.code]).to.deep.equal([400, "JSON_TOO_DEEP"]);
      }
    } finally {
      await big.stop();
    }
  });

  it("refuses control, invisible formatting and text-direction characters in names with 400 DISALLOWED_CHARACTERS", async () => {
    const unsafe = ["\u202Eevil", "a\u200Bb", "a\u00ADb", "\uFEFF\u200Dx", "a\u2066b\u2069", "a\u200Fb", "a\u061Cb", "line\nbreak", "bell\u0007", "a\u2028b", "del\u007F"];
    const named: Array<[string, (name: string) => unknown]> = [
      ["/api/v1/members", (name) => ({ name, roles: ["employee"], department: null })],
      ["/api/v1/seals", (name) => ({ kind: "electronic", type: "contract", name, publicKey: `04${"1".repeat(128)}` })],
      ["/api/v1/scenarios", (name) => ({ code: "bidi", name, sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" })],
      ["/api/v1/requests", (title) => ({ seal: co.seal.id, scenario: co.scenarios.none, documentHash: "a".repeat(64), title, reason: "r" })],
    ];
    for (const [route, body] of named) {
      for (const name of unsafe) {
        const before = await logMark(svc.store);
        const r = await svc.call("POST", route, { token: route === "/api/v1/requests" ? co.employee.token : co.admin.token, body: body(name) });
        expect([route, JSON.stringify(name), r.status, r.body.error?.code]).to.deep.equal([route, JSON.stringify(name), 400, "DISALLOWED_CHARACTERS"]);
        expect(await logMark(svc.store)).to.equal(before);
      }
    }
    for (const name of ["\u202E公司", "Acme\u200B Ltd"]) {
      const r = await svc.call("POST", "/api/v1/companies", { token: OPERATOR_TOKEN, body: { name, creditCode: "91350100M000100Y43", legalRep: { name: "Zhang San", idNumber: "11010519491231002X" } } });
      expect([r.status, r.body.error?.code]).to.deep.equal([400, "DISALLOWED_CHARACTERS"]);
      const rep = await svc.call("POST", "/api/v1/companies", { token: OPERATOR_TOKEN, body: { name: "Acme Ltd", creditCode: "91350100M000100Y43", legalRep: { name, idNumber: "11010519491231002X" } } });
      expect([rep.status, rep.body.error?.code]).to.deep.equal([400, "DISALLOWED_CHARACTERS"]);
    }
  });

  it("refuses text-direction and control characters other than a line break in a request's reason", async () => {
    for (const reason of ["a\u202Eb", "a\rb", "a\u0000b"]) {
      const r = await svc.call("POST", "/api/v1/requests", { token: co.employee.token, body: { seal: co.seal.id, scenario: co.scenarios.none, documentHash: "a".repeat(64), title: "t", reason } });
      expect([r.status, r.body.error?.code, r.body.error?.message]).to.deep.include.members([400, "DISALLOWED_CHARACTERS"]);
    }
  });

  it("still accepts names in any script, and line breaks in a request's reason", async () => {
    await ok(svc.call("POST", "/api/v1/members", { token: co.admin.token, body: { name: "Zoë Ångström 张三 محمد", roles: ["employee"], department: null } }));
    await ok(svc.call("POST", "/api/v1/requests", { token: co.employee.token, body: { seal: co.seal.id, scenario: co.scenarios.none, documentHash: "b".repeat(64), title: "Sales contract", reason: "first line\nsecond line" } }));
  });

  it("the operator route refuses malformed companies the same way", async () => {
    for (const body of [{}, { name: "x", creditCode: { $gt: "" }, legalRep: { name: "a", idNumber: "1" } }, { name: "x", creditCode: "91350100M000100Y43", legalRep: { name: "a", idNumber: "11010519491231002X", admin: true } }]) {
      const r = await svc.call("POST", "/api/v1/companies", { token: OPERATOR_TOKEN, body });
      expect([r.status, r.body.error.code]).to.deep.equal([400, "VALIDATION_FAILED"]);
    }
  });
});
