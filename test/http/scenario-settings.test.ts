// A scenario's settings as members define and read them, and as its scenario.defined record carries them.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { newId } from "../../service/domain/ids";
import { createCompany, ok, type TestCompany } from "../helpers/company";

describe("http: scenario settings", () => {
  let svc: TestService;
  let co: TestCompany;
  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  const define = (code: string, extra: Record<string, unknown> = {}) =>
    svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: { code, name: code, sealKinds: ["physical"], sealTypes: ["contract"], approval: "none", ...extra } });

  async function definedRecordData(scenario: string) {
    const page = await svc.store.records.page({ company: co.id, type: "scenario.defined", subject: scenario }, { limit: 10 });
    expect(page.items).to.have.length(1);
    return page.items[0].record.data;
  }

  it("publicPhotos is off unless asked for, read back as defined, and recorded in scenario.defined", async () => {
    const plain = await ok(define("plain"));
    const published = await ok(define("published", { publicPhotos: true }));
    expect([plain.publicPhotos, published.publicPhotos]).to.deep.equal([false, true]);
    expect((await ok(svc.call("GET", `/api/v1/scenarios/${published.id}`, { token: co.employee.token }))).publicPhotos).to.equal(true);
    const listed = (await ok(svc.call("GET", "/api/v1/scenarios?limit=100", { token: co.employee.token }))).scenarios;
    expect(listed.find((s: { id: string }) => s.id === plain.id).publicPhotos).to.equal(false);
    expect((await definedRecordData(published.id)).publicPhotos).to.equal(true);
    expect((await definedRecordData(plain.id)).publicPhotos).to.equal(false);
  });

  it("a scenario stored before the flag existed reads as not publishing photos", async () => {
    const old = { id: newId("sc"), company: co.id, code: "old", name: "old", sealKinds: ["physical" as const], sealTypes: ["contract" as const], approval: "none" as const, dualControl: false, createdAt: new Date().toISOString() };
    await svc.store.transaction(async (tx) => tx.scenarios.insert(old));
    expect((await ok(svc.call("GET", `/api/v1/scenarios/${old.id}`, { token: co.employee.token }))).publicPhotos).to.equal(false);
  });

  it("a publicPhotos that is not a boolean is refused and defines nothing", async () => {
    const r = await define("wrong", { publicPhotos: "yes" });
    expect([r.status, r.body.error.code]).to.deep.equal([400, "VALIDATION_FAILED"]);
    const listed = (await ok(svc.call("GET", "/api/v1/scenarios?limit=100", { token: co.employee.token }))).scenarios;
    expect(listed.map((s: { code: string }) => s.code)).to.not.include("wrong");
  });
});
