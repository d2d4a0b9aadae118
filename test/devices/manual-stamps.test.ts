// Emergency use without the device, attacker first: one member confirming a manual stamp alone, a manual stamp while
// the device works, under another device's or a spent authorization, a receipt used twice; then the genuine path.
import { expect } from "chai";
import { startService, type Reply, type TestService } from "../helpers/service";
import { createCompany, ok, type TestCompany } from "../helpers/company";
import { recordsOf, stampMessage, unlockedDevice, type UnlockedDevice } from "./helpers";

describe("devices: out of order, and stamps recorded by custodian and reviewer together", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  const post = (who: { token: string }, route: string, body?: unknown): Promise<Reply> => svc.call("POST", `/api/v1/devices${route}`, { token: who.token, body });
  const manualStamps = async (device: string) => (await recordsOf(svc, co.id, "seal.stamped")).filter((r) => r.data.device === device && r.data.manual === true);
  async function brokenDevice(copies = 2): Promise<UnlockedDevice> {
    const device = await unlockedDevice(svc, co, { copies });
    await ok(post(co.custodian, `/${device.id}/out-of-order`));
    return device;
  }
  const begin = (who: { token: string }, device: UnlockedDevice, receipt: string | null = null, authorization = device.authorization) => post(who, `/${device.id}/manual-stamps`, { authorization, receipt });

  it("the custodian reports the device out of order: a record, a lock for when it returns, and stamps from it unauthorized meanwhile", async () => {
    const device = await unlockedDevice(svc, co);
    for (const who of [co.employee, co.reviewer, co.admin]) expect((await post(who, `/${device.id}/out-of-order`)).status).to.equal(403);
    const reported = await ok(post(co.custodian, `/${device.id}/out-of-order`));
    expect(reported.outOfOrderSince).to.be.a("string");
    expect((await recordsOf(svc, co.id, "device.out-of-order")).filter((r) => r.subject === device.id).map((r) => r.actor)).to.deep.equal([co.custodian.id]);
    const r = await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [stampMessage(device, 0, 1, { authorization: device.authorization })] } }));
    expect(r.commands.map((c: { type: string }) => c.type)).to.include("lock");
    const [stamp] = (await recordsOf(svc, co.id, "seal.stamped")).filter((x) => x.data.device === device.id);
    expect([stamp.data.authorized, stamp.data.reasons]).to.deep.equal([false, ["DEVICE_OUT_OF_ORDER"]]);
  });

  it("one member can never record a manual stamp alone: the same member again, or a second custodian-side confirmation, is refused and nothing is recorded", async () => {
    const device = await brokenDevice();
    const pending = await ok(begin(co.custodian, device));
    expect([pending.status, pending.confirmedBy]).to.deep.equal(["pending", [co.custodian.id]]);
    const again = await post(co.custodian, `/${device.id}/manual-stamps/${pending.id}/confirm`);
    expect([again.status, again.body.error.code]).to.deep.equal([403, "DUAL_CONTROL_SAME_MEMBER"]);
    for (const who of [co.legalRep, co.admin, co.employee]) {
      const r = await post(who, `/${device.id}/manual-stamps/${pending.id}/confirm`);
      expect([r.status, r.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
    }
    expect(await manualStamps(device.id)).to.deep.equal([]);
  });

  it("custodian and reviewer together record seal.stamped with manual: true under the next receipt, and a warning alert each time", async () => {
    const device = await brokenDevice(2);
    const first = await ok(begin(co.reviewer, device, device.receipts[1]));
    const recorded = await ok(post(co.custodian, `/${device.id}/manual-stamps/${first.id}/confirm`));
    expect([recorded.status, recorded.receipt, recorded.confirmedBy]).to.deep.equal(["recorded", device.receipts[1], [co.reviewer.id, co.custodian.id]]);
    const second = await ok(begin(co.custodian, device));
    await ok(post(co.reviewer, `/${device.id}/manual-stamps/${second.id}/confirm`));
    const stamps = await manualStamps(device.id);
    expect(stamps.map((s) => [s.subject, s.data.authorized, s.data.receipt, s.data.authorization, s.data.confirmedBy])).to.deep.equal([
      [device.seal, true, device.receipts[1], device.authorization, [co.reviewer.id, co.custodian.id]],
      [device.seal, true, device.receipts[0], device.authorization, [co.custodian.id, co.reviewer.id]],
    ]);
    const alerts = (await recordsOf(svc, co.id, "alert.raised")).filter((a) => a.data.device === device.id);
    expect(alerts.map((a) => [a.data.code, a.data.severity])).to.deep.equal([["MANUAL_STAMP", "warning"], ["MANUAL_STAMP", "warning"]]);
    // Exhausted now: a third is refused before anything is recorded.
    const third = await begin(co.custodian, device);
    expect([third.status, third.body.error.code]).to.deep.equal([409, "AUTHORIZATION_CLOSED"]);
  });

  it("a receipt used by a manual stamp is not used again, and no receipt outside the authorization is taken", async () => {
    const device = await brokenDevice(2);
    const a = await ok(begin(co.custodian, device, device.receipts[0]));
    const b = await ok(begin(co.custodian, device, device.receipts[0]));
    await ok(post(co.reviewer, `/${device.id}/manual-stamps/${a.id}/confirm`));
    const twice = await post(co.reviewer, `/${device.id}/manual-stamps/${b.id}/confirm`);
    expect([twice.status, twice.body.error.code]).to.deep.equal([409, "RECEIPT_USED"]);
    const foreign = await begin(co.custodian, device, "7Jq3v9PzX2mKc4TnR8wYbD");
    expect([foreign.status, foreign.body.error.code]).to.deep.equal([422, "RECEIPT_INVALID"]);
    expect((await manualStamps(device.id)).map((s) => s.data.receipt)).to.deep.equal([device.receipts[0]]);
  });

  it("no manual stamp while the device works, nor under another device's authorization, nor after a dual-control unlock brings it back", async () => {
    const working = await unlockedDevice(svc, co);
    const r = await begin(co.custodian, working);
    expect([r.status, r.body.error.code]).to.deep.equal([409, "DEVICE_NOT_OUT_OF_ORDER"]);
    const broken = await brokenDevice();
    const other = await begin(co.custodian, broken, null, working.authorization);
    expect([other.status, other.body.error.code]).to.deep.equal([404, "NOT_FOUND"]);
    const pending = await ok(begin(co.custodian, broken));
    await ok(post(co.admin, `/${broken.id}/unlock`));
    const back = await ok(post(co.reviewer, `/${broken.id}/unlock`));
    expect([back.complete, back.device.outOfOrderSince]).to.deep.equal([true, null]);
    const late = await post(co.reviewer, `/${broken.id}/manual-stamps/${pending.id}/confirm`);
    expect([late.status, late.body.error.code]).to.deep.equal([409, "DEVICE_NOT_OUT_OF_ORDER"]);
    expect(await manualStamps(broken.id)).to.deep.equal([]);
  });
});
