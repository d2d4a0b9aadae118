// `sealproof verify` and `sealproof trust` against a real service, a real chain node and an attacker's
// SealAnchor on the same chain: a receipt verifies only against a deployment the user pinned.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { RequestHandler } from "express";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { createCompany, grantBody, ok, useSeal, type TestCompany } from "../helpers/company";
import { sealproof as run } from "../helpers/cli";
import { forgeOnShadowContract, type Forgery } from "../helpers/shadow-anchor";
import { formatDeployment, type Deployment } from "../../service/evidence";

/** Whole answers of a server gone bad for GET /api/v1/receipts/:id, keyed by receipt id. */
const forgeries = new Map<string, unknown>();
const servingForgeries: RequestHandler = (req, res, next) => {
  const forged = forgeries.get(/^\/api\/v1\/receipts\/([^/]+)$/.exec(req.path)?.[1] ?? "");
  if (forged === undefined) return next();
  res.json(forged);
};

describe("cli: verify against a pinned deployment, and trust", function () {
  this.timeout(180_000);
  let env: AnchoredService;
  let co: TestCompany;
  let dir: string;
  let trustFile: string;
  let receiptId: string;
  let forged: Forgery;
  /** What the service publishes at /.well-known/sealproof.json; a test changes it to play a moved service. */
  let published: Deployment;
  const sealproof = (args: string[], extra: Record<string, string> = {}) => run(args, { SEALPROOF_TRUST_FILE: trustFile, SEALPROOF_RPC_URL: env.chain.rpcUrl, SEALPROOF_DEPLOYMENT: "", ...extra });

  before(async () => {
    env = await startAnchoredService({ intercept: servingForgeries, wellKnown: { deployment: () => published, deploymentBlock: async () => 0, commandPublicKey: null } });
    published = env.deployment;
    co = await createCompany(env.svc);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-trust-"));
    trustFile = path.join(dir, "config", "trust.json");
    await ok(env.svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    receiptId = (await ok(useSeal(env.svc, co.employee, co.seal, co.scenarios.none))).receipt;
    await env.anchorAll();
    const companyRecord = (await env.svc.store.records.list({ company: co.id, fromSeq: 0, limit: 1 }))[0];
    forged = await forgeOnShadowContract(env.chain.rpcUrl, {
      company: { id: co.id, name: "Test Trading Co.", creditCode: companyRecord.data.creditCode as string },
      seal: co.seal.id, signer: co.employee.id, scenario: co.scenarios.none, documentHash: "ab".repeat(32),
    });
    forgeries.set(forged.receiptId, forged.view);
  });
  after(async () => {
    await env.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const url = (id: string) => `${env.svc.url}/v/${id}`;

  it("refuses to say VERIFIED with no pinned deployment, and says how to pin one", async () => {
    const r = await sealproof(["verify", url(receiptId)]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include("sealproof trust add").and.include("--deployment");
    expect(r.stdout).to.not.include("VERIFIED");
  });

  it("trust add asks before storing, and refuses to guess without a terminal", async () => {
    const r = await sealproof(["trust", "add", env.svc.url]);
    expect(r.status).to.equal(2);
    expect(r.stdout).to.include(env.deployment.contract);
    expect(r.stderr).to.include("--yes");
    expect(fs.existsSync(trustFile)).to.equal(false);
  });

  it("trust add --yes pins the published deployment in a private file; verify then passes the genuine receipt", async () => {
    const added = await sealproof(["trust", "add", `${env.svc.url}/some/page`, "--yes"]);
    expect(added.status, added.stderr).to.equal(0);
    expect(fs.statSync(trustFile).mode & 0o777).to.equal(0o600);
    expect((await sealproof(["trust", "list"])).stdout).to.include(formatDeployment(env.deployment)).and.include(env.svc.url);
    const r = await sealproof(["verify", url(receiptId)]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include(`trusted deployment: ${formatDeployment(env.deployment)}`).and.include("company (anchored): Test Trading Co.").and.include("VERIFIED");
  });

  it("a receipt from a shadow SealAnchor fails DEPLOYMENT_NOT_TRUSTED; it passes only if the verifier trusts the receipt's own deployment", async () => {
    const r = await sealproof(["verify", url(forged.receiptId), "--json"]);
    expect(r.status).to.equal(1);
    expect(JSON.parse(r.stdout).code).to.equal("DEPLOYMENT_NOT_TRUSTED");
    const gullible = await sealproof(["verify", url(forged.receiptId)], { SEALPROOF_DEPLOYMENT: formatDeployment(forged.deployment) });
    expect(gullible.status, gullible.stdout).to.equal(0);
  });

  it("--deployment and SEALPROOF_DEPLOYMENT override the trust file, and a malformed one is a usage error", async () => {
    const wrong = await sealproof(["verify", url(receiptId), "--deployment", formatDeployment(forged.deployment), "--json"]);
    expect([wrong.status, JSON.parse(wrong.stdout).code]).to.deep.equal([1, "DEPLOYMENT_NOT_TRUSTED"]);
    const right = await sealproof(["verify", url(receiptId)], { SEALPROOF_DEPLOYMENT: formatDeployment(env.deployment), SEALPROOF_TRUST_FILE: path.join(dir, "none.json") });
    expect(right.status, right.stdout + right.stderr).to.equal(0);
    const malformed = await sealproof(["verify", url(receiptId), "--deployment", "0x1234"]);
    expect(malformed.status).to.equal(2);
  });

  it("a genuine receipt served for another receipt id fails RECEIPT_ID_MISMATCH", async () => {
    const other = "7Jq3v9PzX2mKc4TnR8wYbD";
    forgeries.set(other, await ok(env.svc.call("GET", `/api/v1/receipts/${receiptId}`)));
    const r = await sealproof(["verify", url(other), "--json"]);
    expect([r.status, JSON.parse(r.stdout).code]).to.deep.equal([1, "RECEIPT_ID_MISMATCH"]);
  });

  it("warns when the trusted service publishes another deployment, and keeps checking against the pinned one", async () => {
    published = forged.deployment;
    try {
      const r = await sealproof(["verify", url(receiptId)]);
      expect(r.status).to.equal(0);
      expect(r.stderr).to.include("WARNING").and.include(formatDeployment(forged.deployment));
      const moved = await sealproof(["verify", url(forged.receiptId)]);
      expect(moved.status).to.equal(1);
    } finally {
      published = env.deployment;
    }
  });

  it("an unreachable chain is inconclusive (exit 3), not a forgery", async () => {
    const r = await sealproof(["verify", url(receiptId), "--rpc", "http://127.0.0.1:9"]);
    expect(r.status, r.stdout).to.equal(3);
    expect(r.stdout).to.include("INCONCLUSIVE");
  });
});
