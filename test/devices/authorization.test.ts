// Unlock after dual custody and the stamps it authorizes, attacker first: a stamp under another device's
// authorization, an expired, withdrawn or exhausted one, a receipt id used twice or never reserved, a stamp outside
// the geofence or with its location withheld or altered. Real SM2 keys, the real service over HTTP, a clock the test moves.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { createChainReader } from "../../service/chain/reader";
import { startService, type Reply, type TestService } from "../helpers/service";
import { createCompany, enrolDevice, ok, requestUse, type TestCompany } from "../helpers/company";
import { sm2Verify, sm3, toHex, utf8, verifyReceipt } from "../../service/evidence";
import { deviceMessageBytes, type DeviceMessage } from "../../service/evidence/device-message";
import { checkStamp, stampMessageFromRecord } from "../../service/evidence/stamp";
import { deviceMessage, recordsOf, stampMessage, unlockedDevice, type UnlockedDevice } from "./helpers";
import type { EvidenceRecord } from "../../service/evidence";
import { authorizationExpiry } from "../../service/devices/authorization-expiry";
import { sealproof } from "../helpers/cli";

const DEVICE_MESSAGES = "/api/v1/device-messages";
const SHANGHAI = { lat: 31.2304, lng: 121.4737 };

describe("devices: unlock after dual custody, and the stamps it authorizes", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  /** How far the service's clock runs ahead of the real one. */
  let ahead = 0;
  const now = () => new Date(Date.now() + ahead);
  before(async () => {
    svc = await startService({ now });
    co = await createCompany(svc);
  });
  afterEach(() => (ahead = 0));
  after(() => svc.stop());

  const send = (device: UnlockedDevice, messages: unknown[]): Promise<Reply> => svc.call("POST", DEVICE_MESSAGES, { token: device.credential, body: { messages } });
  const stamps = async (device: string) => (await recordsOf(svc, co.id, "seal.stamped")).filter((r) => r.data.device === device);
  const verdicts = async (device: string) => (await stamps(device)).map((r) => [r.data.authorized, r.data.reasons, r.data.receipt]);
  const authorizationOf = (device: UnlockedDevice) => ok(svc.call("GET", `/api/v1/authorizations/${device.authorization}`, { token: co.employee.token }));
  const deviceView = (id: string) => ok(svc.call("GET", `/api/v1/devices/${id}`, { token: co.admin.token }));
  /** Sends the device's next stamp and expects it accepted. */
  async function stampAs(device: UnlockedDevice, stampNo: number, options: Parameters<typeof stampMessage>[3] = {}): Promise<Reply> {
    const r = await send(device, [stampMessage(device, device.next++, stampNo, { authorization: device.authorization, ...options })]);
    expect(r.body.results[0].status, JSON.stringify(r.body)).to.equal("accepted");
    return r;
  }

  it("custody confirmed by reviewer and custodian, in either order, issues one authorization: device.unlock-issued, a signed unlock, and N receipt ids for the requester", async () => {
    const device = await unlockedDevice(svc, co, { copies: 3 });
    const authorization = await authorizationOf(device);
    expect(authorization).to.deep.include({ device: device.id, seal: device.seal, request: device.request, operator: co.employee.id, copies: 3, status: "open", usedReceipts: [], geofence: null });
    expect(new Set(authorization.receipts).size).to.equal(3);
    expect(Date.parse(authorization.validUntil) - Date.parse(authorization.validFrom)).to.equal(2 * 3_600_000);
    const [issued] = (await recordsOf(svc, co.id, "device.unlock-issued")).filter((r) => r.subject === device.id);
    expect(issued.actor).to.equal(co.custodian.id);
    expect(issued.data).to.deep.include({ authorization: device.authorization, request: device.request, seal: device.seal, operator: co.employee.id, copies: 3, geofenced: false });
    // The record names the receipts by hash only: one copy's QR code does not give away the others'.
    expect(issued.data.receiptHashes).to.deep.equal(authorization.receipts.map((r: string) => toHex(sm3(utf8(r)))));
    expect(JSON.stringify(issued.data)).to.not.contain(authorization.receipts[0]);
    const r = await send(device, [deviceMessage(device, device.next++, "hello", { firmware: "1.0" })]);
    const [unlock] = r.body.commands as DeviceMessage[];
    expect([unlock.type, unlock.body.authorization, unlock.body.copies, unlock.body.receipts]).to.deep.equal(["unlock", device.authorization, 3, authorization.receipts]);
    expect(sm2Verify(deviceMessageBytes(unlock), unlock.sig, device.commandPublicKey)).to.equal(true);
    // Confirming again changes nothing and issues nothing more.
    const again = await ok(svc.call("POST", `/api/v1/requests/${device.request}/confirm-custody`, { token: co.custodian.token }));
    expect(again.authorization).to.equal(device.authorization);
    expect((await recordsOf(svc, co.id, "device.unlock-issued")).filter((x) => x.subject === device.id)).to.have.length(1);
  });

  it("the first confirmation alone issues nothing, whichever of the two gives it", async () => {
    const other = await unlockedDevice(svc, co);
    const request = await requestUse(svc, co.employee, other.seal, co.scenarios.deptHead);
    await ok(svc.call("POST", `/api/v1/requests/${request}/approve`, { token: co.legalRep.token }));
    const first = await ok(svc.call("POST", `/api/v1/requests/${request}/confirm-custody`, { token: co.custodian.token }));
    expect(first.authorization).to.equal(undefined);
    const second = await ok(svc.call("POST", `/api/v1/requests/${request}/confirm-custody`, { token: co.reviewer.token }));
    expect(second.authorization).to.match(/^au_/);
  });

  it("stamps under the authorization are authorized, each under the receipt scanned or else the next unused one, without a lock or an alert", async () => {
    const device = await unlockedDevice(svc, co, { copies: 2 });
    await stampAs(device, 1, { receipt: device.receipts[1] });
    await stampAs(device, 2);
    expect(await verdicts(device.id)).to.deep.equal([[true, [], device.receipts[1]], [true, [], device.receipts[0]]]);
    expect((await authorizationOf(device)).usedReceipts).to.deep.equal([device.receipts[1], device.receipts[0]]);
    expect((await deviceView(device.id)).status).to.equal("active");
    expect((await recordsOf(svc, co.id, "alert.raised")).filter((x) => x.data.device === device.id)).to.deep.equal([]);
    // The public receipt route finds an authorized stamp by the copy's receipt id.
    expect((await svc.call("GET", `/api/v1/receipts/${device.receipts[1]}`)).status).to.equal(200);
  });

  it("an exhausted authorization covers no further stamp: unauthorized, locked, alerted", async () => {
    const device = await unlockedDevice(svc, co, { copies: 1 });
    await stampAs(device, 1);
    await stampAs(device, 2);
    expect(await verdicts(device.id)).to.deep.equal([[true, [], device.receipts[0]], [false, ["AUTHORIZATION_EXHAUSTED"], null]]);
    expect((await deviceView(device.id)).status).to.equal("locked");
    expect((await recordsOf(svc, co.id, "alert.raised")).filter((x) => x.data.device === device.id).map((x) => x.data.code)).to.deep.equal(["UNAUTHORIZED_STAMP"]);
  });

  it("a receipt id is used once: the same receipt again, or one the authorization never reserved, is unauthorized", async () => {
    const device = await unlockedDevice(svc, co, { copies: 3 });
    await stampAs(device, 1, { receipt: device.receipts[0] });
    await stampAs(device, 2, { receipt: device.receipts[0] });
    const other = await unlockedDevice(svc, co, { copies: 2 });
    await stampAs(other, 1, { receipt: device.receipts[1] });
    expect(await verdicts(device.id)).to.deep.equal([[true, [], device.receipts[0]], [false, ["RECEIPT_USED"], null]]);
    expect(await verdicts(other.id)).to.deep.equal([[false, ["RECEIPT_NOT_RESERVED"], null]]);
    expect((await authorizationOf(device)).usedReceipts).to.deep.equal([device.receipts[0]]);
    expect((await svc.store.records.getByReceipt(device.receipts[0]))?.record.type).to.equal("seal.stamped");
  });

  it("a stamp under another device's authorization is unauthorized and uses none of its receipts", async () => {
    const victim = await unlockedDevice(svc, co, { copies: 2 });
    const thief = await unlockedDevice(svc, co, { copies: 1 });
    await stampAs(thief, 1, { authorization: victim.authorization, receipt: victim.receipts[0] });
    expect(await verdicts(thief.id)).to.deep.equal([[false, ["AUTHORIZATION_OTHER_DEVICE"], null]]);
    expect((await authorizationOf(victim)).usedReceipts).to.deep.equal([]);
    expect((await deviceView(thief.id)).status).to.equal("locked");
    // Another company's authorization is one this device's company never issued.
    const elsewhere = await createCompany(svc);
    const foreign = await unlockedDevice(svc, elsewhere);
    await stampAs(thief, 2, { authorization: foreign.authorization });
    expect((await verdicts(thief.id))[1]).to.deep.equal([false, ["DEVICE_LOCKED", "AUTHORIZATION_UNKNOWN"], null]);
  });

  it("an expired authorization is cancelled on the device when it next speaks; a stamp made in the window and synced late still counts, one made after does not", async () => {
    const device = await unlockedDevice(svc, co, { copies: 2, windowMinutes: 5 });
    const inWindow = new Date(Date.now() + 60_000);
    ahead = 10 * 60_000;
    const late = await send(device, [stampMessage(device, device.next++, 1, { authorization: device.authorization, at: inWindow }), stampMessage(device, device.next++, 2, { authorization: device.authorization, at: now() })]);
    expect(late.body.results.map((f: { status: string }) => f.status)).to.deep.equal(["accepted", "accepted"]);
    expect(await verdicts(device.id)).to.deep.equal([[true, [], device.receipts[0]], [false, ["OUTSIDE_WINDOW"], null]]);
    const cancel = (late.body.commands as DeviceMessage[]).find((c) => c.type === "unlock-cancel");
    expect(cancel?.body).to.deep.equal({ authorization: device.authorization, reason: "expired" });
    expect((await authorizationOf(device)).status).to.equal("expired");
    const cancelled = (await recordsOf(svc, co.id, "device.unlock-cancelled")).filter((r) => r.subject === device.id);
    expect(cancelled.map((r) => [r.data.authorization, r.data.reason])).to.deep.equal([[device.authorization, "expired"]]);
  });

  it("the expiry job closes an authorization whose window ended and cancels it on its device without the device speaking first", async () => {
    const device = await unlockedDevice(svc, co, { copies: 2, windowMinutes: 5 });
    const other = await unlockedDevice(svc, co, { copies: 1, windowMinutes: 60 });
    const job = authorizationExpiry(svc.store, { commandKey: svc.devices.commandKey, holder: "test", now, log: () => undefined, pollMs: 20 });
    job.start();
    try {
      ahead = 6 * 60_000;
      for (const begun = Date.now(); (await authorizationOf(device)).status === "open"; await new Promise((r) => setTimeout(r, 20))) {
        if (Date.now() - begun > 5_000) throw new Error("the authorization is still open 5 s after its window ended");
      }
    } finally {
      await job.stop();
    }
    const cancelled = (await recordsOf(svc, co.id, "device.unlock-cancelled")).filter((r) => r.subject === device.id || r.subject === other.id);
    expect(cancelled.map((r) => [r.subject, r.actor, r.data.authorization, r.data.reason])).to.deep.equal([[device.id, "service", device.authorization, "expired"]]);
    expect((await authorizationOf(other)).status).to.equal("open");
    // What the device is handed next (and the outbox publishes, retained, on its MQTT down topic): the signed cancel.
    const r = await send(device, [deviceMessage(device, device.next++, "hello", { firmware: "1.0" })]);
    const cancel = (r.body.commands as DeviceMessage[]).find((c) => c.type === "unlock-cancel");
    expect(cancel?.body).to.deep.equal({ authorization: device.authorization, reason: "expired" });
    expect(sm2Verify(deviceMessageBytes(cancel!), cancel!.sig, device.commandPublicKey)).to.equal(true);
    expect((await recordsOf(svc, co.id, "device.unlock-cancelled")).filter((c) => c.subject === device.id)).to.have.length(1);
  });

  it("a stamp dated far ahead of the service's clock is outside the window", async () => {
    const device = await unlockedDevice(svc, co);
    await stampAs(device, 1, { at: new Date(Date.now() + 30 * 60_000) });
    expect(await verdicts(device.id)).to.deep.equal([[false, ["OUTSIDE_WINDOW"], null]]);
  });

  it("a withdrawn authorization is cancelled on the device, and covers no stamp made after; withdrawing it again is refused", async () => {
    const device = await unlockedDevice(svc, co, { copies: 2 });
    const employee = await svc.call("POST", `/api/v1/authorizations/${device.authorization}/withdraw`, { token: co.employee.token });
    expect([employee.status, employee.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
    const withdrawn = await ok(svc.call("POST", `/api/v1/authorizations/${device.authorization}/withdraw`, { token: co.admin.token }));
    expect(withdrawn.status).to.equal("withdrawn");
    ahead = 1000;
    const r = await stampAs(device, 1);
    expect((r.body.commands as DeviceMessage[]).map((c) => [c.type, c.body.authorization ?? null])).to.deep.include(["unlock-cancel", device.authorization]);
    expect(await verdicts(device.id)).to.deep.equal([[false, ["AUTHORIZATION_WITHDRAWN"], null]]);
    const again = await svc.call("POST", `/api/v1/authorizations/${device.authorization}/withdraw`, { token: co.admin.token });
    expect([again.status, again.body.error.code]).to.deep.equal([409, "AUTHORIZATION_CLOSED"]);
  });

  describe("geofence", () => {
    const fence = { ...SHANGHAI, radiusM: 200 };

    it("a stamp inside the request's geofence is authorized and its location kept outside the log under the device's salt", async () => {
      const device = await unlockedDevice(svc, co, { geofence: fence });
      await stampAs(device, 1, { location: { lat: 31.2310, lng: 121.4740, accuracyM: 15 } });
      const [stamp] = await stamps(device.id);
      expect([stamp.data.authorized, stamp.data.inGeofence]).to.deep.equal([true, true]);
      const [kept] = await svc.store.stampLocations.list(co.id, { device: device.id });
      expect(kept.location).to.deep.equal({ lat: 31.2310, lng: 121.4740, accuracyM: 15 });
      expect(toHex(sm3(Buffer.concat([Buffer.from(kept.salt, "hex"), Buffer.from(JSON.stringify({ accuracyM: 15, lat: 31.231, lng: 121.474 }))])))).to.equal(stamp.data.locationCommitment);
      expect(JSON.stringify(stamp.data)).to.not.contain("31.231");
    });

    it("outside the geofence, with the location withheld, or with a location that does not open the signed commitment: never authorized", async () => {
      const outside = await unlockedDevice(svc, co, { geofence: fence });
      await stampAs(outside, 1, { location: { lat: 31.2400, lng: 121.4737, accuracyM: 10 } });
      const withheld = await unlockedDevice(svc, co, { geofence: fence });
      await stampAs(withheld, 1, { location: null });
      const altered = await unlockedDevice(svc, co, { geofence: fence });
      // The relay swaps the disclosed location for one inside the fence; the device signed a commitment to another.
      const genuine = stampMessage(altered, altered.next++, 1, { authorization: altered.authorization, location: { lat: 31.2400, lng: 121.4737, accuracyM: 10 } });
      await ok(send(altered, [{ ...genuine, location: { ...SHANGHAI, accuracyM: 10, salt: (genuine.location as { salt: string }).salt } }]));
      const imprecise = await unlockedDevice(svc, co, { geofence: fence });
      await stampAs(imprecise, 1, { location: { ...SHANGHAI, accuracyM: 5000 } });
      expect((await stamps(outside.id)).map((r) => [r.data.authorized, r.data.reasons, r.data.inGeofence])).to.deep.equal([[false, ["OUTSIDE_GEOFENCE"], false]]);
      expect((await stamps(withheld.id)).map((r) => [r.data.authorized, r.data.reasons, r.data.inGeofence])).to.deep.equal([[false, ["LOCATION_MISSING"], null]]);
      expect((await stamps(altered.id)).map((r) => [r.data.authorized, r.data.reasons, r.data.inGeofence])).to.deep.equal([[false, ["LOCATION_MISSING"], null]]);
      expect((await stamps(imprecise.id)).map((r) => [r.data.authorized, r.data.reasons, r.data.inGeofence])).to.deep.equal([[false, ["OUTSIDE_GEOFENCE"], false]]);
      expect(await svc.store.stampLocations.list(co.id, { device: altered.id })).to.deep.equal([]);
    });

    it("the seal's geofence applies when the request sets none; only a physical seal has one", async () => {
      const enrolled = await enrolDevice(svc, co.admin);
      const fenced = await ok(svc.call("POST", "/api/v1/seals", { token: co.admin.token, body: { kind: "physical", type: "official", name: "公章", device: enrolled.id, custodian: co.custodian.id, reviewer: co.reviewer.id, geofence: fence } }));
      expect(fenced.geofence).to.deep.equal(fence);
      const device = await unlockedDevice(svc, co, {}, { device: enrolled, seal: fenced.id });
      expect((await authorizationOf(device)).geofence).to.deep.equal(fence);
      await stampAs(device, 1, { location: { lat: 31.2400, lng: 121.4737, accuracyM: 10 } });
      expect(await verdicts(device.id)).to.deep.equal([[false, ["OUTSIDE_GEOFENCE"], null]]);
      const [issued] = (await recordsOf(svc, co.id, "device.unlock-issued")).filter((r) => r.subject === device.id);
      expect(issued.data.geofenced).to.equal(true);
      const electronic = await svc.call("POST", "/api/v1/seals", { token: co.admin.token, body: { kind: "electronic", type: "official", name: "e", publicKey: co.seal.publicKey, geofence: fence } });
      expect([electronic.status, electronic.body.error.code]).to.deep.equal([422, "SEAL_FIELDS_INVALID"]);
    });
  });

  it("seal.stamped carries the device's signature and every signed field: the stamp message rebuilt from the record verifies with the key in device.registered", async () => {
    const device = await unlockedDevice(svc, co);
    await stampAs(device, 1);
    const [stamp] = await stamps(device.id);
    const rebuilt = stampMessageFromRecord({ ...stamp, v: 1, seq: 0, at: new Date().toISOString() });
    expect(rebuilt).to.not.equal(null);
    const [registered] = (await recordsOf(svc, co.id, "device.registered")).filter((r) => r.subject === device.id);
    expect(sm2Verify(deviceMessageBytes(rebuilt!.message), rebuilt!.signature, registered.data.publicKey as string)).to.equal(true);
    const changed = { ...stamp, data: { ...stamp.data, stampNo: 2 }, v: 1, seq: 0, at: "" } as EvidenceRecord;
    const forged = stampMessageFromRecord(changed)!;
    expect(sm2Verify(deviceMessageBytes(forged.message), forged.signature, registered.data.publicKey as string)).to.equal(false);
  });
});

describe("devices: a stamp checked offline from its anchored receipt", function () {
  this.timeout(180_000);
  let anchored: AnchoredService;
  let co: TestCompany;
  before(async () => {
    anchored = await startAnchoredService();
    co = await createCompany(anchored.svc);
  });
  after(() => anchored.stop());

  /** The anchored receipt of the company's one record of `type` about `subject`, as a member reads it. */
  async function receiptOf(type: string, matches: (r: EvidenceRecord) => boolean): Promise<unknown> {
    const record = (await anchored.svc.store.records.list({ company: co.id, fromSeq: 0, limit: 10_000 })).find((r) => r.type === type && matches(r));
    if (record === undefined) throw new Error(`no ${type} record`);
    return (await ok(anchored.svc.call("GET", `/api/v1/records/${record.seq}/receipt`, { token: co.legalRep.token }))).receipt;
  }

  it("verifyReceipt checks the device's signature against its device.registered receipt; a changed stamp, another device's receipt or none fail", async () => {
    const { svc } = anchored;
    const device = await unlockedDevice(svc, co);
    const other = await unlockedDevice(svc, co);
    await ok(svc.call("POST", DEVICE_MESSAGES, { token: device.credential, body: { messages: [stampMessage(device, 0, 1, { authorization: device.authorization })] } }));
    await anchored.anchorAll();
    const stamp = await receiptOf("seal.stamped", (r) => r.data.device === device.id);
    const deviceReceipt = await receiptOf("device.registered", (r) => r.subject === device.id);
    const otherReceipt = await receiptOf("device.registered", (r) => r.subject === other.id);
    const provider = new JsonRpcProvider(anchored.chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const reader = createChainReader(provider, anchored.deployment.contract);
      const verify = (bundle: unknown, related: unknown) => verifyReceipt(bundle, reader, { deployment: anchored.deployment, receiptId: device.receipts[0], deviceReceipt: related });
      const genuine = await verify(stamp, deviceReceipt);
      expect(genuine.ok, JSON.stringify(genuine.steps.filter((s) => !s.ok))).to.equal(true);
      expect(genuine.steps.find((s) => s.step === "signature")?.message).to.contain("device's SM2 signature");
      expect((await verify(stamp, otherReceipt)).code).to.equal("DEVICE_RECEIPT_INVALID");
      expect((await verify(stamp, undefined)).code).to.equal("DEVICE_RECEIPT_MISSING");
      // A record changed after signing and re-hashed into a forged proof still fails on the device's signature.
      const forged = structuredClone(stamp) as { record: EvidenceRecord };
      forged.record.data.photoHash = "cd".repeat(32);
      const check = await checkStamp(forged.record, { related: { deviceReceipt }, verifyRelated: async (r) => ({ record: (await verifyReceipt(r, reader, { deployment: anchored.deployment })).record, deploymentTrusted: true }) });
      expect(check.step.code).to.equal("SIGNATURE_INVALID");
      // The CLI, given a file with the stamp's receipt and its device's registration receipt beside it.
      const file = path.join(anchored.svc.dataDir, "stamp-receipt.json");
      const deployment = `${anchored.deployment.chainId}:${anchored.deployment.contract}`;
      const cli = (bundle: object) => (fs.writeFileSync(file, JSON.stringify(bundle)), sealproof(["verify", file, "--rpc", anchored.chain.rpcUrl, "--deployment", deployment]));
      // A stamp is verified with its story, as the public receipt route bundles it.
      const view = await ok(anchored.svc.call("GET", `/api/v1/receipts/${device.receipts[0]}`));
      const verified = await cli(view);
      expect(verified.status, `${verified.stdout}\n${verified.stderr}`).to.equal(0);
      expect(verified.stdout).to.include("VERIFIED").and.include("AUTHORIZED STAMP: copy 1 of 1");
      const storyless = await cli({ status: "anchored", receipt: stamp, deviceReceipt });
      expect([storyless.status, storyless.stdout.includes("AUTHORIZATION_MISSING"), storyless.stdout.includes("NOT AUTHORIZED")]).to.deep.equal([1, true, true]);
      const missing = await cli({ status: "anchored", receipt: stamp });
      expect([missing.status, missing.stdout.includes("DEVICE_RECEIPT_MISSING")]).to.deep.equal([1, true]);
    } finally {
      provider.destroy();
    }
  });
});
