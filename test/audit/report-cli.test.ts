// `sealproof audit report` against the real service: the file it writes, in the format its extension names, is the
// one whose SM3 the printed receipt's audit.report-issued record holds; refusals and mistakes exit as the CLI does.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { unzipSync } from "fflate";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal, type TestCompany } from "../helpers/company";
import { sealproof } from "../helpers/cli";
import { sm3, toHex } from "../../service/evidence";

describe("audit: sealproof audit report", function () {
  this.timeout(180_000);
  let svc: TestService;
  let co: TestCompany;
  let dir: string;
  const month = new Date().toISOString().slice(0, 7);

  before(async () => {
    svc = await startService({}, { publicBaseUrl: "https://seals.example.com" });
    co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-cli-"));
  });
  after(async () => {
    await svc.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const report = (out: string, key = co.auditor.token, extra: string[] = []) => sealproof(["audit", "report", "--month", month, "--out", path.join(dir, out), "--url", svc.url, "--key", key, ...extra]);
  /** The printed receipt, and its record's SM3 and format, which must be the written file's. */
  const printed = async (stdout: string) => {
    const receipt = /^receipt: (\S+)$/m.exec(stdout)?.[1];
    const verify = /^verify: +(\S+)$/m.exec(stdout)?.[1];
    const logged = receipt === undefined ? null : await svc.store.records.getByReceipt(receipt);
    return { receipt, verify, record: logged?.record };
  };

  for (const [file, format] of [["report.pdf", "pdf"], ["report.xlsx", "xlsx"], ["report.json", "json"]] as const) {
    it(`writes ${file} as ${format} and prints the receipt and verify link whose record holds the file's SM3`, async () => {
      const run = await report(file);
      expect(run.stderr).to.equal("");
      expect(run.status).to.equal(0);
      const bytes = fs.readFileSync(path.join(dir, file));
      const { receipt, verify, record } = await printed(run.stdout);
      expect(record?.type).to.equal("audit.report-issued");
      expect(record?.data).to.deep.include({ month, format, reportHash: toHex(sm3(bytes)) });
      expect(record?.actor).to.equal(co.auditor.id);
      expect(verify).to.equal(`https://seals.example.com/v/${receipt}`);
      if (format === "pdf") expect(bytes.subarray(0, 5).toString("latin1")).to.equal("%PDF-");
      if (format === "xlsx") expect(Object.keys(unzipSync(bytes))).to.include("xl/workbook.xml");
      if (format === "json") expect(JSON.parse(bytes.toString("utf8"))).to.deep.include({ receipt, verifyUrl: verify, month });
    });
  }

  it("exits 1 with the service's code when the key may not issue reports, writing nothing", async () => {
    const run = await report("employee.pdf", co.employee.token);
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(/^sealproof audit: FORBIDDEN: /);
    expect(fs.existsSync(path.join(dir, "employee.pdf"))).to.equal(false);
  });

  it("exits 2 for an extension that names no format and for a malformed month, before calling the service", async () => {
    const txt = await report("report.txt");
    expect(txt.status).to.equal(2);
    expect(txt.stderr).to.include("the extension chooses the format, one of .pdf, .xlsx, .json");
    const bad = await sealproof(["audit", "report", "--month", "2026-13", "--out", path.join(dir, "r.pdf"), "--url", svc.url, "--key", co.auditor.token]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.include('give --month YYYY-MM, got "2026-13"');
  });

  it("--help explains the command and its options", async () => {
    const run = await sealproof(["audit", "report", "--help"]);
    expect(run.status).to.equal(0);
    expect(run.stdout).to.match(/^Usage: sealproof audit report --month YYYY-MM --out FILE\.pdf\|FILE\.xlsx\|FILE\.json/);
    for (const option of ["--month", "--out", "--url", "--key"]) expect(run.stdout).to.include(`  ${option}`);
    expect(run.stdout).to.include("Each run issues a new report under a receipt of its own; the service keeps no copy of the file");
  });
});
