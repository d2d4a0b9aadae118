// `sealproof seal-pdf` and `sealproof verify` as a user runs them: real child processes against the
// service, a real chain node and a real PDF.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { OutgoingHttpHeaders } from "node:http";
import type { RequestHandler } from "express";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { sm3, toHex } from "../../service/evidence";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { createCompany, grantBody, ok, type TestCompany } from "../helpers/company";
import { sealproof as run } from "../helpers/cli";


async function contractPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const text of ["Sales contract no. 2026-118", "Signature page"]) pdf.addPage([595, 842]).drawText(text, { x: 72, y: 760, size: 14, font });
  return pdf.save();
}

let lieAboutLinks = false;

/** A service gone bad that answers reservations with a verify link of its choosing. */
const lyingReservations: RequestHandler = (req, res, next) => {
  if (!lieAboutLinks || req.path !== "/api/v1/usages/reservations") return next();
  // POST answers are written with writeHead and end: drop the length (the body is sent chunked) and rewrite the body.
  const writeHead = res.writeHead.bind(res);
  const end = res.end.bind(res);
  res.writeHead = ((status: number, headers: OutgoingHttpHeaders) => {
    const { "Content-Length": _length, ...rest } = headers;
    return writeHead(status, rest);
  }) as typeof res.writeHead;
  res.end = ((chunk: string) => end(JSON.stringify({ ...(JSON.parse(chunk) as object), verifyUrl: "https://genuine-seals.example/v/x" }))) as typeof res.end;
  next();
};

