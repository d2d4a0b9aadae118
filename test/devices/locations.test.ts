// Stamp locations and what erasure leaves behind, against a real chain: a disclosure proves the very location the device
// committed to (sealproof verify --disclosure), and fails for a moved location, another stamp's receipt or a changed
// record; erasing the location and the photo records the erasures and leaves every receipt of the company verifying.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { createCompany, ok, type TestCompany } from "../helpers/company";
import { sealproof } from "../helpers/cli";
import { createChainReader } from "../../service/chain/reader";
import { checkLocationDisclosure, formatDeployment, readReceiptView, sm3, toHex, verifyReceipt, verifyReceiptView, type EvidenceRecord, type ReceiptBundle } from "../../service/evidence";
import { photoBlobKey } from "../../service/devices/photos";
import { recordsOf, stampMessage, unlockedDevice, type UnlockedDevice } from "./helpers";

const DEVICE_MESSAGES = "/api/v1/device-messages";
const WHERE = { lat: 31.2304, lng: 121.4737, accuracyM: 12 };

describe("devices: stamp locations, disclosure and erasure", function () {
  this.timeout(180_000);
  let anchored: AnchoredService;
  let co: TestCompany;
  let dir: string;
  before(async () => {
    anchored = await startAnchoredService();
    co = await createCompany(anchored.svc);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-disclosure-"));
  });
  after(async () => {
    await anchored.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call: AnchoredService["svc"]["call"] = (...args) => anchored.svc.call(...args);
  /** The device's next stamp, authorized, made at `location`; its message number. */
  async function stamp(d: UnlockedDevice, options: { location?: typeof WHERE | null; photoHash?: string } = {}): Promise<number> {
    const n = d.next++;
    const r = await call("POST", DEVICE_MESSAGES, { token: d.credential, body: { messages: [stampMessage(d, n, n + 1, { authorization: d.authorization, location: options.location === undefined ? WHERE : options.location, photoHash: options.photoHash })] } });
    expect(r.body.results[0].status, JSON.stringify(r.body)).to.equal("accepted");
    return n;
  }
  const disclose = (d: { id: string }, n: number, token = co.auditor.token) => call("GET", `/api/v1/devices/${d.id}/stamps/${n}/location`, { token });
  const cli = (disclosure: unknown) => {
    const file = path.join(dir, `${randomBytes(4).toString("hex")}.json`);
    fs.writeFileSync(file, JSON.stringify(disclosure));
    return sealproof(["verify", "--disclosure", file, "--rpc", anchored.chain.rpcUrl, "--deployment", formatDeployment(anchored.deployment)]);
  };

  it("discloses a stamp's location once anchored, as a file sealproof verify --disclosure proves against the chain", async () => {
    const d = await unlockedDevice(anchored.svc, co, { copies: 2 });
    const n = await stamp(d);
    const early = await disclose(d, n);
    expect([early.status, early.body.error.code]).to.deep.equal([409, "STAMP_NOT_ANCHORED"]);
    await anchored.anchorAll();
    const disclosure = await ok(disclose(d, n));
    expect(disclosure).to.deep.include({ format: "sealproof-location-disclosure/1", device: d.id, n, location: WHERE });
    expect(disclosure.receipt.record).to.deep.include({ type: "seal.stamped" });
    expect(disclosure.deviceReceipt.record).to.deep.include({ type: "device.registered", subject: d.id });
    expect(disclosure.companyReceipt.record).to.deep.include({ type: "company.registered" });
    expect(JSON.stringify(disclosure.receipt)).to.not.contain(String(WHERE.lat));
    expect((await ok(disclose(d, n, co.legalRep.token))).salt).to.equal(disclosure.salt);

    const run = await cli(disclosure);
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.contain("✔ signature");
    expect(run.stdout).to.contain("VERIFIED: the stamp's record is anchored and signed by its device, and the disclosed location is where it was made.");
  });

  it("fails a disclosure whose location was moved, whose receipt is another stamp's, or whose record was changed to fit", async () => {
    const d = await unlockedDevice(anchored.svc, co, { copies: 2 });
    const first = await stamp(d);
    const second = await stamp(d, { location: { lat: 39.9042, lng: 116.4074, accuracyM: 8 } });
    await anchored.anchorAll();
    const disclosure = await ok(disclose(d, first));
    const other = await ok(disclose(d, second));

    const moved = await cli({ ...disclosure, location: { ...WHERE, lat: WHERE.lat + 0.01 } });
    expect(moved.status).to.equal(1);
    expect(moved.stdout).to.contain("✔ signature");
    expect(moved.stdout).to.contain("FAILED: LOCATION_MISMATCH");

    const otherReceipt = await cli({ ...disclosure, receipt: other.receipt });
    expect(otherReceipt.status).to.equal(1);
    expect(otherReceipt.stdout).to.contain("FAILED: STAMP_MISMATCH");

    // A forger who moves the location rewrites the commitment to match it; the record then no longer hashes to its anchored leaf.
    const fake = { lat: 22.5431, lng: 114.0579, accuracyM: 5 };
    const { locationCommitment } = await import("../../service/evidence/stamp");
    const salt = randomBytes(16);
    const record = { ...disclosure.receipt.record, data: { ...disclosure.receipt.record.data, locationCommitment: locationCommitment(salt, fake) } };
    const forged = await cli({ ...disclosure, location: fake, salt: salt.toString("hex"), receipt: { ...disclosure.receipt, record } });
    expect(forged.status).to.equal(1);
    expect(forged.stdout).to.contain("LEAF_MISMATCH");
    expect(forged.stdout).to.contain("not judged");
    expect(forged.stdout).to.contain("FAILED: LEAF_MISMATCH");

    const malformed = await cli({ ...disclosure, salt: "zz" });
    expect(malformed.status).to.equal(2);
  });

  it("says which stamps keep no location, and keeps others' stamps from another company", async () => {
    const d = await unlockedDevice(anchored.svc, co, { copies: 1 });
    const n = await stamp(d, { location: null });
    const none = await disclose(d, n);
    expect([none.status, none.body.error.code]).to.deep.equal([404, "LOCATION_NOT_KEPT"]);
    const stranger = await createCompany(anchored.svc);
    const foreign = await disclose(d, n, stranger.auditor.token);
    expect([foreign.status, foreign.body.error.code]).to.deep.equal([404, "NOT_FOUND"]);
  });

  it("erases a stamp's location and photo, recording both, and every receipt of the company still verifies", async () => {
    const { svc } = anchored;
    const d = await unlockedDevice(svc, co, { copies: 2 });
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(500)]);
    const hash = toHex(sm3(photo));
    const n = await stamp(d, { photoHash: hash });
    await ok(call("PUT", `/api/v1/devices/${d.id}/photos/${hash}`, { token: d.credential, raw: photo, headers: { "content-type": "image/jpeg" } }));
    await anchored.anchorAll();
    const before = await ok(disclose(d, n));

    const refused = await call("POST", `/api/v1/devices/${d.id}/stamps/${n}/location/erasure`, { token: co.auditor.token });
    expect([refused.status, refused.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
    const erased = await call("POST", `/api/v1/devices/${d.id}/stamps/${n}/location/erasure`, { token: co.legalRep.token });
    expect(erased.status, JSON.stringify(erased.body)).to.equal(201);
    expect(erased.body).to.deep.include({ device: d.id, n });
    expect(await svc.store.stampLocations.get(`${d.id}:${n}`)).to.equal(null);
    const gone = await disclose(d, n);
    expect([gone.status, gone.body.error.code]).to.deep.equal([404, "LOCATION_ERASED"]);
    const twice = await call("POST", `/api/v1/devices/${d.id}/stamps/${n}/location/erasure`, { token: co.legalRep.token });
    expect([twice.status, twice.body.error.code]).to.deep.equal([404, "LOCATION_ERASED"]);
    await ok(call("POST", `/api/v1/devices/${d.id}/photos/${hash}/erasure`, { token: co.legalRep.token }));
    expect(await svc.blobs.get(photoBlobKey(d.id, hash))).to.equal(null);

    const [locationErased] = (await recordsOf(svc, co.id, "stamp.location-erased")).filter((r) => r.data.device === d.id);
    expect(locationErased).to.deep.include({ actor: co.legalRep.id, subject: d.seal, data: { device: d.id, n } });
    expect(JSON.stringify(locationErased)).to.not.contain(String(WHERE.lat));
    await anchored.anchorAll();

    // The disclosure made before the erasure still proves the location: the commitment is anchored for good.
    expect((await cli(before)).status).to.equal(0);
    const receipts = await allReceipts();
    expect(receipts.map((r) => r.record.type)).to.include.members(["seal.stamped", "stamp.location-erased", "stamp.photo-erased"]);
    const stampRecord = receipts.find((r) => r.record.type === "seal.stamped" && r.record.data.device === d.id && r.record.data.n === n);
    expect(stampRecord?.record.data).to.deep.include({ photoHash: hash, locationCommitment: before.receipt.record.data.locationCommitment });
    const provider = new JsonRpcProvider(anchored.chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const reader = createChainReader(provider, anchored.deployment.contract);
      const failed: string[] = [];
      for (const receipt of receipts) {
        const report = await verifyReceipt(receipt, reader, { deployment: anchored.deployment, ...related(receipt.record, receipts) });
        if (!report.ok) failed.push(`${receipt.record.seq} ${receipt.record.type}: ${report.code}`);
        if (report.ok && receipt === stampRecord) expect(checkLocationDisclosure(before, report.record).ok).to.equal(true);
      }
      expect(failed).to.deep.equal([]);
      // And the stamp's public receipt, with its story, as the verify page and sealproof verify judge it.
      const receiptId = stampRecord?.record.data.receipt;
      if (typeof receiptId !== "string") throw new Error("the authorized stamp has no receipt id");
      const view = await verifyReceiptView(readReceiptView(await ok(call("GET", `/api/v1/receipts/${receiptId}`))), reader, { deployment: anchored.deployment, receiptId });
      expect([view.ok, view.code]).to.deep.equal([true, null]);
    } finally {
      provider.destroy();
    }
  });

  /** Every anchored receipt of the company, as a records reader pages through them. */
  async function allReceipts(): Promise<ReceiptBundle[]> {
    const found: ReceiptBundle[] = [];
    let from: number | null = 0;
    while (from !== null) {
      const page: { receipts: Array<{ status: string; receipt?: ReceiptBundle }>; nextFromSeq: number | null } = await ok(call("GET", `/api/v1/receipts?fromSeq=${from}&limit=500`, { token: co.legalRep.token }));
      for (const item of page.receipts) if (item.receipt) found.push(item.receipt);
      from = page.nextFromSeq;
    }
    return found;
  }
});

/** The registration receipts a record's signature check needs: the seal's for a usage, the device's for a stamp. */
function related(record: EvidenceRecord, receipts: ReceiptBundle[]): { sealReceipt?: ReceiptBundle; deviceReceipt?: ReceiptBundle } {
  const registration = (type: string, subject: unknown) => receipts.find((r) => r.record.type === type && r.record.subject === subject);
  if (record.type === "seal.used") return { sealReceipt: registration("seal.registered", record.subject) };
  if (record.type === "seal.stamped") return { deviceReceipt: registration("device.registered", record.data.device) };
  return {};
}
