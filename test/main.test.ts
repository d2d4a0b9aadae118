// The real service process at start-up: what it prints, what it refuses, and the modes of what it writes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { jsonClient } from "./helpers/service";
import { LEGAL_REP_ID_NUMBER } from "./helpers/company";
import { freePort, startServiceProcess, type ServiceProcess } from "./helpers/service-process";
import { randomCreditCode } from "../service/domain/registry-check";
import { SERVICE_MAIN } from "../scripts/build-service";

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe("service process: start-up hygiene", function () {
  this.timeout(120_000);
  let dir: string;
  let svc: ServiceProcess | null = null;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-main-"));
  });
  afterEach(async () => {
    await svc?.stop();
    svc = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps DATA_DIR and its files to this user, never prints the operator token, and keeps personal data out of the database file", async () => {
    const dataDir = path.join(dir, "data");
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, "instance-id"), "node-0123456789abcdef\n", { mode: 0o644 });
    svc = await startServiceProcess(dataDir, { http: await freePort(), chain: await freePort() }, { OPERATOR_TOKEN: "" });
    const tokenFile = path.join(dataDir, "operator-token");
    const token = fs.readFileSync(tokenFile, "utf8").trim();
    const { call } = jsonClient(svc.url);
    const created = await call("POST", "/api/v1/companies", { token, body: { name: "Process Test Co.", creditCode: randomCreditCode(), legalRep: { name: "赵六", idNumber: LEGAL_REP_ID_NUMBER } } });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect((await call("GET", "/api/v1/company", { token: created.body.apiKey.secret })).body.legalRepName).to.equal("赵六");

    expect(svc.output()).to.not.include(token.slice(6));
    expect(svc.output()).to.include(tokenFile);

    expect(mode(dataDir)).to.equal("700");
    const files = ["sealproof.db", "sealproof.db-wal", "sealproof.db-shm", "operator-token", "instance-id", "data-key"];
    expect(files.map((f) => [f, mode(path.join(dataDir, f))])).to.deep.equal(files.map((f) => [f, "600"]));
    const chainDir = path.join(dataDir, "chain");
    expect(mode(chainDir)).to.equal("700");
    for (const entry of fs.readdirSync(chainDir)) expect([entry, mode(path.join(chainDir, entry))]).to.deep.equal([entry, "600"]);

    const bytes = Buffer.concat(["sealproof.db", "sealproof.db-wal"].map((f) => fs.readFileSync(path.join(dataDir, f))));
    expect(bytes.includes(Buffer.from("Process Test Co."))).to.equal(true);
    for (const secret of ["赵六", LEGAL_REP_ID_NUMBER]) expect(bytes.includes(Buffer.from(secret)), `${secret} is in the database file`).to.equal(false);

    const health = await call("GET", "/healthz");
    expect(Object.keys(health.body).sort()).to.deep.equal(["anchoring", "status", "version"]);
    // Accepted records wait for the sequencer (a batch interval) before /healthz counts them as sequenced.
    const operatorView = async () => (await call("GET", "/healthz", { token })).body as { records: number };
    for (let i = 0; i < 100 && (await operatorView()).records === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await operatorView()).records).to.be.greaterThan(0);
  });

  it("refuses to listen beyond loopback without PUBLIC_BASE_URL", () => {
    const run = spawnSync(process.execPath, [SERVICE_MAIN], { env: { ...process.env, DATA_DIR: path.join(dir, "data"), HOST: "0.0.0.0", PUBLIC_BASE_URL: "", PORT: "0" }, encoding: "utf8", timeout: 30_000 });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(/^configuration error: HOST=0\.0\.0\.0 listens beyond this machine: set PUBLIC_BASE_URL/);
    expect(fs.existsSync(path.join(dir, "data")), "nothing was written").to.equal(false);
  });
});
