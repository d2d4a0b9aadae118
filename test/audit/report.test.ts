// Monthly audit reports through the real service: the PDF opens (its first page renders), shows Chinese text and
// carries the QR of its receipt; each format's SM3 is the one its audit.report-issued record holds. Only a POST issues.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { strFromU8, unzipSync } from "fflate";
import { PNG } from "pngjs";
import jsQR from "jsqr";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal, type TestCompany } from "../helpers/company";
import { sm3, toHex } from "../../service/evidence";
import { logMark } from "../helpers/records";

const hasPdftoppm = spawnSync("pdftoppm", ["-v"]).error === undefined;

describe("audit: monthly reports", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  const month = new Date().toISOString().slice(0, 7);

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none));
    await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none));
  });
  after(() => svc.stop());

  const report = async (format: string, token = co.auditor.token, headers: Record<string, string> = {}) => {
    const res = await fetch(`${svc.url}/api/v1/audit/reports/${month}?format=${format}`, { method: "POST", headers: { authorization: `Bearer ${token}`, ...headers } });
    return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  const issuedRecord = async (reportHash: string) => {
    const page = await svc.store.records.page({ company: co.id, type: "audit.report-issued" }, { limit: 100 });
    return page.items.map((i) => i.record).find((r) => r.data.reportHash === reportHash);
  };

  it("JSON: summary, reconciliation, findings and charts, its SM3 recorded under the receipt it names", async () => {
    const { res, bytes } = await report("json");
    expect(res.status).to.equal(200);
    const body = JSON.parse(Buffer.from(bytes).toString("utf8"));
    expect(body.summary).to.deep.include({ usages: 2, stamps: 0 });
    expect(body.reconciliation.usagesWithoutRequiredRequest.holds).to.equal(true);
    expect(body.findings).to.be.an("array");
    const sealSeries = body.charts.bySeal.find((s: { key: string }) => s.key === co.seal.id);
    expect(sealSeries.usages.reduce((a: number, b: number) => a + b, 0)).to.equal(2);
    const record = await issuedRecord(toHex(sm3(bytes)));
    expect(record?.data).to.deep.include({ receipt: body.receipt, month, format: "json" });
    expect(record?.actor).to.equal(co.auditor.id);
  });

  it("XLSX: a workbook whose sheets hold the summary and the per-day series, its SM3 recorded", async () => {
    const { res, bytes } = await report("xlsx");
    expect(res.status).to.equal(200);
    const files = unzipSync(bytes);
    expect(strFromU8(files["xl/workbook.xml"])).to.include('name="perDaySeal"');
    expect(strFromU8(files["xl/worksheets/sheet2.xml"])).to.include(co.seal.id);
    expect((await issuedRecord(toHex(sm3(bytes))))?.data.format).to.equal("xlsx");
  });

  it("PDF: opens, shows Chinese text, carries the QR of its receipt, and its SM3 is the recorded one", async () => {
    const { res, bytes } = await report("pdf");
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^application\/pdf/);
    const record = await issuedRecord(toHex(sm3(bytes)));
    expect(record?.data.format).to.equal("pdf");
    if (!hasPdftoppm) {
      if (process.env.CI) throw new Error("pdftoppm is missing on CI: .ci/run installs poppler-utils");
      console.log("      skipped: pdftoppm missing");
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-"));
    fs.writeFileSync(path.join(dir, "report.pdf"), bytes);
    execFileSync("pdftoppm", ["-png", "-r", "110", "-f", "1", "-l", "1", path.join(dir, "report.pdf"), path.join(dir, "page")]);
    const png = PNG.sync.read(fs.readFileSync(fs.readdirSync(dir).filter((f) => f.endsWith(".png")).map((f) => path.join(dir, f))[0]));
    const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(qr?.data).to.match(new RegExp(`/v/${typeof record?.data.receipt === "string" ? record.data.receipt : "no receipt"}$`));
    const text = execFileSync("pdftotext", ["-f", "1", "-l", "1", path.join(dir, "report.pdf"), "-"]).toString("utf8");
    expect(text).to.include("用章审计月报");
    expect(text).to.include("概要");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a GET issues nothing: the log is as it was, and the answer is 405 METHOD_NOT_ALLOWED naming the POST", async () => {
    const before = await logMark(svc.store);
    const replies = [];
    for (const format of ["json", "xlsx", "pdf"]) {
      const res = await fetch(`${svc.url}/api/v1/audit/reports/${month}?format=${format}`, { headers: { authorization: `Bearer ${co.auditor.token}` } });
      replies.push({ res, bytes: new Uint8Array(await res.arrayBuffer()) });
    }
    expect(await logMark(svc.store)).to.equal(before);
    for (const { res, bytes } of replies) {
      const body = JSON.parse(Buffer.from(bytes).toString("utf8")) as { error?: { code: string; message: string } };
      expect([res.status, body.error?.code, res.headers.get("allow")]).to.deep.equal([405, "METHOD_NOT_ALLOWED", "POST"]);
      expect(body.error?.message).to.include(`POST /api/v1/audit/reports/${month}`);
    }
  });

  it("is for the company's auditor and legal representative; a bad month is a 400", async () => {
    expect((await report("json", co.legalRep.token)).res.status).to.equal(200);
    expect((await report("json", co.employee.token)).res.status).to.equal(403);
    const bad = await fetch(`${svc.url}/api/v1/audit/reports/2026-13`, { method: "POST", headers: { authorization: `Bearer ${co.auditor.token}` } });
    expect(bad.status).to.equal(400);
  });

  it("takes the format and company in a JSON body as well as in the query; the two must agree", async () => {
    const byBody = await svc.call("POST", `/api/v1/audit/reports/${month}`, { token: co.auditor.token, body: { format: "json", company: co.id } });
    expect([byBody.status, byBody.body.month, byBody.body.company.id]).to.deep.equal([200, month, co.id]);
    const before = await logMark(svc.store);
    const disagree = await svc.call("POST", `/api/v1/audit/reports/${month}?format=pdf`, { token: co.auditor.token, body: { format: "json" } });
    expect([disagree.status, disagree.body.error?.code]).to.deep.equal([400, "VALIDATION_FAILED"]);
    expect(await logMark(svc.store)).to.equal(before);
  });

  it("refuses an Idempotency-Key, as the issued file is not kept for a retry, and records nothing", async () => {
    const before = await logMark(svc.store);
    const { res, bytes } = await report("json", co.auditor.token, { "idempotency-key": "report-nov" });
    expect([res.status, JSON.parse(Buffer.from(bytes).toString("utf8")).error?.code]).to.deep.equal([400, "IDEMPOTENCY_UNSUPPORTED"]);
    expect(await logMark(svc.store)).to.equal(before);
  });
});
