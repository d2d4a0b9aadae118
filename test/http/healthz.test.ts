// /healthz tells the public only that the service is up and whether anchoring keeps up (degraded, still 200);
// the reasons, addresses, counts and batcher internals need the operator token.
import { expect } from "chai";
import { startService, OPERATOR_TOKEN, type TestService } from "../helpers/service";
import { createCompany } from "../helpers/company";
import type { HealthSource } from "../../service/http/health";

describe("http: /healthz", () => {
  let svc: TestService;
  const chain = { chainId: 31337, contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3", devRpcUrl: "http://127.0.0.1:8545" };
  let batcher = { state: "active", lastAnchoredBatch: 3, detail: null as string | null };
  let devChain = { state: "up", detail: null as string | null };
  let waitingSince: Date | null = null;
  const maxWaitMs = 10_000;
  const source = (): HealthSource => ({ batcher, devChain, waitingSince: () => Promise.resolve(waitingSince), maxWaitMs, details: { chain, batcher, devChain } });

  before(async () => {
    svc = await startService({}, { health: source });
    await createCompany(svc);
  });
  after(() => svc.stop());
  beforeEach(() => {
    batcher = { state: "active", lastAnchoredBatch: 3, detail: null };
    devChain = { state: "up", detail: null };
    waitingSince = null;
  });

  const publicView = async () => {
    const r = await svc.call("GET", "/healthz");
    return [r.status, r.body] as const;
  };
  const reasons = async () => ((await svc.call("GET", "/healthz", { token: OPERATOR_TOKEN })).body.reasons as Array<{ code: string }>).map((r) => r.code);

  it("shows the public its status, version and whether anchoring keeps up, nothing more", async () => {
    expect(await publicView()).to.deep.equal([200, { status: "ok", version: "test", anchoring: "ok" }]);
    batcher = { state: "retrying", lastAnchoredBatch: 3, detail: "connect ECONNREFUSED 10.0.0.7:8545" };
    const [status, degraded] = await publicView();
    expect([status, degraded]).to.deep.equal([200, { status: "degraded", version: "test", anchoring: "degraded" }]);
    for (const leak of ["127.0.0.1", "10.0.0.7", "0x5fbdb", "sqlite", "records", "retrying", "reasons"]) expect(JSON.stringify(degraded)).to.not.include(leak);
  });

  it("says degraded, still with 200, while the dev chain restarts, the batcher retries or stopped, or a record waits past the limit", async () => {
    devChain = { state: "restarting", detail: "exited on SIGKILL; starting again in 500 ms" };
    expect(await publicView()).to.deep.equal([200, { status: "degraded", version: "test", anchoring: "degraded" }]);
    expect(await reasons()).to.deep.equal(["DEV_CHAIN_DOWN"]);
    devChain = { state: "up", detail: null };
    batcher = { state: "halted", lastAnchoredBatch: 3, detail: "ROOT_MISMATCH: batch 3 on chain differs from the store's" };
    expect(await reasons()).to.deep.equal(["ANCHORING_HALTED"]);
    batcher = { state: "active", lastAnchoredBatch: 3, detail: null };
    waitingSince = new Date(Date.now() - maxWaitMs + 2_000);
    expect(await publicView()).to.deep.equal([200, { status: "ok", version: "test", anchoring: "ok" }]);
    waitingSince = new Date(Date.now() - maxWaitMs - 1_000);
    expect(await publicView()).to.deep.equal([200, { status: "degraded", version: "test", anchoring: "degraded" }]);
    expect(await reasons()).to.deep.equal(["RECORDS_WAITING"]);
  });

  it("shows the operator the reasons, the store, the record count, the chain and the batcher", async () => {
    devChain = { state: "restarting", detail: "exited on SIGKILL; starting again in 1000 ms" };
    batcher = { state: "retrying", lastAnchoredBatch: 3, detail: "connect ECONNREFUSED 127.0.0.1:8545" };
    const r = await svc.call("GET", "/healthz", { token: OPERATOR_TOKEN });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.include({ status: "degraded", version: "test", anchoring: "degraded", store: "sqlite", chain, batcher, devChain });
    expect(r.body.reasons).to.deep.equal([
      { code: "DEV_CHAIN_DOWN", message: "the embedded dev chain exited on SIGKILL; starting again in 1000 ms" },
      { code: "ANCHORING_RETRYING", message: "connect ECONNREFUSED 127.0.0.1:8545" },
    ]);
    expect(r.body.records).to.equal(await svc.store.records.count());
  });

  it("refuses a wrong token or a member's API key with 401 instead of falling back to the public view", async () => {
    const co = await createCompany(svc);
    for (const token of ["op_wrong", co.legalRep.token]) {
      const r = await svc.call("GET", "/healthz", { token });
      expect([r.status, r.body.error?.code]).to.deep.equal([401, "UNAUTHENTICATED"]);
    }
  });
});
