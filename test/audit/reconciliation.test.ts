// Reconciliation of a period from the company's evidence records, through the real service: each figure is made to
// move by the event it counts, and the rule that must hold (no usage without the request its scenario required) is
// seen to break when the scenario changes under a usage the log already holds.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, requestUse, useSeal, type TestCompany } from "../helpers/company";
import { stampMessage, unlockedDevice } from "../devices/helpers";

const RECONCILIATION = "/api/v1/audit/reconciliation";

describe("audit: reconciliation of a period", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  let from: string;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    from = new Date(Date.now() - 1_000).toISOString();
  });
  after(() => svc.stop());

  const reconciliation = async (token = co.auditor.token, period = { from, to: new Date(Date.now() + 60_000).toISOString() }) =>
    ok(svc.call("GET", `${RECONCILIATION}?from=${period.from}&to=${period.to}`, { token }));

  it("counts approvals, usages and unused approvals per seal and scenario, and holds when every usage had its request", async () => {
    const seal = co.seal;
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, seal.id, [co.scenarios.none, co.scenarios.deptHead]) }));
    const used = await requestUse(svc, co.employee, seal.id, co.scenarios.deptHead, "signed.pdf");
    const unused = await requestUse(svc, co.employee, seal.id, co.scenarios.deptHead);
    for (const request of [used, unused]) await ok(svc.call("POST", `/api/v1/requests/${request}/approve`, { token: co.legalRep.token }));
    await ok(useSeal(svc, co.employee, seal, co.scenarios.deptHead, { request: used, document: "signed.pdf" }));
    await ok(useSeal(svc, co.employee, seal, co.scenarios.none));

    const r = await reconciliation();
    const sealRow = r.seals.find((s: { seal: string }) => s.seal === seal.id);
    expect(sealRow).to.deep.include({ approvals: 2, usages: 2, stampsAuthorized: 0, stampsUnauthorized: 0 });
    expect(r.scenarios.find((s: { scenario: string }) => s.scenario === co.scenarios.deptHead)).to.deep.include({ approvals: 2, usages: 1 });
    expect(r.scenarios.find((s: { scenario: string }) => s.scenario === co.scenarios.none)).to.deep.include({ approvals: 0, usages: 1 });
    expect(r.approvedUnused.map((u: { request: string }) => u.request)).to.deep.equal([unused]);
    expect(r.approvedUnused[0]).to.deep.include({ seal: seal.id, scenario: co.scenarios.deptHead });
    expect(r.usagesWithoutRequiredRequest).to.deep.equal({ count: 0, holds: true, receipts: [] });
  });

  it("reports a usage without the request its scenario required at the time of use", async () => {
    // The API refuses such a usage; the rule is checked on the log all the same, so a record written past the API (a
    // bug, or someone with the database) shows. Written here as such a writer would: straight into the store.
    const usage = (await svc.store.records.page({ company: co.id, type: "seal.used" }, { limit: 1 })).items[0].record;
    const receipt = "3wWm5bQpPb4vQ1xR8f2Lk9";
    await svc.store.records.append([{ ...usage, data: { ...usage.data, receipt, scenario: co.scenarios.legalRep, request: null } }]);
    const r = await reconciliation();
    expect(r.usagesWithoutRequiredRequest).to.deep.equal({ count: 1, holds: false, receipts: [receipt] });
    // A period without it holds, and an empty period reports zeros rather than nothing.
    const empty = await reconciliation(co.auditor.token, { from: "2020-01-01T00:00:00.000Z", to: "2020-02-01T00:00:00.000Z" });
    expect(empty).to.deep.include({ seals: [], scenarios: [], approvedUnused: [], devices: [], records: 0 });
    expect(empty.usagesWithoutRequiredRequest).to.deep.equal({ count: 0, holds: true, receipts: [] });
  });

  it("counts a smart seal's stamps and authorizations, and the stamps its counter shows the platform never heard of", async () => {
    const device = await unlockedDevice(svc, co, { copies: 2 });
    const send = (messages: unknown[]) => ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages } }));
    // Counter 10, then 13: the device made stamps 11 and 12 that never reached the platform.
    await send([stampMessage(device, 0, 10, { authorization: device.authorization, receipt: device.receipts[0] })]);
    await send([stampMessage(device, 1, 13, { authorization: device.authorization, receipt: device.receipts[1] })]);
    const r = await reconciliation();
    expect(r.devices).to.deep.equal([{ device: device.id, seal: device.seal, firstStampNo: 10, lastStampNo: 13, stampsRecorded: 2, unheardOf: 2 }]);
    const sealRow = r.seals.find((s: { seal: string }) => s.seal === device.seal);
    expect(sealRow).to.deep.include({ approvals: 1, stampsAuthorized: 2, stampsUnauthorized: 0 });
    expect(sealRow.authorizations).to.deep.equal({ opened: 1, exhausted: 1, expired: 0, withdrawn: 0, open: 0 });
    expect(r.approvedUnused.map((u: { request: string }) => u.request)).to.not.include(device.request);

    // A stamp with no authorization: unauthorized, counted against the seal.
    await svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [stampMessage(device, 2, 14)] } });
    const after = await reconciliation();
    expect(after.seals.find((s: { seal: string }) => s.seal === device.seal)).to.deep.include({ stampsAuthorized: 2, stampsUnauthorized: 1 });
    expect(after.devices[0]).to.deep.include({ lastStampNo: 14, stampsRecorded: 3, unheardOf: 2 });
  });

  it("is for the auditor and the legal representative of the company only", async () => {
    const period = `from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    expect((await svc.call("GET", `${RECONCILIATION}?${period}`, { token: co.legalRep.token })).status).to.equal(200);
    for (const who of [co.employee, co.admin, co.deptHead]) {
      const r = await svc.call("GET", `${RECONCILIATION}?${period}`, { token: who.token });
      expect([r.status, r.body.error?.code]).to.deep.equal([403, "FORBIDDEN"]);
    }
    const other = await createCompany(svc);
    const r = await svc.call("GET", `${RECONCILIATION}?${period}&company=${co.id}`, { token: other.auditor.token });
    expect(r.status).to.equal(404);
    const backwards = await svc.call("GET", `${RECONCILIATION}?from=${new Date().toISOString()}&to=${from}`, { token: co.auditor.token });
    expect(backwards.status).to.equal(400);
    expect((await svc.call("GET", RECONCILIATION, { token: co.auditor.token })).status).to.equal(400);
  });
});
