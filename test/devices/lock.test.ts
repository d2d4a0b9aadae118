// Remote lock and dual-control unlock through the real HTTP API, attacker first: one member giving both halves,
// a member with no part in the seal, an unlock of a device not locked.
import { expect } from "chai";
import { startService, type Reply, type TestService } from "../helpers/service";
import { addPerson, createCompany, enrolDevice, ok, physicalSeal, type TestCompany, type TestDevice } from "../helpers/company";
import { deviceMessage, recordsOf, stampMessage } from "./helpers";
import type { DeviceMessage } from "../../service/evidence/device-message";

describe("devices: remote lock and dual-control unlock", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  const post = (who: { token: string }, route: string): Promise<Reply> => svc.call("POST", `/api/v1/devices${route}`, { token: who.token });
  const deviceView = (id: string) => ok(svc.call("GET", `/api/v1/devices/${id}`, { token: co.admin.token }));
  const commandsOf = async (device: TestDevice, n: number) =>
    (await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [deviceMessage(device, n, "hello", { firmware: "1" })] } }))).commands as DeviceMessage[];
  async function sealedDevice(): Promise<TestDevice & { seal: string }> {
    const device = await enrolDevice(svc, co.admin);
    return { ...device, seal: await physicalSeal(svc, co, device.id) };
  }

  it("a seal_admin, the legal_rep or the seal's custodian locks at once: device.locked and one signed lock command; others may not", async () => {
    const device = await sealedDevice();
    for (const who of [co.employee, co.reviewer, co.auditor, co.deptHead]) expect((await post(who, `/${device.id}/lock`)).status).to.equal(403);
    const locked = await ok(post(co.custodian, `/${device.id}/lock`));
    expect(locked.status).to.equal("locked");
    await ok(post(co.admin, `/${device.id}/lock`));
    await ok(post(co.legalRep, `/${device.id}/lock`));
    const records = (await recordsOf(svc, co.id, "device.locked")).filter((r) => r.subject === device.id);
    expect(records.map((r) => [r.actor, r.data.reason])).to.deep.equal([[co.custodian.id, "remote"]]);
    const commands = await commandsOf(device, 0);
    expect(commands.map((c) => [c.type, c.body.reason])).to.deep.equal([["lock", "remote"]]);
    // A custodian of other seals only locks the devices of seals in their custody.
    const stranger = await addPerson(svc, co.legalRep, ["custodian"]);
    expect((await post(stranger, `/${(await sealedDevice()).id}/lock`)).status).to.equal(403);
  });

  it("a locked device is unlocked only by two members, an administrator and the seal's reviewer, in either order: device.unlocked names both", async () => {
    const device = await sealedDevice();
    await ok(post(co.admin, `/${device.id}/lock`));
    const first = await ok(post(co.reviewer, `/${device.id}/unlock`));
    expect([first.complete, first.device.status, first.halves]).to.deep.equal([false, "locked", [{ member: co.reviewer.id, side: "reviewer" }]]);
    const repeated = await ok(post(co.reviewer, `/${device.id}/unlock`));
    expect([repeated.complete, repeated.halves.length]).to.deep.equal([false, 1]);
    const second = await ok(post(co.legalRep, `/${device.id}/unlock`));
    expect([second.complete, second.device.status]).to.deep.equal([true, "active"]);
    const [unlocked] = (await recordsOf(svc, co.id, "device.unlocked")).filter((r) => r.subject === device.id);
    expect(unlocked.data.approvedBy).to.deep.equal([co.reviewer.id, co.legalRep.id]);
    const commands = await commandsOf(device, 0);
    expect(commands.map((c) => [c.type, c.body.authorization ?? null])).to.deep.equal([["lock", null], ["unlock", null]]);
    const notLocked = await post(co.admin, `/${device.id}/unlock`);
    expect([notLocked.status, notLocked.body.error.code]).to.deep.equal([409, "DEVICE_NOT_LOCKED"]);
  });

  it("one member can never complete an unlock alone: two administrators' halves, or one member's twice, leave it locked", async () => {
    const device = await sealedDevice();
    await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [stampMessage(device, 0, 1)] } }));
    expect((await deviceView(device.id)).status).to.equal("locked");
    for (const who of [co.admin, co.admin, co.legalRep]) expect((await ok(post(who, `/${device.id}/unlock`))).complete).to.equal(false);
    expect((await deviceView(device.id)).status).to.equal("locked");
    // A member who is both seal_admin and the seal's reviewer gives the reviewer's half only.
    const both = await addPerson(svc, co.legalRep, ["seal_admin", "reviewer"]);
    const own = await enrolDevice(svc, co.admin);
    await ok(svc.call("POST", "/api/v1/seals", { token: co.admin.token, body: { kind: "physical", type: "official", name: "公章", device: own.id, custodian: co.custodian.id, reviewer: both.id } }));
    await ok(post(co.admin, `/${own.id}/lock`));
    for (let i = 0; i < 2; i++) expect((await ok(post(both, `/${own.id}/unlock`))).halves).to.deep.equal([{ member: both.id, side: "reviewer" }]);
    expect((await deviceView(own.id)).status).to.equal("locked");
    expect((await recordsOf(svc, co.id, "device.unlocked")).filter((r) => r.subject === own.id || r.subject === device.id)).to.deep.equal([]);
    for (const who of [co.employee, co.custodian, co.auditor, co.deptHead]) expect((await post(who, `/${device.id}/unlock`)).status).to.equal(403);
    // Another company's reviewer-and-admin never reaches this company's device.
    const other = await createCompany(svc);
    expect((await post(other.admin, `/${device.id}/unlock`)).status).to.equal(404);
  });
});
