// JSON bodies: a plain application/json body is read by body.ts directly, anything else by body-parser. Each body
// below is sent both ways (the same bytes, labelled "application/json" and "application/json;charset=utf-8") and
// must get the same answer, so the direct path refuses and accepts exactly what body-parser does.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, type TestCompany } from "../helpers/company";

const DIRECT = "application/json";
const BODY_PARSER = "application/json;charset=utf-8";

describe("http: JSON bodies read directly or by body-parser alike", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  const bodies: Array<[string, Buffer]> = [
    ["an object", Buffer.from('{"seal":"s_missing"}')],
    ["leading whitespace", Buffer.from(' \n\t {"seal":1}')],
    ["a byte order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("{}")])],
    ["an empty body", Buffer.alloc(0)],
    ["null", Buffer.from("null")],
    ["a string", Buffer.from('"x"')],
    ["a no-break space before the object", Buffer.from("\u00a0{}")],
    ["truncated JSON", Buffer.from('{"seal":')],
    ["trailing garbage", Buffer.from("{} x")],
    ["a lone surrogate escape", Buffer.from('{"seal":"\\ud800"}')],
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
    ["nesting past the limit", Buffer.from(`${"[".repeat(40)}${"]".repeat(40)}`)],
    ["an array", Buffer.from("[1,2]")],
  ];

  async function post(body: Buffer, contentType: string) {
    const res = await fetch(`${svc.url}/api/v1/usages/reservations`, { method: "POST", headers: { authorization: `Bearer ${co.legalRep.token}`, "content-type": contentType }, body: new Uint8Array(body) });
    const json = (await res.json()) as { error?: { code: string }; receipt?: string };
    return { status: res.status, code: json.error?.code ?? null };
  }

  for (const [name, body] of bodies) {
    it(`answers ${name} the same both ways`, async () => {
      const direct = await post(body, DIRECT);
      const reference = await post(body, BODY_PARSER);
      expect(direct, JSON.stringify(reference)).to.deep.equal(reference);
      expect(direct.status).to.be.within(400, 499);
    });
  }

  it("refuses a body over the limit with 413 BODY_TOO_LARGE both ways", async () => {
    const big = Buffer.from(`{"seal":"${"a".repeat(70_000)}"}`);
    for (const type of [DIRECT, BODY_PARSER]) expect(await post(big, type)).to.deep.equal({ status: 413, code: "BODY_TOO_LARGE" });
  });
});
