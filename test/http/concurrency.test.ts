// 50 parallel usages of one seal: 50 records with contiguous seq, no duplicates, grant uses counted exactly.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal } from "../helpers/company";

describe("http: concurrent usages", function () {
  this.timeout(120_000);
  let svc: TestService;
  before(async () => {
    svc = await startService();
  });
  after(() => svc.stop());

  it("50 parallel usages against one seal produce 50 records with contiguous seq", async () => {
    const co = await createCompany(svc);
    const grant = await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const first = await svc.store.records.count();
    const replies = await Promise.all(Array.from({ length: 50 }, () => useSeal(svc, co.employee, co.seal, co.scenarios.none)));
    expect(replies.map((r) => r.status)).to.deep.equal(Array(50).fill(201));
    const seqs = replies.map((r) => r.body.seq as number).sort((a, b) => a - b);
    expect(seqs).to.deep.equal(Array.from({ length: 50 }, (_, i) => first + i));
    const stored = await svc.store.records.list({ fromSeq: first, limit: 100 });
    expect(stored.map((r) => r.seq)).to.deep.equal(seqs);
    expect(new Set(stored.map((r) => r.data.receipt)).size).to.equal(50);
    expect((await ok(svc.call("GET", `/api/v1/grants/${grant.id}`, { token: co.legalRep.token }))).uses).to.equal(50);
  });

  it("a use limit holds under concurrency: exactly the limit succeeds", async () => {
    const co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none], { useLimit: 7 }) }));
    const replies = await Promise.all(Array.from({ length: 20 }, () => useSeal(svc, co.employee, co.seal, co.scenarios.none)));
    expect(replies.filter((r) => r.status === 201).length).to.equal(7);
    expect(replies.filter((r) => r.status !== 201).every((r) => r.body.error.code === "GRANT_EXHAUSTED")).to.equal(true);
  });
});
