// Files linked to a usage after the fact (document.linked), as the public receipt view bundles them and
// verifyReceiptView accepts them: only those whose receipts verify and name this very usage.
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { createCompany, documentHash, grantBody, ok, useSeal, type TestCompany } from "../helpers/company";
import { createChainReader } from "../../service/chain/reader";
import { readReceiptView, verifyReceiptView } from "../../service/evidence";

describe("evidence: documents linked to a usage", function () {
  this.timeout(120_000);
  let anchored: AnchoredService;
  let co: TestCompany;
  let provider: JsonRpcProvider;
  before(async () => {
    anchored = await startAnchoredService();
    co = await createCompany(anchored.svc);
    await ok(anchored.svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    provider = new JsonRpcProvider(anchored.chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });
  after(async () => {
    provider.destroy();
    await anchored.stop();
  });

  const judge = (view: unknown, receiptId: string) =>
    verifyReceiptView(readReceiptView(view), createChainReader(provider, anchored.deployment.contract), { deployment: anchored.deployment, receiptId });

  it("an electronic usage's public view carries its linked final PDF, which verifies; another usage's link or a changed one is left out", async () => {
    const usage = (await ok(useSeal(anchored.svc, co.employee, co.seal, co.scenarios.none))).receipt as string;
    const other = (await ok(useSeal(anchored.svc, co.employee, co.seal, co.scenarios.none))).receipt as string;
    const final = documentHash("final archived PDF");
    await ok(anchored.svc.call("POST", `/api/v1/usages/${usage}/documents`, { token: co.employee.token, body: { role: "final", hash: final } }));
    await ok(anchored.svc.call("POST", `/api/v1/usages/${other}/documents`, { token: co.employee.token, body: { role: "scan", hash: documentHash("elsewhere") } }));
    await anchored.anchorAll();
    const view = await ok(anchored.svc.call("GET", `/api/v1/receipts/${usage}`));
    expect(view.documents).to.have.length(1);
    const report = await judge(view, usage);
    expect(report.ok, JSON.stringify(report.steps.filter((s) => !s.ok))).to.equal(true);
    expect(report.linked).to.deep.equal([{ role: "final", hash: final }]);
    const foreign = (await ok(anchored.svc.call("GET", `/api/v1/receipts/${other}`))).documents;
    const changed = structuredClone(view.documents[0]);
    changed.record.data.hash = documentHash("a forged final PDF");
    const mixed = await judge({ ...view, documents: [...foreign, changed] }, usage);
    expect([mixed.ok, mixed.linked]).to.deep.equal([true, []]);
  });
});
