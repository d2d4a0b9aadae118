// An approval for document X must not seal document Y by naming X: the relation "Y is a stamped copy of X"
// is accepted only when it is signed in the TBS, where it becomes the signer's claim on the record.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, documentHash, grantBody, ok, signedUsage, type TestCompany } from "../helpers/company";
import { logMark } from "../helpers/records";

describe("http: a stamped copy's source document", function () {
  this.timeout(60_000);
  let svc: TestService;
  let co: TestCompany;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.legalRep]) }));
  });
  after(() => svc.stop());

  async function approved(document: string): Promise<string> {
    const request = await ok(svc.call("POST", "/api/v1/requests", { token: co.employee.token, body: { seal: co.seal.id, scenario: co.scenarios.legalRep, documentHash: documentHash(document), title: "t", reason: "r" } }));
    await ok(svc.call("POST", `/api/v1/requests/${request.id}/approve`, { token: co.legalRep.token }));
    return request.id as string;
  }

  async function reserve(): Promise<string> {
    return (await ok(svc.call("POST", "/api/v1/usages/reservations", { token: co.employee.token, body: { seal: co.seal.id } }))).receipt as string;
  }

  const base = async (request: string) => ({ receipt: await reserve(), seal: co.seal.id, signer: co.employee.id, documentHash: documentHash("Y: another contract"), scenario: co.scenarios.legalRep, request });

  it("refuses an unsigned sourceDocumentHash beside the TBS, and writes nothing", async () => {
    const request = await approved("X: the approved contract");
    const usage = signedUsage(await base(request), co.seal.privateKey);
    const before = await logMark(svc.store);
    const r = await svc.call("POST", "/api/v1/usages", { token: co.employee.token, body: { ...usage, sourceDocumentHash: documentHash("X: the approved contract") } });
    expect([r.status, r.body.error.code]).to.deep.equal([400, "VALIDATION_FAILED"]);
    expect(await logMark(svc.store)).to.equal(before);
  });

  it("refuses a sourceDocumentHash slipped into the TBS after signing (SIGNATURE_INVALID), and writes nothing", async () => {
    const request = await approved("X2: the approved contract");
    const usage = signedUsage(await base(request), co.seal.privateKey);
    const before = await logMark(svc.store);
    const r = await svc.call("POST", "/api/v1/usages", { token: co.employee.token, body: { ...usage, tbs: { ...usage.tbs, sourceDocumentHash: documentHash("X2: the approved contract") } } });
    expect([r.status, r.body.error.code]).to.deep.equal([422, "SIGNATURE_INVALID"]);
    expect(await logMark(svc.store)).to.equal(before);
  });

  it("refuses another document without any source (DOCUMENT_HASH_MISMATCH)", async () => {
    const request = await approved("X3: the approved contract");
    const r = await svc.call("POST", "/api/v1/usages", { token: co.employee.token, body: signedUsage(await base(request), co.seal.privateKey) });
    expect([r.status, r.body.error.code]).to.deep.equal([422, "DOCUMENT_HASH_MISMATCH"]);
  });

  it("accepts the relation when it is signed, and records it as signed", async () => {
    const request = await approved("X4: the approved contract");
    const usage = signedUsage({ ...(await base(request)), sourceDocumentHash: documentHash("X4: the approved contract") }, co.seal.privateKey);
    const r = await svc.call("POST", "/api/v1/usages", { token: co.employee.token, body: usage });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body.record.data.sourceDocumentHash).to.equal(documentHash("X4: the approved contract"));
    expect(r.body.record.data.documentHash).to.equal(documentHash("Y: another contract"));
  });
});
