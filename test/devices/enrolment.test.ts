// Devices through the real HTTP API: enrolment shows the credential once and hands over the command key, a physical
// seal is registered onto an enrolled device holding no seal in use, retiring stops the credential.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, enrolDevice, ok, physicalSeal, type TestCompany } from "../helpers/company";
import { generateSm2KeyPair, recordSpec } from "../../service/evidence";
import { authenticateDevice } from "../../service/domain/devices";
import { recordsOf } from "./helpers";
import type { Seal } from "../../service/domain/model";

describe("devices: enrolment and binding", function () {
  this.timeout(60_000);
  let svc: TestService;
  let co: TestCompany;
  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  const admin = (method: string, route: string, body?: unknown, headers?: Record<string, string>) => svc.call(method, `/api/v1${route}`, { token: co.admin.token, body, headers });
  const sealOnto = (device: string) => ({ kind: "physical", type: "official", name: "公章", device, custodian: co.custodian.id, reviewer: co.reviewer.id });

  it("enrols a device: the credential once, the command public key the device must obey, and device.registered as evidence", async () => {
    const keys = generateSm2KeyPair();
    const r = await admin("POST", "/devices", { serial: "SN-0001", model: "SP-100", publicKey: keys.publicKey });
    expect(r.status).to.equal(201);
    expect(r.body.credential.secret).to.match(/^sd_/);
    expect(r.body.commandPublicKey).to.equal(svc.devices.commandKey.publicKey);
    expect(r.body.device).to.include({ serial: "SN-0001", model: "SP-100", publicKey: keys.publicKey, status: "active", seal: null, lastN: -1 });
    expect(r.body.device).to.not.have.property("credentialHash");
    const got = await ok(admin("GET", `/devices/${r.body.device.id}`));
    expect(JSON.stringify(got)).to.not.contain(r.body.credential.secret);
    expect(JSON.stringify(await ok(admin("GET", "/devices")))).to.not.contain(r.body.credential.secret);
    expect((await authenticateDevice(svc.store, r.body.credential.secret))?.id).to.equal(r.body.device.id);
    const [registered] = await recordsOf(svc, co.id, "device.registered");
    expect(registered).to.deep.include({ subject: r.body.device.id, actor: co.admin.id, data: { serial: "SN-0001", model: "SP-100", publicKey: keys.publicKey } });
    expect(recordSpec("device.registered").data(registered.data).ok).to.equal(true);
  });

  it("a retry with the same Idempotency-Key does not show the credential again", async () => {
    const body = { serial: "SN-IDEM", model: "SP-100", publicKey: generateSm2KeyPair().publicKey };
    const first = await admin("POST", "/devices", body, { "Idempotency-Key": "enrol-idem-1" });
    const again = await admin("POST", "/devices", body, { "Idempotency-Key": "enrol-idem-1" });
    expect(again.body.device.id).to.equal(first.body.device.id);
    expect(again.body.credential.secret).to.not.equal(first.body.credential.secret);
  });

  it("refuses a serial the company enrolled already, a key off the curve, and fields it does not know; another company may use the serial", async () => {
    const publicKey = generateSm2KeyPair().publicKey;
    await ok(admin("POST", "/devices", { serial: "SN-TWICE", model: "SP-100", publicKey }));
    const twice = await admin("POST", "/devices", { serial: "SN-TWICE", model: "SP-100", publicKey: generateSm2KeyPair().publicKey });
    expect([twice.status, twice.body.error.code]).to.deep.equal([409, "DEVICE_SERIAL_TAKEN"]);
    const offCurve = await admin("POST", "/devices", { serial: "SN-BADKEY", model: "SP-100", publicKey: `04${"11".repeat(64)}` });
    expect([offCurve.status, offCurve.body.error.code]).to.deep.equal([422, "KEY_INVALID"]);
    const extra = await admin("POST", "/devices", { serial: "SN-X", model: "SP-100", publicKey, seal: "s_12345678" });
    expect([extra.status, extra.body.error.code]).to.deep.equal([400, "VALIDATION_FAILED"]);
    const other = await createCompany(svc);
    expect((await svc.call("POST", "/api/v1/devices", { token: other.admin.token, body: { serial: "SN-TWICE", model: "SP-100", publicKey } })).status).to.equal(201);
  });

  it("a physical seal is registered onto an enrolled device, which then holds it; a second seal onto it is refused", async () => {
    const device = await enrolDevice(svc, co.admin);
    const seal = await ok(admin("POST", "/seals", sealOnto(device.id)));
    expect(seal.device).to.equal(device.id);
    expect((await ok(admin("GET", `/devices/${device.id}`))).seal).to.equal(seal.id);
    const [registered] = (await recordsOf(svc, co.id, "seal.registered")).filter((r) => r.subject === seal.id);
    expect(registered.data.device).to.equal(device.id);
    const before = (await recordsOf(svc, co.id)).length;
    const second = await admin("POST", "/seals", sealOnto(device.id));
    expect([second.status, second.body.error.code]).to.deep.equal([409, "DEVICE_BOUND"]);
    expect((await recordsOf(svc, co.id)).length).to.equal(before);
  });

  it("refuses a free-text device, an unknown device and a retired one, writing nothing", async () => {
    const before = (await recordsOf(svc, co.id)).length;
    const freeText = await admin("POST", "/seals", sealOnto("dev-001"));
    expect([freeText.status, freeText.body.error.code]).to.deep.equal([400, "VALIDATION_FAILED"]);
    const unknown = await admin("POST", "/seals", sealOnto("d_1111111111111111"));
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "NOT_FOUND"]);
    const retired = await enrolDevice(svc, co.admin);
    await ok(admin("POST", `/devices/${retired.id}/retire`));
    const after = (await recordsOf(svc, co.id)).length;
    const onRetired = await admin("POST", "/seals", sealOnto(retired.id));
    expect([onRetired.status, onRetired.body.error.code]).to.deep.equal([409, "DEVICE_RETIRED"]);
    expect((await recordsOf(svc, co.id)).length).to.equal(after);
    expect(after).to.equal(before + 2);
  });

  it("a device is freed when its seal is revoked, and a replacement may take its predecessor's device", async () => {
    const device = await enrolDevice(svc, co.admin);
    const first = await physicalSeal(svc, co, device.id);
    const { replacement } = await ok(admin("POST", `/seals/${first}/replace`, sealOnto(device.id)));
    expect((await ok(admin("GET", `/devices/${device.id}`))).seal).to.equal(replacement.id);
    await ok(admin("POST", `/seals/${replacement.id}/revoke`));
    const third = await physicalSeal(svc, co, device.id);
    expect((await ok(admin("GET", `/devices/${device.id}`))).seal).to.equal(third);
  });

  it("retiring stops the credential and writes device.retired; a device holding a seal in use is not retired", async () => {
    const device = await enrolDevice(svc, co.admin);
    const seal = await physicalSeal(svc, co, device.id);
    const bound = await admin("POST", `/devices/${device.id}/retire`);
    expect([bound.status, bound.body.error.code]).to.deep.equal([409, "DEVICE_BOUND"]);
    expect(await authenticateDevice(svc.store, device.credential)).to.not.equal(null);
    await ok(admin("POST", `/seals/${seal}/destroy`));
    expect((await ok(admin("POST", `/devices/${device.id}/retire`))).status).to.equal("retired");
    expect(await authenticateDevice(svc.store, device.credential)).to.equal(null);
    expect((await recordsOf(svc, co.id, "device.retired")).map((r) => r.subject)).to.include(device.id);
  });

  it("a seal stored with a free-text device before devices were enrolled still reads", async () => {
    const legacy = { ...(await ok(admin("GET", `/seals/${await physicalSeal(svc, co)}`))), id: "s_LegacyDevice1111", device: "dev-001" } as Seal;
    await svc.store.seals.insert(legacy);
    expect((await ok(admin("GET", `/seals/${legacy.id}`))).device).to.equal("dev-001");
  });
});
