// The MQTT transport through the embedded broker of the real service (`npm start`'s bundle in a child process), with
// a real `mqtt` client per device: credentials and topic ACL, a stamp recorded and answered on the down topic, a lock
// issued while the device is offline waiting for it retained, presence and the offline alert, an oversized packet.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { jsonClient, type Call } from "../helpers/service";
import { createCompany, enrolDevice, ok, physicalSeal, type TestCompany, type TestDevice } from "../helpers/company";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";
import { closedWithin, connectDevice, refusal, subscribeCodes, wellKnown } from "./mqtt-device";
import { stampBody } from "./stamp-body";
import { sm2Verify } from "../../service/evidence";
import { deviceMessageBytes, signDeviceMessage } from "../../service/evidence/device-message";
import { deviceTopic } from "../../service/mqtt/topics";

const OFFLINE_ALERT_MS = 1_500;

describe("devices: MQTT through the embedded broker", function () {
  this.timeout(300_000);
  let dataDir: string;
  let svc: ServiceProcess;
  let call: Call;
  let co: TestCompany;
  let url: string;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-mqtt-"));
    svc = await startServiceProcess(dataDir, { http: await freePort(), chain: await freePort() }, { MQTT_PORT: String(await freePort()), DEVICE_OFFLINE_ALERT_MS: String(OFFLINE_ALERT_MS) });
    call = jsonClient(svc.url).call;
    co = await createCompany({ call }, PROCESS_OPERATOR_TOKEN);
    url = (await wellKnown(call)).mqttUrl;
  });
  after(async () => {
    await svc?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const sealed = async (): Promise<TestDevice> => {
    const device = await enrolDevice({ call }, co.admin);
    await physicalSeal({ call }, co, device.id);
    return device;
  };
  const deviceView = (id: string) => ok(call("GET", `/api/v1/devices/${id}`, { token: co.admin.token }));
  const recordsOf = async (type: string, device: string): Promise<Array<{ type: string; subject: string; data: { [key: string]: unknown } }>> => {
    const page = await ok(call("GET", "/api/v1/records?limit=1000", { token: co.admin.token }));
    return (page.records as Array<{ type: string; subject: string; data: { [key: string]: unknown } }>).filter((r) => r.type === type && (r.subject === device || r.data.device === device));
  };
  const eventually = async <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> => {
    for (const start = Date.now(); ; await new Promise((r) => setTimeout(r, 100))) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}\n${svc.output().slice(-3000)}`);
    }
  };

  it("publishes the broker's address in /.well-known/sealproof.json", () => {
    expect(url).to.match(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
  });

  it("refuses a wrong credential, another device's credential, a retired device, and a client id other than the device id", async () => {
    const device = await sealed();
    const other = await enrolDevice({ call }, co.admin);
    expect(await refusal(connectDevice(url, device, { password: "dc_wrong" }))).to.match(/Bad username or password/);
    expect(await refusal(connectDevice(url, device, { password: other.credential }))).to.match(/Bad username or password/);
    expect(await refusal(connectDevice(url, device, { clientId: `${device.id}-2` }))).to.match(/Not authorized/);
    await ok(call("POST", `/api/v1/devices/${other.id}/retire`, { token: co.admin.token }));
    expect(await refusal(connectDevice(url, other))).to.match(/Bad username or password/);
    const good = await connectDevice(url, device);
    await good.leave();
  });

  it("a device cannot subscribe to another device's down topic, nor publish on another's topics: its connection is closed and nothing is taken", async () => {
    const attacker = await connectDevice(url, await sealed());
    const victimDevice = await sealed();
    expect(await subscribeCodes(attacker.client, [deviceTopic(victimDevice.id, "down"), "sealproof/v1/devices/+/down", "#"])).to.deep.equal([128, 128, 128]);
    // A message the victim really signed (captured on the air, say), published on the victim's up topic.
    const captured = signDeviceMessage({ v: 1, device: victimDevice.id, n: 0, type: "tamper", at: new Date().toISOString(), body: { kind: "case-opened" } }, victimDevice.keys.privateKey);
    const closed = closedWithin(attacker.client, 5_000);
    attacker.client.publish(deviceTopic(victimDevice.id, "up"), JSON.stringify(captured), { qos: 1 });
    expect(await closed).to.equal(true);
    const again = await connectDevice(url, await sealed());
    const closedAgain = closedWithin(again.client, 5_000);
    again.client.publish(deviceTopic(victimDevice.id, "presence"), "offline", { qos: 1, retain: true });
    expect(await closedAgain).to.equal(true);
    await new Promise((r) => setTimeout(r, 500));
    const victim = await deviceView(victimDevice.id);
    expect([victim.lastN, victim.status]).to.deep.equal([-1, "active"]);
    expect(await recordsOf("device.locked", victimDevice.id)).to.deep.equal([]);
  });

  it("takes a stamp published on the device's up topic: recorded, answered on its down topic, and the lock it caused is signed with the command key", async () => {
    const device = await sealed();
    const seal = await connectDevice(url, device);
    const hello = seal.message(0, "hello", { firmware: "1.2.0" });
    await seal.waitFor((p) => p.results?.[0]?.n === 0, await seal.publish(hello));
    const answer = await seal.waitFor((p) => p.results?.length === 2, await seal.publish([seal.message(1, "status", { battery: 80, locked: true }), seal.message(2, "stamp", stampBody(1))]));
    expect(answer.results!.map((r) => [r.n, r.status])).to.deep.equal([[1, "accepted"], [2, "accepted"]]);
    // No authorization covers it: the stamp is recorded unauthorized and the device locked.
    const [lock] = answer.commands!;
    expect([lock.type, lock.device]).to.deep.equal(["lock", device.id]);
    expect(sm2Verify(deviceMessageBytes(lock), lock.sig, device.commandPublicKey)).to.equal(true);
    const [stamped] = await eventually("the seal.stamped record", () => recordsOf("seal.stamped", device.id), (r) => r.length === 1);
    expect([stamped.data.device, stamped.data.n, stamped.data.stampNo, stamped.data.authorized]).to.deep.equal([device.id, 2, 1, false]);
    expect((await deviceView(device.id)).status).to.equal("locked");
    // The same bytes again are acknowledged as a duplicate and write nothing.
    const again = await seal.waitFor((p) => p.results !== undefined, await seal.publish(hello));
    expect(again.results).to.deep.equal([{ index: 0, n: 0, status: "duplicate" }]);
    const refused = await seal.waitFor((p) => p.results !== undefined, await seal.publish("not a message"));
    expect(refused.results).to.deep.equal([{ index: 0, n: null, status: "refused", code: "MESSAGE_INVALID" }]);
    await seal.leave();
  });

  it("a lock issued while the device is offline is waiting for it, retained, when it subscribes again; its ack clears it", async () => {
    const device = await sealed();
    const first = await connectDevice(url, device);
    await first.leave();
    // The device reports tampering through a phone (HTTPS) while its MQTT link is down: the service locks it.
    const tamper = signDeviceMessage({ v: 1, device: device.id, n: 0, type: "tamper", at: new Date().toISOString(), body: { kind: "case-opened" } }, device.keys.privateKey);
    await ok(call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [tamper] } }));
    await new Promise((r) => setTimeout(r, 1_000)); // the outbox publishes the retained command after commit
    const back = await connectDevice(url, device);
    // The broker hands over what it retained on subscription (and the service sends it again on seeing the device online).
    const waiting = await back.waitFor((p) => p.retained && (p.commands ?? []).some((c) => c.type === "lock"), 0);
    const lock = waiting.commands!.find((c) => c.type === "lock")!;
    expect(sm2Verify(deviceMessageBytes(lock), lock.sig, device.commandPublicKey)).to.equal(true);
    const acked = await back.waitFor((p) => p.results?.[0]?.n === 1, await back.publish(back.message(1, "ack", { command: lock.n, result: "ok" })));
    expect([acked.results![0].status, acked.commands]).to.deep.equal(["accepted", []]);
    await eventually("device.lock-confirmed", () => recordsOf("device.lock-confirmed", device.id), (r) => r.length === 1);
    await back.leave();
    await new Promise((r) => setTimeout(r, 1_000));
    const later = await connectDevice(url, device);
    await new Promise((r) => setTimeout(r, 700));
    expect(later.down.filter((p) => (p.commands ?? []).length > 0)).to.deep.equal([]);
    await later.leave();
  });

  it("shows presence on GET /devices/:id and raises DEVICE_OFFLINE once when a device stays away", async () => {
    const device = await sealed();
    expect((await deviceView(device.id)).presence).to.deep.equal({ connected: false, since: null });
    const seal = await connectDevice(url, device);
    const online = await eventually("connected", () => deviceView(device.id), (v) => v.presence.connected === true);
    expect(online.presence.since).to.be.a("string");
    // Gone without a word (no DISCONNECT): the session closes and the last will says offline.
    seal.client.stream.destroy();
    await eventually("disconnected", () => deviceView(device.id), (v) => v.presence.connected === false);
    const alerts = await eventually("DEVICE_OFFLINE", () => recordsOf("alert.raised", device.id), (r) => r.some((a) => a.data.code === "DEVICE_OFFLINE"), 30_000);
    expect(alerts.map((a) => [a.data.code, a.data.severity])).to.deep.equal([["DEVICE_OFFLINE", "warning"]]);
    await new Promise((r) => setTimeout(r, 3 * OFFLINE_ALERT_MS));
    expect((await recordsOf("alert.raised", device.id)).filter((a) => a.data.code === "DEVICE_OFFLINE")).to.have.length(1);
    // Back, then away again: a new silence, a new alert.
    const back = await connectDevice(url, device);
    await eventually("connected again", () => deviceView(device.id), (v) => v.presence.connected === true);
    await back.leave();
    await eventually("a second DEVICE_OFFLINE", () => recordsOf("alert.raised", device.id), (r) => r.filter((a) => a.data.code === "DEVICE_OFFLINE").length === 2, 30_000);
  });

  it("closes a connection that announces a packet over the size limit before buffering it, and keeps serving others", async () => {
    const { port } = new URL(url);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    // A CONNECT whose remaining length says 200 MB.
    socket.write(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x64]));
    await closed;
    const seal = await connectDevice(url, await sealed());
    await seal.waitFor((p) => p.results?.[0]?.status === "accepted", await seal.publish(seal.message(0, "status", { battery: 50, locked: true })));
    await seal.leave();
  });
});
