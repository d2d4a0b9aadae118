// /healthz tells the public only that the service is up and whether anchoring keeps up; addresses, counts and
// batcher internals need the operator token.
import { expect } from "chai";
import { startService, OPERATOR_TOKEN, type TestService } from "../helpers/service";
import { createCompany } from "../helpers/company";

describe("http: /healthz", () => {
  let svc: TestService;
  let anchoring: "ok" | "degraded" = "ok";
  const details = { chain: { chainId: 31337, contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3", devRpcUrl: "http://127.0.0.1:8545" }, batcher: { state: "retrying", lastAnchoredBatch: 3, detail: "connect ECONNREFUSED 10.0.0.7:8545" } };

  before(async () => {
    svc = await startService({}, { health: () => ({ anchoring, details }) });
    await createCompany(svc);
  });
  after(() => svc.stop());

  it("shows the public its status, version and whether anchoring keeps up, nothing more", async () => {
    anchoring = "ok";
    const r = await svc.call("GET", "/healthz");
    expect([r.status, r.body]).to.deep.equal([200, { status: "ok", version: "test", anchoring: "ok" }]);
    anchoring = "degraded";
    const degraded = await svc.call("GET", "/healthz");
    expect(degraded.body).to.deep.equal({ status: "ok", version: "test", anchoring: "degraded" });
    for (const leak of ["127.0.0.1", "10.0.0.7", "0x5fbdb", "sqlite", "records", "retrying"]) expect(JSON.stringify(degraded.body)).to.not.include(leak);
  });

  it("shows the operator the store, the record count, the chain and the batcher", async () => {
    const r = await svc.call("GET", "/healthz", { token: OPERATOR_TOKEN });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.include({ status: "ok", version: "test", store: "sqlite", records: await svc.store.records.count(), ...details });
    expect(r.body.records).to.be.greaterThan(0);
  });

  it("refuses a wrong token or a member's API key with 401 instead of falling back to the public view", async () => {
    const co = await createCompany(svc);
    for (const token of ["op_wrong", co.legalRep.token]) {
      const r = await svc.call("GET", "/healthz", { token });
      expect([r.status, r.body.error?.code]).to.deep.equal([401, "UNAUTHENTICATED"]);
    }
  });
});
