// 50 parallel usages of one seal: 50 records with contiguous seq, no duplicates, grant uses counted exactly.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, documentHash, grantBody, ok, signedUsage, useSeal } from "../helpers/company";
import { logMark } from "../helpers/records";

describe("http: concurrent usages", function () {
  this.timeout(120_000);
  let svc: TestService;
  before(async () => {
    svc = await startService();
  });
  after(() => svc.stop());

  it("50 parallel usages against one seal produce 50 records, sequenced with contiguous seq", async () => {
    const co = await createCompany(svc);
    const grant = await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const first = await logMark(svc.store);
    const replies = await Promise.all(Array.from({ length: 50 }, () => useSeal(svc, co.employee, co.seal, co.scenarios.none)));
    expect(replies.map((r) => r.status)).to.deep.equal(Array(50).fill(201));
    expect(new Set(replies.map((r) => r.body.id as string)).size).to.equal(50);
    expect(await logMark(svc.store)).to.equal(first + 50);
    const stored = await svc.store.records.list({ fromSeq: first, limit: 100 });
    expect(stored.map((r) => r.seq)).to.deep.equal(Array.from({ length: 50 }, (_, i) => first + i));
    expect(new Set(stored.map((r) => r.data.receipt)).size).to.equal(50);
    for (const r of replies) expect((await svc.store.records.byId(r.body.id as string))?.record.data.receipt).to.equal(r.body.receipt);
    expect((await ok(svc.call("GET", `/api/v1/grants/${grant.id}`, { token: co.legalRep.token }))).uses).to.equal(50);
  });

  it("a use limit holds under concurrency: exactly the limit succeeds", async () => {
    const co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none], { useLimit: 7 }) }));
    const replies = await Promise.all(Array.from({ length: 20 }, () => useSeal(svc, co.employee, co.seal, co.scenarios.none)));
    expect(replies.filter((r) => r.status === 201).length).to.equal(7);
    expect(replies.filter((r) => r.status !== 201).every((r) => r.body.error.code === "GRANT_EXHAUSTED")).to.equal(true);
  });

  it("one receipt id submitted ten times at once is used once: one record, nine RESERVATION_USED", async () => {
    const co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const reservation = await ok(svc.call("POST", "/api/v1/usages/reservations", { token: co.employee.token, body: { seal: co.seal.id } }));
    const usage = signedUsage({ receipt: reservation.receipt, seal: co.seal.id, signer: co.employee.id, documentHash: documentHash("one document"), scenario: co.scenarios.none, request: null }, co.seal.privateKey);
    const first = await logMark(svc.store);
    const replies = await Promise.all(Array.from({ length: 10 }, () => svc.call("POST", "/api/v1/usages", { token: co.employee.token, body: usage })));
    expect(replies.map((r) => r.status).sort()).to.deep.equal([201, ...Array(9).fill(409)]);
    expect(replies.filter((r) => r.status === 409).every((r) => r.body.error.code === "RESERVATION_USED")).to.equal(true);
    expect(await logMark(svc.store)).to.equal(first + 1);
    expect((await svc.store.records.getByReceipt(reservation.receipt))?.record.type).to.equal("seal.used");
  });
});
