// A GET's JSON answer carries a weak ETag; a client that sends it back in If-None-Match is told 304, without a body.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal } from "../helpers/company";

describe("http: ETag and 304 on GET answers", function () {
  this.timeout(120_000);
  let svc: TestService;
  let receiptUrl: string;

  before(async () => {
    svc = await startService();
    const co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const used = await useSeal(svc, co.employee, co.seal, co.scenarios.none);
    expect(used.status).to.equal(201);
    receiptUrl = `${svc.url}/api/v1/receipts/${used.body.receipt as string}`;
  });
  after(() => svc.stop());

  it("tags the answer, answers 304 to the same tag (weak or strong, in a list, or *) and 200 to another or to no-cache", async () => {
    const first = await fetch(receiptUrl);
    expect(first.status).to.equal(200);
    expect(first.headers.get("content-type")).to.equal("application/json; charset=utf-8");
    const body = await first.text();
    expect(Number(first.headers.get("content-length"))).to.equal(Buffer.byteLength(body));
    const tag = first.headers.get("etag") ?? "";
    expect(tag).to.match(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);

    // fetch adds Cache-Control: no-cache to a conditional request unless the request names a Cache-Control of its own.
    const conditional = (held: string) => ({ "If-None-Match": held, "Cache-Control": "max-age=0" });
    for (const held of [tag, tag.slice(2), `W/"other", ${tag}`, "*"]) {
      const again = await fetch(receiptUrl, { headers: conditional(held) });
      expect([held, again.status, again.headers.get("etag")]).to.deep.equal([held, 304, tag]);
      expect(await again.text()).to.equal("");
      expect(again.headers.get("etag")).to.equal(tag);
    }
    const other = await fetch(receiptUrl, { headers: conditional('W/"0-other"') });
    expect([other.status, await other.text()]).to.deep.equal([200, body]);
    const revalidate = await fetch(receiptUrl, { headers: { "If-None-Match": tag, "Cache-Control": "no-cache" } });
    expect(revalidate.status).to.equal(200);
  });

  it("never answers 304 to a refusal", async () => {
    const missing = await fetch(`${receiptUrl.slice(0, -4)}zzzz`, { headers: { "If-None-Match": "*", "Cache-Control": "max-age=0" } });
    expect(missing.status).to.be.oneOf([400, 404]);
  });
});