describe("cli: seal-pdf and verify", function () {
  this.timeout(180_000);
  let env: AnchoredService;
  let co: TestCompany;
  let dir: string;
  let original: string;
  let keyFile: string;
  let trustFile: string;
  /** Every run uses this test's own trust file, never the user's. */
  const sealproof = (args: string[], env: Record<string, string> = {}) => run(args, { SEALPROOF_TRUST_FILE: trustFile, ...env });

  before(async () => {
    env = await startAnchoredService({ intercept: lyingReservations });
    co = await createCompany(env.svc);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-cli-"));
    original = path.join(dir, "contract.pdf");
    fs.writeFileSync(original, await contractPdf());
    keyFile = path.join(dir, "seal-key.json");
    fs.writeFileSync(keyFile, JSON.stringify({ privateKey: co.seal.privateKey, publicKey: co.seal.publicKey }));
    await ok(env.svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.legalRep]) }));
    trustFile = path.join(dir, "trust.json");
    const trusted = await sealproof(["trust", "add", env.svc.url, "--yes"]);
    expect(trusted.status, trusted.stdout + trusted.stderr).to.equal(0);
  });
  after(async () => {
    await env.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function approvedRequest(documentHash: string): Promise<string> {
    const request = await ok(env.svc.call("POST", "/api/v1/requests", { token: co.employee.token, body: { seal: co.seal.id, scenario: co.scenarios.legalRep, documentHash, title: "Sales contract", reason: "order" } }));
    await ok(env.svc.call("POST", `/api/v1/requests/${request.id}/approve`, { token: co.legalRep.token }));
    return request.id as string;
  }

  const sealArgs = (request: string, out: string) => ["seal-pdf", original, "--seal", co.seal.id, "--key", keyFile, "--scenario", co.scenarios.legalRep, "--request", request, "--out", out, "--url", env.svc.url];

  it("writes a valid PDF whose SM3 is the signed hash, and whose receipt verifies with sealproof verify", async () => {
    const request = await approvedRequest(toHex(sm3(fs.readFileSync(original))));
    const out = path.join(dir, "sealed.pdf");
    const run = await sealproof(sealArgs(request, out), { SEALPROOF_API_KEY: co.employee.token });
    expect(run.status, run.stderr).to.equal(0);
    const sealed = fs.readFileSync(out);
    const reloaded = await PDFDocument.load(sealed);
    expect(reloaded.getPageCount()).to.equal(2);
    const receipt = /receipt (\S+)/.exec(run.stdout)?.[1] as string;
    const record = await env.svc.store.records.getByReceipt(receipt);
    expect(record?.record.data.documentHash).to.equal(toHex(sm3(sealed)));
    expect(record?.record.data.sourceDocumentHash).to.equal(toHex(sm3(fs.readFileSync(original))));
    expect(run.stdout).to.contain(`${env.svc.url}/v/${receipt}`);

    await env.anchorAll();
    const verified = await sealproof(["verify", `${env.svc.url}/api/v1/receipts/${receipt}`, "--rpc", env.chain.rpcUrl]);
    expect(verified.status, verified.stdout + verified.stderr).to.equal(0);
    expect(verified.stdout).to.contain("VERIFIED");
    const viaPage = await sealproof(["verify", `${env.svc.url}/v/${receipt}`, "--rpc", env.chain.rpcUrl]);
    expect(viaPage.status).to.equal(0);
  });

  it("builds the QR link from the pinned public base URL, whatever the service answers", async () => {
    const request = await approvedRequest(toHex(sm3(fs.readFileSync(original))));
    const out = path.join(dir, "pinned.pdf");
    // The service now lies about the link it wants on the paper; the CLI builds the link itself.
    lieAboutLinks = true;
    const sealed = await sealproof(sealArgs(request, out), { SEALPROOF_API_KEY: co.employee.token }).finally(() => (lieAboutLinks = false));
    expect(sealed.status, sealed.stderr).to.equal(0);
    const receipt = /receipt (\S+)/.exec(sealed.stdout)?.[1] as string;
    expect(sealed.stdout).to.contain(`verify: ${env.svc.url}/v/${receipt}`);
    const untrusted = await sealproof([...sealArgs(request, path.join(dir, "untrusted.pdf")).slice(0, -2), "--url", "http://127.0.0.1:9"], { SEALPROOF_API_KEY: co.employee.token });
    expect([untrusted.status, untrusted.stderr]).to.satisfy(([status, stderr]: [number, string]) => status === 2 && stderr.includes("sealproof trust add"));
    expect(fs.existsSync(path.join(dir, "untrusted.pdf"))).to.equal(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("takes the API key from a file or the environment, never from the command line", async () => {
    const onArgv = await sealproof([...sealArgs("r_11111111", path.join(dir, "argv.pdf")), "--api-key", co.employee.token]);
    expect(onArgv.status).to.equal(2);
    const keyFileOnly = path.join(dir, "api-key");
    fs.writeFileSync(keyFileOnly, `${co.employee.token}\n`, { mode: 0o600 });
    const request = await approvedRequest(toHex(sm3(fs.readFileSync(original))));
    const fromFile = await sealproof([...sealArgs(request, path.join(dir, "from-file.pdf")), "--api-key-file", keyFileOnly]);
    expect(fromFile.status, fromFile.stderr).to.equal(0);
  });

  it("refuses a request approved for another document, and writes no file", async () => {
    const request = await approvedRequest(toHex(sm3(Buffer.from("another contract"))));
    const out = path.join(dir, "refused.pdf");
    const run = await sealproof(sealArgs(request, out), { SEALPROOF_API_KEY: co.employee.token });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain("DOCUMENT_HASH_MISMATCH");
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("explains wrong usage with exit status 2 and the command's help", async () => {
    const run = await sealproof(["seal-pdf", original, "--seal", co.seal.id]);
    expect(run.status).to.equal(2);
    expect(run.stderr).to.contain("missing --key, --scenario, --out");
    expect(run.stderr).to.contain("Usage: sealproof seal-pdf");
    const help = await sealproof(["--help"]);
    expect(help.stdout).to.match(/seal-pdf[\s\S]*verify/);
  });

  it("sealproof verify reports a pending receipt and a tampered bundle file", async () => {
    const request = await approvedRequest(toHex(sm3(fs.readFileSync(original))));
    const out = path.join(dir, "pending.pdf");
    const run = await sealproof(sealArgs(request, out), { SEALPROOF_API_KEY: co.employee.token });
    const receipt = /receipt (\S+)/.exec(run.stdout)?.[1] as string;
    const pending = await sealproof(["verify", `${env.svc.url}/api/v1/receipts/${receipt}`, "--rpc", env.chain.rpcUrl]);
    expect([pending.status, pending.stdout.includes("PENDING")]).to.deep.equal([1, true]);
    await env.anchorAll();
    const view = await ok(env.svc.call("GET", `/api/v1/receipts/${receipt}`));
    view.receipt.proof.path[0] = "00".repeat(32);
    const file = path.join(dir, "tampered.json");
    fs.writeFileSync(file, JSON.stringify(view));
    const tampered = await sealproof(["verify", file, "--rpc", env.chain.rpcUrl, "--json"]);
    expect(tampered.status).to.equal(1);
    expect(JSON.parse(tampered.stdout).code).to.equal("PROOF_INVALID");
  });
});
