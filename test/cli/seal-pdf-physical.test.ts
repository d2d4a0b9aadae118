// `sealproof seal-pdf --physical` as a user runs it: a child process against the service, which fetches a device
// authorization and writes its paper copies; each copy's QR code is read back from the rendered page, as a phone would.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { expect } from "chai";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { createCompany, ok, type TestCompany } from "../helpers/company";
import { sealproof as run } from "../helpers/cli";
import { recordsOf, stampMessage, unlockedDevice, type UnlockedDevice } from "../devices/helpers";
import { shortReceipt } from "../../service/cli/pdf-stamp";

const hasPdftoppm = spawnSync("pdftoppm", ["-v"]).error === undefined;

async function letterPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const text of ["Letter to the tax bureau", "Signature page"]) pdf.addPage([595, 842]).drawText(text, { x: 72, y: 760, size: 14, font });
  return pdf.save();
}

describe("cli: seal-pdf --physical", function () {
  this.timeout(180_000);
  let env: AnchoredService;
  let co: TestCompany;
  let dir: string;
  let letter: string;
  let trustFile: string;
  const sealproof = (args: string[], env: Record<string, string> = {}) => run(args, { SEALPROOF_TRUST_FILE: trustFile, ...env });
  const copiesOf = (device: UnlockedDevice, out: string, token = co.employee.token) =>
    sealproof(["seal-pdf", "--physical", "--authorization", device.authorization, letter, "--out", out, "--url", env.svc.url], { SEALPROOF_API_KEY: token });

  before(async () => {
    env = await startAnchoredService();
    co = await createCompany(env.svc);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-physical-"));
    letter = path.join(dir, "letter.pdf");
    fs.writeFileSync(letter, await letterPdf());
    trustFile = path.join(dir, "trust.json");
    const trusted = await sealproof(["trust", "add", env.svc.url, "--yes"]);
    expect(trusted.status, trusted.stdout + trusted.stderr).to.equal(0);
  });
  after(async () => {
    await env.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The QR codes found on each page of `file`, rendered at 110 dpi, as text (null where a page has none). */
  function qrCodes(file: string): Array<string | null> {
    const prefix = path.join(dir, `${path.basename(file, ".pdf")}-page`);
    execFileSync("pdftoppm", ["-png", "-r", "110", file, prefix]);
    const pages = fs.readdirSync(dir).filter((f) => path.join(dir, f).startsWith(prefix) && f.endsWith(".png")).sort();
    return pages.map((f) => {
      const png = PNG.sync.read(fs.readFileSync(path.join(dir, f)));
      return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
    });
  }

  it("writes one copy of the document per reserved receipt id, each with its own QR code and short id on the stamp page", async function () {
    if (!hasPdftoppm) {
      if (process.env.CI) throw new Error("pdftoppm is missing on CI: .ci/run installs poppler-utils");
      this.skip();
    }
    const device = await unlockedDevice(env.svc, co, { copies: 3 });
    const out = path.join(dir, "copies.pdf");
    const made = await copiesOf(device, out);
    expect(made.status, made.stdout + made.stderr).to.equal(0);
    expect((await PDFDocument.load(fs.readFileSync(out))).getPageCount()).to.equal(6);
    // Only each copy's last page carries a code; the codes are the reserved receipts' verify links, in order, all distinct.
    const codes = qrCodes(out);
    expect(codes.filter((_, i) => i % 2 === 0)).to.deep.equal([null, null, null]);
    const links = codes.filter((_, i) => i % 2 === 1);
    expect(links).to.deep.equal(device.receipts.map((r) => `${env.svc.url}/v/${r}`));
    expect(new Set(links).size).to.equal(3);
    const text = execFileSync("pdftotext", [out, "-"]).toString("utf8");
    for (const [k, receipt] of device.receipts.entries()) {
      expect(text).to.contain(`sealproof ${shortReceipt(receipt)}`);
      expect(text).to.contain(`copy ${k + 1} of 3`);
      expect(made.stdout).to.contain(`copy ${k + 1}: receipt ${receipt}  verify: ${env.svc.url}/v/${receipt}`);
    }
  });

  it("the device stamps under the receipt it scanned from a copy, and copies printed again leave that one out", async () => {
    const device = await unlockedDevice(env.svc, co, { copies: 3 });
    const scanned = device.receipts[1];
    const r = await env.svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [stampMessage(device, device.next++, 1, { authorization: device.authorization, receipt: scanned })] } });
    expect(r.body.results[0].status, JSON.stringify(r.body)).to.equal("accepted");
    const stamp = (await recordsOf(env.svc, co.id, "seal.stamped")).find((s) => s.data.device === device.id);
    expect([stamp?.data.authorized, stamp?.data.receipt]).to.deep.equal([true, scanned]);
    const again = await copiesOf(device, path.join(dir, "again.pdf"));
    expect(again.status, again.stderr).to.equal(0);
    expect(again.stdout).to.contain(`left out 1 already stamped: ${scanned}`);
    expect(again.stdout.match(/^copy \d: receipt (\S+)/gm)?.map((l) => l.split(" ")[3])).to.deep.equal([device.receipts[0], device.receipts[2]]);
    expect((await PDFDocument.load(fs.readFileSync(path.join(dir, "again.pdf")))).getPageCount()).to.equal(4);
  });

  it("writes nothing for a member who may not read the authorization, or for a withdrawn one", async () => {
    const device = await unlockedDevice(env.svc, co, { copies: 2 });
    const stranger = await copiesOf(device, path.join(dir, "stranger.pdf"), co.outsider.token);
    expect([stranger.status, stranger.stderr.includes("NOT_FOUND")]).to.deep.equal([1, true]);
    await ok(env.svc.call("POST", `/api/v1/authorizations/${device.authorization}/withdraw`, { token: co.admin.token }));
    const withdrawn = await copiesOf(device, path.join(dir, "withdrawn.pdf"));
    expect([withdrawn.status, withdrawn.stderr]).to.satisfy(([status, stderr]: [number, string]) => status === 1 && stderr.includes("is withdrawn"));
    expect(fs.existsSync(path.join(dir, "stranger.pdf")) || fs.existsSync(path.join(dir, "withdrawn.pdf"))).to.equal(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("explains wrong usage with exit status 2: no authorization, an electronic seal's options, a malformed id", async () => {
    const out = path.join(dir, "wrong.pdf");
    const missing = await sealproof(["seal-pdf", "--physical", letter, "--out", out]);
    expect([missing.status, missing.stderr.includes("missing --authorization")]).to.deep.equal([2, true]);
    const mixed = await sealproof(["seal-pdf", "--physical", "--authorization", "au_1111", "--seal", co.seal.id, letter, "--out", out], { SEALPROOF_API_KEY: co.employee.token });
    expect([mixed.status, mixed.stderr.includes("--seal is for electronic seals")]).to.deep.equal([2, true]);
    const malformed = await sealproof(["seal-pdf", "--physical", "--authorization", "r_1111", letter, "--out", out, "--url", env.svc.url], { SEALPROOF_API_KEY: co.employee.token });
    expect([malformed.status, malformed.stderr.includes("--authorization must be an authorization id")]).to.deep.equal([2, true]);
    expect(fs.existsSync(out)).to.equal(false);
    const help = await sealproof(["seal-pdf", "--help"]);
    expect(help.stdout).to.contain("sealproof seal-pdf --physical --authorization ID IN.pdf --out OUT.pdf");
  });
});
