// A declared route answers every spelling of its path that Express's router accepts (any letter case, one trailing
// slash), and only those; other methods on it, HEAD and OPTIONS behave as the router makes them. The Api answers
// routes without parameters from a map before the router (api.ts): these pin that it matches what the router would.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, type TestCompany } from "../helpers/company";

describe("http: route matching", function () {
  this.timeout(60_000);
  let svc: TestService;
  let co: TestCompany;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
  });
  after(() => svc.stop());

  const reserve = (path: string) => svc.call("POST", path, { token: co.employee.token, body: { seal: co.seal.id } });

  it("answers a route without parameters in any letter case and with one trailing slash", async () => {
    for (const path of ["/api/v1/usages/reservations", "/api/v1/Usages/Reservations", "/API/V1/USAGES/RESERVATIONS", "/api/v1/usages/reservations/"]) {
      const reply = await reserve(path);
      expect(reply.status, path).to.equal(201);
      expect(reply.body.seal, path).to.equal(co.seal.id);
    }
    const sealsPage = await svc.call("GET", "/api/v1/SEALS/", { token: co.employee.token });
    expect(sealsPage.status).to.equal(200);
    expect(sealsPage.body.seals.map((s: { id: string }) => s.id)).to.include(co.seal.id);
  });

  it("does not answer a path the router would not match: two trailing slashes, an encoded slash or letter, a longer path", async () => {
    for (const path of ["/api/v1/usages/reservations//", "/api/v1/usages%2Freservations", "/api/v1/usage%73/reservations", "/api/v1/usages/reservations/x", "/api/v1/usages/reservations.json"]) {
      const reply = await reserve(path);
      expect(reply.status, path).to.equal(404);
      expect(reply.body.error.code, path).to.equal("ROUTE_NOT_FOUND");
    }
  });

  it("leaves other methods, HEAD and OPTIONS of a declared path to the router", async () => {
    const put = await svc.call("PUT", "/api/v1/usages", { token: co.employee.token, body: {} });
    expect(put.status).to.equal(404);
    expect(put.body.error.code).to.equal("ROUTE_NOT_FOUND");
    const head = await fetch(`${svc.url}/api/v1/seals`, { method: "HEAD", headers: { authorization: `Bearer ${co.employee.token}` } });
    expect(head.status).to.equal(200);
    expect(await head.text()).to.equal("");
    const options = await fetch(`${svc.url}/api/v1/usages`, { method: "OPTIONS" });
    expect(options.status).to.equal(200);
    expect(options.headers.get("allow")).to.equal("POST");
  });

  it("still authenticates, validates and refuses on the fast path as on the router's", async () => {
    const anonymous = await svc.call("POST", "/api/v1/usages/reservations", { body: { seal: co.seal.id } });
    expect(anonymous.status).to.equal(401);
    const invalid = await svc.call("POST", "/api/v1/Usages/Reservations", { token: co.employee.token, body: { seal: co.seal.id, extra: 1 } });
    expect(invalid.status).to.equal(400);
    expect(invalid.body.error.code).to.equal("VALIDATION_FAILED");
    const ungranted = await svc.call("POST", "/api/v1/usages/reservations/", { token: co.outsider.token, body: { seal: co.seal.id } });
    expect(ungranted.status).to.equal(403);
  });
});
