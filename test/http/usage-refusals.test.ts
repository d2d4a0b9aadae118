// Electronic usage end to end over HTTP, and each refusal a user must get with its own code.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, documentHash, grantBody, ok, physicalSeal, signedUsage, useSeal, type TestCompany } from "../helpers/company";
import { generateSm2KeyPair, recordBytes, sm2Verify, usageTbsBytes, usageTbsFromRecord, type EvidenceRecord } from "../../service/evidence";
import { sequenceAll } from "../store/fixtures";
import { logMark } from "../helpers/records";

describe("http: electronic seal usage", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  const grant = (extra: Record<string, unknown> = {}, scenarios?: string[]) =>
    ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, scenarios ?? [co.scenarios.none], extra) }));

  beforeEach(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  afterEach(() => svc.stop());

  async function expectRefusal(reply: Promise<{ status: number; body: any }>, status: number, code: string) {
    const countBefore = await logMark(svc.store);
    const r = await reply;
    expect([r.status, r.body.error?.code]).to.deep.equal([status, code]);
    expect(await logMark(svc.store), "records written by a refused request").to.equal(countBefore);
  }

  it("records a signed usage as seal.used whose TBS and signature verify from the record alone", async () => {
    await grant();
    const r = await useSeal(svc, co.employee, co.seal, co.scenarios.none);
    expect(r.status).to.equal(201);
    expect((await svc.store.records.byId(r.body.id))?.record).to.deep.equal(r.body.record);
    await sequenceAll(svc.store);
    const { record } = (await svc.store.records.byId(r.body.id)) as { record: EvidenceRecord };
    expect(record.seq).to.be.a("number");
    expect(record?.type).to.equal("seal.used");
    expect(record?.subject).to.equal(co.seal.id);
    expect(Buffer.from(recordBytes(record)).toString()).to.not.match(/Zhang|member employee|Test Trading/);
    const usage = usageTbsFromRecord(record);
    expect(sm2Verify(usageTbsBytes(usage!.tbs), usage!.signature, co.seal.publicKey)).to.equal(true);
    const byReceipt = await svc.store.records.getByReceipt(r.body.receipt);
    expect(byReceipt).to.deep.equal({ id: r.body.id, record });
  });

  it("refuses a suspended seal with SEAL_SUSPENDED and a revoked one with SEAL_REVOKED", async () => {
    await grant();
    const reservation = await ok(svc.call("POST", "/api/v1/usages/reservations", { token: co.employee.token, body: { seal: co.seal.id } }));
    const usage = signedUsage({ receipt: reservation.receipt, seal: co.seal.id, signer: co.employee.id, documentHash: documentHash("a"), scenario: co.scenarios.none, request: null }, co.seal.privateKey);
    await ok(svc.call("POST", `/api/v1/seals/${co.seal.id}/suspend`, { token: co.admin.token }));
    await expectRefusal(svc.call("POST", "/api/v1/usages", { token: co.employee.token, body: usage }), 409, "SEAL_SUSPENDED");
    await ok(svc.call("POST", `/api/v1/seals/${co.seal.id}/revoke`, { token: co.admin.token }));
    await expectRefusal(svc.call("POST", "/api/v1/usages", { token: co.employee.token, body: usage }), 409, "SEAL_REVOKED");
  });

  it("refuses an expired grant with GRANT_EXPIRED and an exhausted one with GRANT_EXHAUSTED", async () => {
    const past = Date.now() - 86_400_000;
    await grant({ validFrom: new Date(past - 1000).toISOString(), validTo: new Date(past).toISOString() });
    await expectRefusal(useSeal(svc, co.employee, co.seal, co.scenarios.none), 403, "GRANT_EXPIRED");
    await grant({ useLimit: 1 });
    expect((await useSeal(svc, co.employee, co.seal, co.scenarios.none)).status).to.equal(201);
    await expectRefusal(useSeal(svc, co.employee, co.seal, co.scenarios.none), 403, "GRANT_EXHAUSTED");
  });

  it("refuses use without any grant with GRANT_MISSING", async () => {
    await expectRefusal(svc.call("POST", "/api/v1/usages/reservations", { token: co.employee.token, body: { seal: co.seal.id } }), 403, "GRANT_MISSING");
  });

  it("refuses a scenario needing approval without one with APPROVAL_REQUIRED", async () => {
    await grant({}, [co.scenarios.deptHead]);
    await expectRefusal(useSeal(svc, co.employee, co.seal, co.scenarios.deptHead), 403, "APPROVAL_REQUIRED");
  });

  it("accepts an approved request once, and refuses a signed document hash that differs from the request's", async () => {
    await grant({}, [co.scenarios.legalRep]);
    const request = await ok(svc.call("POST", "/api/v1/requests", { token: co.employee.token, body: { seal: co.seal.id, scenario: co.scenarios.legalRep, documentHash: documentHash("the contract"), title: "Supply contract", reason: "signing" } }));
    await expectRefusal(useSeal(svc, co.employee, co.seal, co.scenarios.legalRep, { request: request.id, document: "the contract" }), 409, "REQUEST_NOT_APPROVED");
    await ok(svc.call("POST", `/api/v1/requests/${request.id}/approve`, { token: co.legalRep.token }));
    await expectRefusal(useSeal(svc, co.employee, co.seal, co.scenarios.legalRep, { request: request.id, document: "another file" }), 422, "DOCUMENT_HASH_MISMATCH");
    expect((await useSeal(svc, co.employee, co.seal, co.scenarios.legalRep, { request: request.id, document: "the contract" })).status).to.equal(201);
    await expectRefusal(useSeal(svc, co.employee, co.seal, co.scenarios.legalRep, { request: request.id, document: "the contract" }), 409, "REQUEST_STATE_INVALID");
  });

  it("refuses a signature by another key with SIGNATURE_INVALID", async () => {
    await grant();
    const intruder = { id: co.seal.id, privateKey: generateSm2KeyPair().privateKey };
    await expectRefusal(useSeal(svc, co.employee, intruder, co.scenarios.none), 422, "SIGNATURE_INVALID");
  });

  it("refuses another company's seal with NOT_FOUND, also right after its owner used it", async () => {
    await grant();
    expect((await useSeal(svc, co.employee, co.seal, co.scenarios.none)).status).to.equal(201);
    const other = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: other.legalRep.token, body: grantBody(other.employee.id, other.seal.id, [other.scenarios.none]) }));
    const reservation = await ok(svc.call("POST", "/api/v1/usages/reservations", { token: other.employee.token, body: { seal: other.seal.id } }));
    // The reservation is for the member's own seal; the TBS names the first company's, signed with its key as a thief would.
    const usage = signedUsage({ receipt: reservation.receipt, seal: co.seal.id, signer: other.employee.id, documentHash: documentHash("a"), scenario: other.scenarios.none, request: null }, co.seal.privateKey);
    await expectRefusal(svc.call("POST", "/api/v1/usages", { token: other.employee.token, body: usage }), 404, "NOT_FOUND");
  });

  it("refuses a reused receipt id with RESERVATION_USED and another member's TBS with SIGNER_MISMATCH", async () => {
    await grant();
    const reservation = await ok(svc.call("POST", "/api/v1/usages/reservations", { token: co.employee.token, body: { seal: co.seal.id } }));
    const usage = signedUsage({ receipt: reservation.receipt, seal: co.seal.id, signer: co.employee.id, documentHash: documentHash("a"), scenario: co.scenarios.none, request: null }, co.seal.privateKey);
    expect((await svc.call("POST", "/api/v1/usages", { token: co.employee.token, body: usage })).status).to.equal(201);
    await expectRefusal(svc.call("POST", "/api/v1/usages", { token: co.employee.token, body: usage }), 409, "RESERVATION_USED");
    await expectRefusal(svc.call("POST", "/api/v1/usages", { token: co.deptHead.token, body: usage }), 403, "SIGNER_MISMATCH");
  });

  it("refuses physical destroy while a request is open with REQUEST_OPEN, and allows it after", async () => {
    const physical = { id: await physicalSeal(svc, co) };
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, physical.id, [co.scenarios.deptHead]) }));
    const request = await ok(svc.call("POST", "/api/v1/requests", { token: co.employee.token, body: { seal: physical.id, scenario: co.scenarios.deptHead, documentHash: documentHash("p"), title: "t", reason: "r" } }));
    await expectRefusal(svc.call("POST", `/api/v1/seals/${physical.id}/destroy`, { token: co.admin.token }), 409, "REQUEST_OPEN");
    await ok(svc.call("POST", `/api/v1/requests/${request.id}/reject`, { token: co.legalRep.token }));
    expect((await svc.call("POST", `/api/v1/seals/${physical.id}/destroy`, { token: co.admin.token })).body.status).to.equal("destroyed");
    await expectRefusal(svc.call("POST", `/api/v1/seals/${co.seal.id}/destroy`, { token: co.admin.token }), 422, "SEAL_KIND_INVALID");
  });

  it("refuses a duplicate unified social credit code with CREDIT_CODE_TAKEN and a bad check character with CREDIT_CODE_INVALID", async () => {
    const company = await ok(svc.call("GET", "/api/v1/company", { token: co.legalRep.token }));
    const body = { name: "Copy Co.", creditCode: company.creditCode, legalRep: { name: "Li Si", idNumber: "11010519491231002X" } };
    await expectRefusal(svc.call("POST", "/api/v1/companies", { token: "op_test_token_0123456789", body }), 409, "CREDIT_CODE_TAKEN");
    const bad = `${company.creditCode.slice(0, 17)}${company.creditCode[17] === "0" ? "1" : "0"}`;
    await expectRefusal(svc.call("POST", "/api/v1/companies", { token: "op_test_token_0123456789", body: { ...body, creditCode: bad } }), 422, "CREDIT_CODE_INVALID");
  });

  it("withdraws a leaving member's grants, each as its own record, and their key stops working", async () => {
    await grant();
    await grant({}, [co.scenarios.deptHead]);
    const before = await logMark(svc.store);
    await ok(svc.call("POST", `/api/v1/members/${co.employee.id}/leave`, { token: co.admin.token }));
    const written = await svc.store.records.list({ fromSeq: before, limit: (await logMark(svc.store)) - before });
    expect(written.map((r) => r.type)).to.deep.equal(["member.left", "grant.withdrawn", "grant.withdrawn"]);
    expect((await svc.call("GET", "/api/v1/me", { token: co.employee.token })).status).to.equal(401);
  });

  it("replaces a seal: the old one is revoked and linked, the new one registered, in one step", async () => {
    await grant();
    const keys = generateSm2KeyPair();
    const r = await ok(svc.call("POST", `/api/v1/seals/${co.seal.id}/replace`, { token: co.admin.token, body: { kind: "electronic", type: "contract", name: "合同专用章(2)", publicKey: keys.publicKey } }));
    expect([r.old.status, r.old.replacedBy, r.replacement.replaces]).to.deep.equal(["revoked", r.replacement.id, co.seal.id]);
    const reservation = await svc.call("POST", "/api/v1/usages/reservations", { token: co.employee.token, body: { seal: co.seal.id } });
    expect(reservation.body.error.code).to.equal("SEAL_REVOKED");
  });
});
