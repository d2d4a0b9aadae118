// `sealproof company create` as an operator runs it: the operator token from a file or the environment, the legal
// representative's ID number from an argument or the environment; never a token on the command line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { expect } from "chai";
import { startService, OPERATOR_TOKEN, type TestService } from "../helpers/service";
import { LEGAL_REP_ID_NUMBER } from "../helpers/company";
import { randomCreditCode } from "../../service/domain/registry-check";

const CLI = path.resolve(__dirname, "..", "..", "bin", "sealproof.js");

function sealproof(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A clean environment: no OPERATOR_TOKEN or DATA_DIR of the developer's own leaks in.
    const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATA_DIR: path.join(os.tmpdir(), "sealproof-no-such-dir") };
    execFile(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...base, ...env } }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe("cli: company create", function () {
  this.timeout(120_000);
  let svc: TestService;
  let dir: string;
  let tokenFile: string;

  before(async () => {
    svc = await startService();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-cli-company-"));
    tokenFile = path.join(dir, "operator-token");
    fs.writeFileSync(tokenFile, `${OPERATOR_TOKEN}\n`, { mode: 0o600 });
  });
  after(async () => {
    await svc.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const company = () => ["company", "create", "--url", svc.url, "--name", "CLI Trading Co.", "--credit-code", randomCreditCode(), "--legal-rep-name", "Zhang San"];

  it("takes the operator token from --token-file and the ID number from $SEALPROOF_LEGAL_REP_ID", async () => {
    const r = await sealproof([...company(), "--token-file", tokenFile], { SEALPROOF_LEGAL_REP_ID: LEGAL_REP_ID_NUMBER });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/company c_\w+ registered: CLI Trading Co\./);
  });

  it("takes the operator token from $OPERATOR_TOKEN and the ID number from --legal-rep-id", async () => {
    const r = await sealproof([...company(), "--legal-rep-id", LEGAL_REP_ID_NUMBER], { OPERATOR_TOKEN });
    expect(r.status, r.stderr).to.equal(0);
  });

  it("refuses a token given on the command line, and a missing ID number, with exit 2 and the help", async () => {
    const inline = await sealproof([...company(), "--legal-rep-id", LEGAL_REP_ID_NUMBER, "--token", OPERATOR_TOKEN], {});
    expect(inline.status).to.equal(2);
    expect(inline.stderr).to.include("--token-file FILE");
    const noId = await sealproof([...company(), "--token-file", tokenFile], {});
    expect(noId.status).to.equal(2);
    expect(noId.stderr).to.include("missing --legal-rep-id (or $SEALPROOF_LEGAL_REP_ID)");
  });

  it("says which token file it cannot read", async () => {
    const r = await sealproof([...company(), "--legal-rep-id", LEGAL_REP_ID_NUMBER, "--token-file", path.join(dir, "absent")], {});
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include(`cannot read --token-file ${path.join(dir, "absent")}`);
  });
});
