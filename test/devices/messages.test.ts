// Signed device messages over the HTTPS transport (POST /api/v1/device-messages), attacker first: a device publishing
// as another, a bad signature, a reused n, a stamp without an authorization, tamper, hostile payloads. Real SM2 keys
// and signatures, the real service over HTTP.
import { expect } from "chai";
import { startService, type Reply, type TestService } from "../helpers/service";
import { createCompany, enrolDevice, ok, physicalSeal, type TestCompany, type TestDevice } from "../helpers/company";
import { generateSm2KeyPair, sm2Verify, type JsonValue } from "../../service/evidence";
import { deviceMessageBytes, signDeviceMessage, type DeviceMessage } from "../../service/evidence/device-message";
import { locationCommitment } from "../../service/evidence/stamp";
import { recordsOf } from "./helpers";

const DEVICE_MESSAGES = "/api/v1/device-messages";

describe("devices: signed messages over HTTPS", function () {
  this.timeout(300_000);
  let svc: TestService;
  let co: TestCompany;
  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  /** A device enrolled and holding a physical seal, with the next n it will use. */
  async function sealedDevice(): Promise<TestDevice & { seal: string; next: number }> {
    const device = await enrolDevice(svc, co.admin);
    return { ...device, seal: await physicalSeal(svc, co, device.id), next: 0 };
  }
  function message(device: TestDevice, n: number, type: string, body: { [key: string]: JsonValue }, key = device.keys.privateKey, id = device.id): DeviceMessage {
    return signDeviceMessage({ v: 1, device: id, n, type, at: new Date().toISOString(), body }, key);
  }
  // The device signs a commitment to where it stamped, never the place itself.
  const commitment = locationCommitment(new Uint8Array(16), { lat: 31.2304, lng: 121.4737, accuracyM: 12 });
  const stamp = (stampNo: number, extra: { [key: string]: JsonValue } = {}) => ({
    stampNo, authorization: null, receipt: null, operator: { method: "fingerprint", ref: "op-7" }, locationCommitment: commitment, photoHash: "ab".repeat(32), ...extra,
  });
  const send = (credential: string, messages: unknown, raw?: string): Promise<Reply> =>
    svc.call("POST", DEVICE_MESSAGES, raw === undefined ? { token: credential, body: { messages } } : { token: credential, raw });
  const deviceView = (id: string) => ok(svc.call("GET", `/api/v1/devices/${id}`, { token: co.admin.token }));
  const logSize = async () => (await recordsOf(svc, co.id)).length;
  const fates = (r: Reply) => (r.body.results as Array<{ n: number | null; status: string; code?: string }>).map((f) => [f.n, f.status, f.code ?? null]);

  it("takes hello and status in n order, acknowledges an exact repeat again, and writes no record for either", async () => {
    const device = await sealedDevice();
    const before = await logSize();
    const hello = message(device, 1, "hello", { firmware: "1.0.3" });
    const status = message(device, 0, "status", { battery: 87, locked: true });
    const r = await send(device.credential, [hello, status]);
    expect(r.status).to.equal(200);
    expect(fates(r)).to.deep.equal([[1, "accepted", null], [0, "accepted", null]]);
    const again = await send(device.credential, [hello]);
    expect(fates(again)).to.deep.equal([[1, "duplicate", null]]);
    const view = await deviceView(device.id);
    expect([view.lastN, view.status]).to.deep.equal([1, "active"]);
    expect(view.lastSeenAt).to.be.a("string");
    expect(await logSize()).to.equal(before);
  });

  it("refuses a device publishing as another, a bad signature and a lower n never seen, writing nothing", async () => {
    const device = await sealedDevice();
    const victim = await sealedDevice();
    await ok(send(device.credential, [message(device, 5, "hello", { firmware: "1" })]));
    const before = await logSize();
    const asVictim = message(victim, 0, "stamp", stamp(1), victim.keys.privateKey);
    const forged = message(device, 6, "status", { battery: 50, locked: true }, generateSm2KeyPair().privateKey);
    const tampered = { ...message(device, 7, "status", { battery: 50, locked: true }), body: { battery: 51, locked: true } };
    const stale = message(device, 3, "status", { battery: 50, locked: true });
    const r = await send(device.credential, [asVictim, forged, tampered, stale]);
    expect(fates(r)).to.deep.equal([[0, "refused", "DEVICE_MISMATCH"], [6, "refused", "SIGNATURE_INVALID"], [7, "refused", "SIGNATURE_INVALID"], [3, "refused", "N_NOT_RISING"]]);
    expect((await deviceView(victim.id)).lastN).to.equal(-1);
    expect((await deviceView(device.id)).lastN).to.equal(5);
    expect(await logSize()).to.equal(before);
  });

  it("a reused n with other bytes is a replay: refused, the device locked and a critical alert raised together, and a signed lock command handed out", async () => {
    const device = await sealedDevice();
    await ok(send(device.credential, [message(device, 0, "status", { battery: 90, locked: true })]));
    const r = await send(device.credential, [message(device, 0, "status", { battery: 10, locked: false })]);
    expect(fates(r)).to.deep.equal([[0, "refused", "REPLAYED"]]);
    const locked = (await recordsOf(svc, co.id, "device.locked")).filter((x) => x.subject === device.id);
    expect(locked.map((x) => x.data)).to.deep.equal([{ reason: "replay", n: 0 }]);
    const alerts = (await recordsOf(svc, co.id, "alert.raised")).filter((x) => x.data.device === device.id);
    expect(alerts.map((x) => [x.data.code, x.data.severity])).to.deep.equal([["MESSAGE_REPLAYED", "critical"]]);
    expect((await deviceView(device.id)).status).to.equal("locked");
    const [lock] = r.body.commands as DeviceMessage[];
    expect([lock.type, lock.device, lock.n]).to.deep.equal(["lock", device.id, 0]);
    expect(sm2Verify(deviceMessageBytes(lock), lock.sig, device.commandPublicKey)).to.equal(true);
  });

  it("a stamp without an open authorization is recorded unauthorized, with seal.stamped, device.locked and a critical alert; the device's ack confirms the lock", async () => {
    const device = await sealedDevice();
    const r = await send(device.credential, [message(device, 0, "stamp", stamp(41, { receipt: "7Jq3v9PzX2mKc4TnR8wYbD" }))]);
    expect(fates(r)).to.deep.equal([[0, "accepted", null]]);
    const [stamped] = (await recordsOf(svc, co.id, "seal.stamped")).filter((x) => x.data.device === device.id);
    expect(stamped.subject).to.equal(device.seal);
    expect(stamped.actor).to.equal(device.id);
    expect(stamped.data).to.deep.include({ n: 0, stampNo: 41, authorized: false, reasons: ["NO_AUTHORIZATION"], authorization: null, receipt: null, claimedReceipt: "7Jq3v9PzX2mKc4TnR8wYbD", photoHash: "ab".repeat(32), inGeofence: null });
    expect(stamped.data.locationCommitment).to.equal(commitment);
    expect(JSON.stringify(stamped.data)).to.not.contain("31.2304");
    expect((await recordsOf(svc, co.id, "device.locked")).filter((x) => x.subject === device.id).map((x) => x.data.reason)).to.deep.equal(["unauthorized-stamp"]);
    expect((await recordsOf(svc, co.id, "alert.raised")).filter((x) => x.data.device === device.id).map((x) => [x.data.code, x.data.severity])).to.deep.equal([["UNAUTHORIZED_STAMP", "critical"]]);
    const [lock] = r.body.commands as DeviceMessage[];
    expect(lock.type).to.equal("lock");
    const acked = await send(device.credential, [message(device, 1, "ack", { command: lock.n, result: "ok" })]);
    expect(fates(acked)).to.deep.equal([[1, "accepted", null]]);
    expect(acked.body.commands).to.deep.equal([]);
    expect((await recordsOf(svc, co.id, "device.lock-confirmed")).filter((x) => x.subject === device.id).map((x) => x.data)).to.deep.equal([{ command: lock.n }]);
  });

  it("an ack clears only the acknowledging device's own command of that number: another device's ack, or one naming another number, leaves the lock pending", async () => {
    const victim = await sealedDevice();
    const other = await sealedDevice();
    const r = await send(victim.credential, [message(victim, 0, "stamp", stamp(1))]);
    const [lock] = r.body.commands as DeviceMessage[];
    expect(lock.type).to.equal("lock");
    expect(fates(await send(other.credential, [message(other, 0, "ack", { command: lock.n, result: "ok" })]))).to.deep.equal([[0, "accepted", null]]);
    const wrongNumber = await send(victim.credential, [message(victim, 1, "ack", { command: lock.n + 1, result: "ok" })]);
    expect((wrongNumber.body.commands as DeviceMessage[]).map((c) => [c.type, c.n])).to.deep.equal([["lock", lock.n]]);
    expect((await recordsOf(svc, co.id, "device.lock-confirmed")).filter((x) => x.subject === victim.id || x.subject === other.id)).to.deep.equal([]);
  });

  it("a stamp naming an authorization the service never issued is unauthorized; a stamp-number gap raises a stamp-gap alert", async () => {
    const device = await sealedDevice();
    await ok(send(device.credential, [message(device, 0, "stamp", stamp(10)), message(device, 1, "stamp", stamp(14, { authorization: "au_2TfGdUXc7VmQeR8s" }))]));
    const stamps = (await recordsOf(svc, co.id, "seal.stamped")).filter((x) => x.data.device === device.id);
    expect(stamps.map((x) => [x.data.stampNo, x.data.authorized, x.data.reasons])).to.deep.equal([[10, false, ["NO_AUTHORIZATION"]], [14, false, ["DEVICE_LOCKED", "AUTHORIZATION_UNKNOWN"]]]);
    const codes = (await recordsOf(svc, co.id, "alert.raised")).filter((x) => x.data.device === device.id).map((x) => x.data.code);
    expect(codes).to.deep.equal(["UNAUTHORIZED_STAMP", "STAMP_GAP", "UNAUTHORIZED_STAMP"]);
    expect((await recordsOf(svc, co.id, "device.locked")).filter((x) => x.subject === device.id)).to.have.length(1);
  });

  it("a tamper report locks the device with a critical alert and no stamp record", async () => {
    const device = await sealedDevice();
    await ok(send(device.credential, [message(device, 0, "tamper", { kind: "case-opened" })]));
    expect((await recordsOf(svc, co.id, "seal.stamped")).filter((x) => x.data.device === device.id)).to.deep.equal([]);
    expect((await recordsOf(svc, co.id, "device.locked")).filter((x) => x.subject === device.id).map((x) => x.data.reason)).to.deep.equal(["tamper"]);
    expect((await recordsOf(svc, co.id, "alert.raised")).filter((x) => x.data.device === device.id).map((x) => x.data.code)).to.deep.equal(["DEVICE_TAMPERED"]);
  });

  it("answers 401 to no credential, a member's API key and a retired device's credential", async () => {
    const device = await enrolDevice(svc, co.admin);
    const hello = message(device, 0, "hello", { firmware: "1" });
    expect((await svc.call("POST", DEVICE_MESSAGES, { body: { messages: [hello] } })).status).to.equal(401);
    expect((await send(co.admin.token, [hello])).status).to.equal(401);
    await ok(svc.call("POST", `/api/v1/devices/${device.id}/retire`, { token: co.admin.token }));
    expect((await send(device.credential, [hello])).status).to.equal(401);
  });

  it("hostile payloads get a 4xx or a refused fate, never a 5xx, and write nothing", async () => {
    const device = await sealedDevice();
    const before = await logSize();
    const good = message(device, 0, "stamp", stamp(1));
    const wrong: unknown[] = [
      null, 7, "x", [], {},
      { ...good, n: "0" }, { ...good, n: -1 }, { ...good, n: 1.5 }, { ...good, n: 2 ** 60 }, { ...good, v: 2 }, { ...good, type: "reboot" }, { ...good, extra: 1 },
      { ...good, body: { ...good.body, stampNo: -1 } }, { ...good, body: { ...good.body, location: { lat: 31, lng: 121, accuracyM: 1 } } }, { ...good, location: { lat: 91, lng: 0, accuracyM: 1, salt: "00".repeat(16) } },
      { ...good, body: { ...good.body, photoHash: "zz" } }, { ...good, body: { ...good.body, operator: { method: "fingerprint", ref: "张三" } } },
      { ...good, sig: "00" }, { ...good, at: "yesterday" }, { ...good, device: { $ne: null } }, { ...good, body: "x".repeat(10_000) },
    ];
    const r = await send(device.credential, wrong);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect((r.body.results as Array<{ status: string; code: string }>).every((f) => f.status === "refused" && f.code === "MESSAGE_INVALID")).to.equal(true);
    for (const [raw, status, code] of [
      ["{not json", 400, "MALFORMED_JSON"],
      [JSON.stringify({ messages: "all of them" }), 400, "VALIDATION_FAILED"],
      [JSON.stringify({ messages: [good], more: 1 }), 400, "VALIDATION_FAILED"],
      [JSON.stringify({ messages: Array.from({ length: 501 }, () => 1) }), 400, "VALIDATION_FAILED"],
      [JSON.stringify({ messages: [{ pad: "x".repeat(2_000_000) }] }), 413, "BODY_TOO_LARGE"],
      [`{"messages":[${"[".repeat(100)}${"]".repeat(100)}]}`, 400, "JSON_TOO_DEEP"],
    ] as const) {
      const reply = await send(device.credential, undefined, raw);
      expect([reply.status, reply.body.error?.code]).to.deep.equal([status, code]);
    }
    expect(await logSize()).to.equal(before);
    expect((await deviceView(device.id)).lastN).to.equal(-1);
  });

  it("10,000 messages in bursts of concurrent batches: never a 5xx, each message taken once, and every stamp's records complete", async () => {
    const device = await sealedDevice();
    const total = 10_000;
    const messages = Array.from({ length: total }, (_, n) => (n % 50 === 49 ? message(device, n, "stamp", stamp(n)) : message(device, n, "status", { battery: 50, locked: true })));
    const batches: DeviceMessage[][] = [];
    for (let i = 0; i < total; i += 500) batches.push(messages.slice(i, i + 500));
    // Signing held the event loop for seconds, this process's server's too: let both expire their idle keep-alive
    // sockets before sending, or the client reuses one the server is closing (ECONNRESET, a test artefact).
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Five at once: batches overlap in time and some arrive before earlier ones, as from a device retrying.
    const statuses: number[] = [];
    for (let i = 0; i < batches.length; i += 5) {
      const replies = await Promise.all(batches.slice(i, i + 5).map((b) => send(device.credential, b)));
      statuses.push(...replies.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 200)).to.equal(true);
    // The device retries everything: each message is now accepted once in all, or refused as older than one taken.
    const retried = await Promise.all(batches.map((b) => send(device.credential, b)));
    expect(retried.every((r) => r.status === 200)).to.equal(true);
    const view = await deviceView(device.id);
    expect(view.lastN).to.equal(total - 1);
    const stamps = (await recordsOf(svc, co.id, "seal.stamped")).filter((x) => x.data.device === device.id);
    const ns = stamps.map((x) => x.data.n as number);
    expect(new Set(ns).size).to.equal(ns.length);
    const alerts = (await recordsOf(svc, co.id, "alert.raised")).filter((x) => x.data.device === device.id && x.data.code === "UNAUTHORIZED_STAMP");
    expect(alerts.map((x) => x.data.n).sort()).to.deep.equal([...ns].sort());
  });
});
