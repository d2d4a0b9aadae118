// Several devices' messages taken together (what the MQTT transport does with its backlog): one transaction for all of
// them, yet each device's messages get the fates they would get alone, and a payload that cannot be applied fails alone.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, enrolDevice, physicalSeal, type TestCompany, type TestDevice } from "../helpers/company";
import { takeFromDevices, type MessagesTaken } from "../../service/devices/ingest";
import { deviceMessage, recordsOf, stampMessage, unlockedDevice } from "./helpers";
import type { Device } from "../../service/domain/model";

describe("devices: messages of several devices taken together", function () {
  this.timeout(300_000);
  let svc: TestService;
  let co: TestCompany;
  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  const stored = async (device: TestDevice): Promise<Device> => {
    const found = await svc.store.devices.get(device.id);
    if (found === null) throw new Error(`no device ${device.id}`);
    return found;
  };
  const taken = (answer: MessagesTaken | Error): MessagesTaken => {
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const fates = (answer: MessagesTaken | Error) => taken(answer).results.map((f) => [f.n, f.status, f.code ?? null]);

  it("each device's messages get their own fates: an authorized stamp, an unauthorized one that locks only its device, a bad signature, a repeat", async () => {
    const authorized = await unlockedDevice(svc, co, { copies: 2 });
    const offender = await enrolDevice(svc, co.admin);
    await physicalSeal(svc, co, offender.id);
    const forger = await enrolDevice(svc, co.admin);
    const good = stampMessage(authorized, 0, 1, { authorization: authorized.authorization, location: null });
    const unauthorized = stampMessage(offender, 0, 1, { location: null });
    const forged = deviceMessage(forger, 0, "status", { battery: 80, locked: true }, { key: offender.keys.privateKey });
    const payloads = [
      { device: await stored(authorized), raw: [good] },
      { device: await stored(offender), raw: [unauthorized] },
      { device: await stored(forger), raw: [forged] },
    ];
    const answers = await takeFromDevices(svc.devices, payloads);
    expect(answers.map(fates)).to.deep.equal([[[0, "accepted", null]], [[0, "accepted", null]], [[0, "refused", "SIGNATURE_INVALID"]]]);
    expect(taken(answers[0]).commands.map((c) => c.type)).to.deep.equal(["unlock"]);
    expect(taken(answers[1]).commands.map((c) => c.type)).to.deep.equal(["lock"]);
    expect(taken(answers[2]).commands).to.deep.equal([]);
    const stamps = await recordsOf(svc, co.id, "seal.stamped");
    expect(stamps.filter((r) => r.data.device === authorized.id).map((r) => r.data.authorized)).to.deep.equal([true]);
    expect(stamps.filter((r) => r.data.device === offender.id).map((r) => r.data.authorized)).to.deep.equal([false]);
    expect([(await stored(authorized)).status, (await stored(offender)).status, (await stored(forger)).lastN]).to.deep.equal(["active", "locked", -1]);

    const again = await takeFromDevices(svc.devices, [{ device: await stored(authorized), raw: [good] }, { device: await stored(offender), raw: [unauthorized] }]);
    expect(again.map(fates)).to.deep.equal([[[0, "duplicate", null]], [[0, "duplicate", null]]]);
    expect((await recordsOf(svc, co.id, "seal.stamped")).length).to.equal(stamps.length);
  });

  it("a payload that cannot be applied fails alone: the others taken with it are recorded", async () => {
    const device = await enrolDevice(svc, co.admin);
    const other = await enrolDevice(svc, co.admin);
    // A device the store no longer has (as if deleted while its payload waited): applying its messages throws.
    const vanished: Device = { ...(await stored(device)), id: "d_Vanished12345" };
    const ghost = deviceMessage({ ...device, id: vanished.id }, 0, "status", { battery: 80, locked: true });
    const answers = await takeFromDevices(svc.devices, [
      { device: vanished, raw: [ghost] },
      { device: await stored(device), raw: [deviceMessage(device, 0, "status", { battery: 80, locked: true })] },
      { device: await stored(other), raw: [deviceMessage(other, 0, "hello", { firmware: "t-1" })] },
    ]);
    expect(answers[0]).to.be.instanceOf(Error);
    expect(answers.slice(1).map(fates)).to.deep.equal([[[0, "accepted", null]], [[0, "accepted", null]]]);
    expect([(await stored(device)).lastN, (await stored(other)).lastN]).to.deep.equal([0, 0]);
  });
});
