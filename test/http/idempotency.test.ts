// Idempotency-Key: a retry returns the first response and writes nothing; the same key with another body is refused.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, type TestCompany } from "../helpers/company";
import { logMark } from "../helpers/records";
import { RESPONSE_GRACE_MS } from "../../service/http/idempotency";

describe("http: idempotency keys", function () {
  this.timeout(60_000);
  let svc: TestService;
  let co: TestCompany;
  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  const scenario = (code: string) => ({ code, name: "n", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" });

  it("a retry with the same key returns the first response and writes nothing new", async () => {
    const headers = { "idempotency-key": "retry-1" };
    const first = await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: scenario("idem-a"), headers });
    const count = await logMark(svc.store);
    const second = await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: scenario("idem-a"), headers });
    expect(first.status).to.equal(201);
    expect(second).to.deep.equal(first);
    expect(await logMark(svc.store)).to.equal(count);
  });

  it("concurrent retries write once, and each gets the first response", async () => {
    const headers = { "idempotency-key": "race-1" };
    const count = await logMark(svc.store);
    const replies = await Promise.all(Array.from({ length: 5 }, () => svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: scenario("idem-race"), headers })));
    expect(replies.map((r) => r.status)).to.deep.equal(Array(5).fill(201));
    expect(new Set(replies.map((r) => r.body.id)).size).to.equal(1);
    expect(await logMark(svc.store)).to.equal(count + 1);
  });

  it("the same key with a different body is refused with IDEMPOTENCY_KEY_REUSED", async () => {
    const headers = { "idempotency-key": "retry-2" };
    await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: scenario("idem-b"), headers });
    const r = await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: scenario("idem-c"), headers });
    expect([r.status, r.body.error.code]).to.deep.equal([422, "IDEMPOTENCY_KEY_REUSED"]);
  });

  it("keys are per member: another member's identical key is independent", async () => {
    const headers = { "idempotency-key": "shared" };
    const a = await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: scenario("idem-d"), headers });
    const b = await svc.call("POST", "/api/v1/scenarios", { token: co.legalRep.token, body: scenario("idem-e"), headers });
    expect([a.status, b.status]).to.deep.equal([201, 201]);
  });

  it("a refused request releases its key, so a corrected retry with the same key succeeds", async () => {
    const headers = { "idempotency-key": "fix-me" };
    const refused = await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: scenario("idem-a"), headers });
    expect(refused.body.error.code).to.equal("SCENARIO_CODE_TAKEN");
    const fixed = await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: scenario("idem-g"), headers });
    expect(fixed.status).to.equal(201);
  });

  it("a replayed response that carried an API key secret does not replay the secret", async () => {
    const headers = { "idempotency-key": "member-1" };
    const body = { name: "new", roles: ["employee"], department: null };
    const first = await svc.call("POST", "/api/v1/members", { token: co.admin.token, body, headers });
    const again = await svc.call("POST", "/api/v1/members", { token: co.admin.token, body, headers });
    expect(first.body.apiKey.secret).to.match(/^sp_/);
    expect(again.body.member.id).to.equal(first.body.member.id);
    expect(again.body.apiKey.secret).to.not.equal(first.body.apiKey.secret);
  });
});

describe("http: idempotency keys across nodes", function () {
  this.timeout(60_000);
  let svc: TestService;
  let co: TestCompany;
  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  it("a retry while another node may still store its response is told to retry; later, that the response was lost", async () => {
    const headers = { "idempotency-key": "other-node-1" };
    const body = { code: "idem-node", name: "n", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" };
    expect((await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body, headers })).status).to.equal(201);
    // As another node leaves it between its write and storing the response: the write's entry, no response yet.
    const [entry] = (await svc.store.idempotency.list(co.id)).filter((e) => e.created !== undefined && e.created.some((c) => "kind" in c && c.kind === "scenarios"));
    expect(entry, "the write's idempotency entry").to.not.equal(undefined);
    await svc.store.idempotency.update({ ...entry, status: 0, body: "", createdAt: new Date().toISOString() });
    const meanwhile = await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body, headers });
    expect([meanwhile.status, meanwhile.body.error?.code]).to.deep.equal([409, "IDEMPOTENCY_IN_PROGRESS"]);
    await svc.store.idempotency.update({ ...entry, status: 0, body: "", createdAt: new Date(Date.now() - RESPONSE_GRACE_MS - 1_000).toISOString() });
    const later = await svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body, headers });
    expect([later.status, later.body.error?.code]).to.deep.equal([409, "IDEMPOTENCY_RESPONSE_LOST"]);
    expect((await svc.store.scenarios.list(co.id)).filter((s) => s.code === body.code)).to.have.length(1);
  });
});
