// The ledger of usages and stamps through the real service: each row carries its approval chain as the log tells it,
// CSV and XLSX hold the same rows, and only the company's auditor and legal representative may read it.
import { expect } from "chai";
import { strFromU8, unzipSync } from "fflate";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, requestUse, useSeal, type TestCompany } from "../helpers/company";
import { stampMessage, unlockedDevice } from "../devices/helpers";
import { LEDGER_COLUMNS } from "../../service/audit/ledger";

const LEDGER = "/api/v1/audit/ledger";

describe("audit: ledger of usages and stamps", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  let from: string;
  let usageReceipt: string;
  let request: string;
  let device: Awaited<ReturnType<typeof unlockedDevice>>;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    from = new Date(Date.now() - 1_000).toISOString();
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.deptHead]) }));
    request = await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead, "ledger.pdf");
    await ok(svc.call("POST", `/api/v1/requests/${request}/approve`, { token: co.legalRep.token }));
    usageReceipt = (await ok(useSeal(svc, co.employee, co.seal, co.scenarios.deptHead, { request, document: "ledger.pdf" }))).receipt;
    device = await unlockedDevice(svc, co, { copies: 1 });
    await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [stampMessage(device, 0, 7, { authorization: device.authorization, receipt: device.receipts[0] })] } }));
  });
  after(() => svc.stop());

  const query = (format: string, token = co.auditor.token) => fetch(`${svc.url}${LEDGER}?from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}&format=${format}`, { headers: { authorization: `Bearer ${token}` } });

  it("lists each usage and stamp with its request, approver, custody confirmations, authorization and device, as CSV", async () => {
    const res = await query("csv");
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/csv/);
    expect(res.headers.get("content-disposition")).to.match(/attachment; filename="?ledger-.*\.csv/);
    const [header, ...lines] = (await res.text()).replace(/^\uFEFF/, "").trimEnd().split("\r\n");
    expect(header.split(",")).to.deep.equal([...LEDGER_COLUMNS]);
    const rows = lines.map((line) => Object.fromEntries(line.split(",").map((value, i) => [LEDGER_COLUMNS[i], value])));
    expect(rows.map((r) => r.kind)).to.deep.equal(["usage", "stamp"]);
    expect(rows[0]).to.deep.include({ receipt: usageReceipt, seal: co.seal.id, scenario: co.scenarios.deptHead, request, requestedBy: co.employee.id, approvedBy: co.legalRep.id, approverRole: "dept_head", actor: co.employee.id, custodian: "" });
    expect(rows[1]).to.deep.include({
      receipt: device.receipts[0], seal: device.seal, request: device.request, scenario: co.scenarios.deptHead, approvedBy: co.legalRep.id, custodian: co.custodian.id, reviewer: co.reviewer.id,
      authorization: device.authorization, device: device.id, stampNo: "7", authorized: "true",
    });
    expect(rows[1].custodianConfirmedAt).to.match(/^\d{4}-/);
  });

  it("writes the same rows as an XLSX workbook", async () => {
    const res = await query("xlsx");
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/spreadsheetml\.sheet/);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(files)).to.include.members(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]);
    const sheet = strFromU8(files["xl/worksheets/sheet1.xml"]);
    expect(sheet.match(/<row>/g)).to.have.length(3);
    for (const value of [usageReceipt, device.receipts[0], device.authorization, co.custodian.id]) expect(sheet).to.include(`>${value}<`);
  });

  it("is for the company's auditor and legal representative only", async () => {
    expect((await query("csv", co.legalRep.token)).status).to.equal(200);
    for (const who of [co.employee, co.admin]) expect((await query("csv", who.token)).status).to.equal(403);
    const other = await createCompany(svc);
    const res = await fetch(`${svc.url}${LEDGER}?from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}&company=${co.id}`, { headers: { authorization: `Bearer ${other.auditor.token}` } });
    expect(res.status).to.equal(404);
    expect((await query("pdf")).status).to.equal(400);
  });
});
