// A declared route answers every spelling of its path that Express's router accepts (any letter case, one trailing
// slash), and only those; other methods on it, HEAD and OPTIONS behave as the router makes them. The Api answers
// routes without parameters, and GETs with plain parameters, at the front of the app (api.ts): these pin that it
// matches what the router would, and that a route's rate limit and the body parsers still run there.
import http from "node:http";
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal, type TestCompany } from "../helpers/company";

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

  describe("GETs with parameters", () => {
    let receipt: string;
    before(async () => {
      const used = await useSeal(svc, co.employee, co.seal, co.scenarios.none);
      expect(used.status).to.equal(201);
      receipt = used.body.receipt as string;
    });

    it("answers a public receipt in any letter case of the path and with one trailing slash, and keeps the id's own case", async () => {
      const canonical = await svc.call("GET", `/api/v1/receipts/${receipt}`);
      expect(canonical.status).to.equal(200);
      expect(canonical.body.status).to.equal("pending");
      for (const path of [`/API/V1/Receipts/${receipt}`, `/api/v1/receipts/${receipt}/`]) {
        const reply = await svc.call("GET", path);
        expect(reply.status, path).to.equal(200);
        expect(reply.body, path).to.deep.equal(canonical.body);
      }
      const swapped = [...receipt].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
      const other = await svc.call("GET", `/api/v1/receipts/${swapped}`);
      // Unknown (404), or not an id at all where a swapped letter is one base58 leaves out (400).
      expect(other.status).to.be.oneOf([400, 404]);
    });

    it("leaves an escaped id to the router, which decodes it, and answers paths the router would not match with 404", async () => {
      const escaped = `%${receipt.charCodeAt(0).toString(16)}${receipt.slice(1)}`;
      const decoded = await svc.call("GET", `/api/v1/receipts/${escaped}`);
      expect(decoded.status).to.equal(200);
      expect(decoded.body).to.deep.equal((await svc.call("GET", `/api/v1/receipts/${receipt}`)).body);
      for (const path of [`/api/v1/receipts/${receipt}//`, `/api/v1/receipts//${receipt}`, `/api/v1/receipts%2F${receipt}`]) {
        const reply = await svc.call("GET", path);
        expect(reply.status, path).to.equal(404);
      }
    });

    it("still runs the body parsers for a GET that brings a body", async () => {
      // fetch will not send a GET with a body; a raw request does.
      const reply = await rawGetWithBody(svc.url, `/api/v1/receipts/${receipt}`, "text/plain", "not json");
      expect(reply.status).to.equal(415);
      expect(JSON.parse(reply.body).error.code).to.equal("UNSUPPORTED_MEDIA_TYPE");
    });

    it("answers the app's own route under the mount (the OpenAPI document) in every spelling", async () => {
      for (const path of ["/api/v1/openapi.json", "/API/V1/OPENAPI.JSON", "/api/v1/openapi.json/"]) {
        const reply = await svc.call("GET", path);
        expect(reply.status, path).to.equal(200);
        expect(reply.body.openapi, path).to.be.a("string");
      }
    });
  });

  describe("the public rate limit", () => {
    let limited: TestService;
    after(() => limited?.stop());

    it("holds on the front door's GETs with parameters, whatever the spelling of the path", async () => {
      limited = await startService({}, { publicRateLimit: 3 });
      const spellings = ["/api/v1/receipts/1111111111111111111111", "/API/V1/RECEIPTS/1111111111111111111111", "/api/v1/receipts/1111111111111111111111/"];
      for (const path of spellings) expect((await limited.call("GET", path)).status, path).to.not.equal(429);
      const over = await limited.call("GET", "/api/v1/receipts/1111111111111111111111");
      expect(over.status).to.equal(429);
      expect(over.body.error.code).to.equal("RATE_LIMITED");
    });
  });
});

/** A GET with a body and a content type, as a client may send it (HTTP allows it; fetch does not). */
function rawGetWithBody(base: string, path: string, type: string, body: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method: "GET", headers: { "content-type": type, "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
