// A smart seal's stamp judged with its story (verifyReceiptView) against a real chain: the public receipt route's
// bundle of a genuine stamp proves it authorized, copy k of N; a story with a link from elsewhere, or a record the
// server wrote claiming an authorization it cannot have had, never shows as authorized.
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { createCompany, ok, type TestCompany } from "../helpers/company";
import { stampMessage, unlockedDevice, type UnlockedDevice } from "../devices/helpers";
import { createChainReader } from "../../service/chain/reader";
import { sealproof } from "../helpers/cli";
import { draft } from "../../service/domain/context";
import { newId, newReceiptId } from "../../service/domain/ids";
import { readReceiptView, receiptIdHash, verifyReceiptView, type ViewReport } from "../../service/evidence";
import type { JsonValue } from "../../service/evidence";

const DEVICE_MESSAGES = "/api/v1/device-messages";

describe("evidence: a stamp's story", function () {
  this.timeout(120_000);
  let anchored: AnchoredService;
  let co: TestCompany;
  let provider: JsonRpcProvider;
  before(async () => {
    anchored = await startAnchoredService();
    co = await createCompany(anchored.svc);
    provider = new JsonRpcProvider(anchored.chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });
  after(async () => {
    provider.destroy();
    await anchored.stop();
  });

  const publicView = async (receiptId: string) => ok(anchored.svc.call("GET", `/api/v1/receipts/${receiptId}`));
  const judge = (view: unknown, receiptId: string): Promise<ViewReport> =>
    verifyReceiptView(readReceiptView(view), createChainReader(provider, anchored.deployment.contract), { deployment: anchored.deployment, receiptId });
  const deploymentText = () => `${anchored.deployment.chainId}:${anchored.deployment.contract}`;
  const failures = (report: ViewReport) => report.steps.filter((s) => !s.ok).map((s) => s.code);

  async function stamped(copies = 2): Promise<{ device: UnlockedDevice; receipt: string }> {
    const device = await unlockedDevice(anchored.svc, co, { copies });
    const receipt = device.receipts[copies - 1];
    await ok(anchored.svc.call("POST", DEVICE_MESSAGES, { token: device.credential, body: { messages: [stampMessage(device, 0, 1, { authorization: device.authorization, receipt })] } }));
    return { device, receipt };
  }

  /**
   * What a server gone wrong could write: a `seal.stamped` record saying authorized, of a stamp `device` really signed
   * (naming `authorization` and `receipt`), recorded whatever the authorization's true state.
   */
  async function recordClaimedStamp(device: UnlockedDevice, seal: string, authorization: string, receipt: string, at = new Date()): Promise<void> {
    const message = stampMessage(device, 50, 50, { authorization, receipt, at });
    const { stampNo, operator, photoHash, locationCommitment } = message.body as { stampNo: number; operator: JsonValue; photoHash: string; locationCommitment: string };
    const data = {
      device: device.id, n: message.n, stampNo, authorized: true, reasons: [], authorization, receipt, claimedReceipt: receipt, operator, photoHash, inGeofence: null, locationCommitment,
      deviceAt: message.at, signature: message.sig,
    };
    await anchored.svc.store.transaction((tx) => tx.records.append([draft("seal.stamped", new Date(), co.id, seal, device.id, data)]));
  }

  it("a genuine stamp's public view verifies with its whole story: authorized, copy 2 of 2, approval level, both custody roles, device model", async () => {
    const { receipt } = await stamped(2);
    await anchored.anchorAll();
    const view = await publicView(receipt);
    expect(Object.keys(view.story).sort()).to.deep.equal(["approval", "authorization", "custody", "request"]);
    expect(view.story.custody).to.have.length(2);
    // Its scenario does not publish photos: the view gives no photo address, though the record has a photo hash.
    expect([view.receipt.record.data.photoHash, view.photo]).to.deep.equal(["ab".repeat(32), undefined]);
    const report = await judge(view, receipt);
    expect(report.ok, JSON.stringify(report.steps.filter((s) => !s.ok))).to.equal(true);
    expect(report.steps.map((s) => s.step)).to.include.members(["signature", "approval", "custody", "authorization"]);
    expect(report.stamp).to.deep.include({ authorized: true, copy: { k: 2, n: 2 }, approvalLevel: "dept_head", custodyRoles: ["custodian", "reviewer"], deviceModel: "SP-100" });
    // sealproof verify, given the receipt's URL, checks the same story.
    const cli = await sealproof(["verify", `${anchored.svc.url}/api/v1/receipts/${receipt}`, "--rpc", anchored.chain.rpcUrl, "--deployment", deploymentText()]);
    expect(cli.status, cli.stdout + cli.stderr).to.equal(0);
    expect(cli.stdout).to.include("✔ custody").and.include("AUTHORIZED STAMP: copy 2 of 2, approval dept_head, custody confirmed by custodian and reviewer, device model SP-100");
  });

  it("a stamp whose server leaves the story out, or bundles a custody confirmation or an approval of another request, is not authorized", async () => {
    const { receipt } = await stamped();
    const other = await stamped();
    await anchored.anchorAll();
    const view = await publicView(receipt);
    const foreign = await publicView(other.receipt);

    const bare = await judge({ ...view, story: undefined }, receipt);
    expect([bare.ok, bare.stamp?.authorized, failures(bare)]).to.deep.equal([false, false, ["APPROVAL_INVALID", "CUSTODY_INVALID", "AUTHORIZATION_MISSING"]]);

    const custody = await judge({ ...view, story: { ...view.story, custody: [view.story.custody[0], foreign.story.custody[1]] } }, receipt);
    expect([custody.code, custody.stamp?.authorized]).to.deep.equal(["CUSTODY_INVALID", false]);
    const oneRole = await judge({ ...view, story: { ...view.story, custody: [view.story.custody[0], view.story.custody[0]] } }, receipt);
    expect(oneRole.code).to.equal("CUSTODY_INVALID");
    const approval = await judge({ ...view, story: { ...view.story, approval: foreign.story.approval } }, receipt);
    expect(approval.code).to.equal("APPROVAL_INVALID");
    const authorization = await judge({ ...view, story: { ...view.story, authorization: foreign.story.authorization } }, receipt);
    expect(authorization.code).to.equal("APPROVAL_INVALID");
    expect(failures(authorization)).to.include("AUTHORIZATION_INVALID");
    // A changed link fails as its own receipt would: its leaf no longer matches.
    const changed = structuredClone(view);
    changed.story.authorization.record.data.validUntil = "2099-01-01T00:00:00.000Z";
    expect(failures(await judge(changed, receipt))).to.include("AUTHORIZATION_INVALID");
  });

  it("a record saying authorized for a stamp by another device than the authorization's is not authorized, whatever is bundled", async () => {
    const { device: owner, receipt: stampedCopy } = await stamped(3);
    const intruder = await unlockedDevice(anchored.svc, co);
    await recordClaimedStamp(intruder, owner.seal, owner.authorization, owner.receipts[1]);
    await anchored.anchorAll();
    const genuine = await publicView(stampedCopy);
    const claimed = await anchored.svc.store.records.getByReceipt(owner.receipts[1]);
    expect(claimed?.record.data.device).to.equal(intruder.id);
    const view = await publicView(owner.receipts[1]);
    // Even given the owner's genuine story, the intruder's stamp does not pass as authorized.
    const report = await judge({ ...view, story: genuine.story }, owner.receipts[1]);
    expect([report.ok, report.stamp?.authorized]).to.deep.equal([false, false]);
    expect(failures(report)).to.include("AUTHORIZATION_OTHER_DEVICE");
  });

  it("a record saying authorized for a copy the authorization never reserved, or a time outside its window, is not authorized", async () => {
    const device = await unlockedDevice(anchored.svc, co, { copies: 2 });
    const stranger = newReceiptId();
    await recordClaimedStamp(device, device.seal, device.authorization, stranger);
    await recordClaimedStamp(device, device.seal, device.authorization, device.receipts[1], new Date(Date.now() + 5 * 3_600_000));
    await anchored.anchorAll();
    const notReserved = await judge(await publicView(stranger), stranger);
    expect([notReserved.code, notReserved.stamp?.authorized, notReserved.stamp?.copy]).to.deep.equal(["RECEIPT_NOT_AUTHORIZED", false, null]);
    const late = await judge(await publicView(device.receipts[1]), device.receipts[1]);
    expect([late.code, late.stamp?.authorized]).to.deep.equal(["OUTSIDE_AUTHORIZED_WINDOW", false]);
  });

  it("a record saying authorized for a stamp recorded before its authorization is not authorized", async () => {
    const device = await unlockedDevice(anchored.svc, co);
    const early = newId("au");
    const receipt = newReceiptId();
    await recordClaimedStamp(device, device.seal, early, receipt);
    const now = new Date();
    await anchored.svc.store.transaction((tx) =>
      tx.records.append([
        draft("device.unlock-issued", now, co.id, device.id, co.custodian.id, {
          authorization: early, request: device.request, seal: device.seal, operator: co.employee.id, copies: 1, validFrom: new Date(now.getTime() - 60_000).toISOString(),
          validUntil: new Date(now.getTime() + 3_600_000).toISOString(), geofenced: false, receiptHashes: [receiptIdHash(receipt)], command: 99,
        }),
      ]),
    );
    await anchored.anchorAll();
    const view = await publicView(receipt);
    const late = (await anchored.svc.store.records.page({ company: co.id, type: "device.unlock-issued", subject: device.id }, { limit: 10 })).items.find((i) => i.record.data.authorization === early);
    const lateReceipt = (await ok(anchored.svc.call("GET", `/api/v1/records/${late?.record.seq}/receipt`, { token: co.legalRep.token }))).receipt;
    const report = await judge({ ...view, story: { authorization: lateReceipt } }, receipt);
    expect([report.ok, report.stamp?.authorized]).to.deep.equal([false, false]);
    expect(failures(report)).to.include("AUTHORIZATION_NOT_BEFORE_STAMP");
  });

  it("an unauthorized stamp made on a reserved copy is found by that copy's receipt id and shows its reasons", async () => {
    const device = await unlockedDevice(anchored.svc, co, { windowMinutes: 5, copies: 2 });
    const late = new Date(Date.now() + 3_600_000);
    await ok(anchored.svc.call("POST", DEVICE_MESSAGES, { token: device.credential, body: { messages: [stampMessage(device, 0, 1, { authorization: device.authorization, receipt: device.receipts[0], at: late })] } }));
    await anchored.anchorAll();
    const view = await publicView(device.receipts[0]);
    expect(view.receipt.record.data).to.deep.include({ authorized: false, receipt: null, claimedReceipt: device.receipts[0] });
    expect(view).to.not.have.property("story");
    const report = await judge(view, device.receipts[0]);
    expect(failures(report)).to.deep.equal(["STAMP_UNAUTHORIZED"]);
    expect(report.stamp?.reasons).to.include("OUTSIDE_WINDOW");
    expect(report.stamp?.authorized).to.equal(false);
    const cli = await sealproof(["verify", `${anchored.svc.url}/v/${device.receipts[0]}`, "--rpc", anchored.chain.rpcUrl, "--deployment", deploymentText()]);
    expect(cli.status, cli.stdout + cli.stderr).to.equal(1);
    expect(cli.stdout).to.include("STAMP_UNAUTHORIZED").and.include("NOT AUTHORIZED: the device recorded this stamp as not authorized (OUTSIDE_WINDOW)");
    // Another copy's id does not lead to it: that receipt is still unused.
    expect((await anchored.svc.call("GET", `/api/v1/receipts/${device.receipts[1]}`)).status).to.equal(404);
  });
});
