// Stamp photos, attacker first: an upload whose bytes do not hash to the path, of a stamp no device made, of another
// device's stamp, too large, or not an image is refused and stores nothing; members read only what the policy lets
// them; erasure keeps the hash in the record, records itself and refuses the photo from then on; the public route
// serves only a published scenario's stored photo. Real service over HTTP, real SQLite, real files, real SM2.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { PNG } from "pngjs";
import { startService, type Reply, type TestService } from "../helpers/service";
import { createCompany, enrolDevice, grantBody, ok, physicalSeal, type TestCompany } from "../helpers/company";
import { sm3, toHex } from "../../service/evidence";
import { fileBlobStore } from "../../service/blobs/files";
import { photoBlobKey } from "../../service/devices/photos";
import { recordsOf, stampMessage, unlockedDevice, type UnlockedDevice } from "./helpers";

const DEVICE_MESSAGES = "/api/v1/device-messages";

/** A real PNG, different each time. */
function png(side = 8): Buffer {
  const image = new PNG({ width: side, height: side });
  randomBytes(side * side * 4).copy(image.data);
  return PNG.sync.write(image);
}

/** Bytes a JPEG starts with, then noise: a JPEG as far as its signature goes. */
function jpeg(size = 2_000): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size - 4)]);
}

const hashOf = (bytes: Uint8Array): string => toHex(sm3(bytes));

describe("devices: stamp photos", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  let publicScenario: string;
  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    publicScenario = (await ok(svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: { code: "published", name: "published", sealKinds: ["physical"], sealTypes: ["official"], approval: "dept_head", publicPhotos: true } }))).id;
  });
  after(() => svc.stop());

  /** A device unlocked for `copies` stamps, under the public scenario when `published`. */
  async function device(options: { published?: boolean; copies?: number } = {}): Promise<UnlockedDevice> {
    if (!options.published) return unlockedDevice(svc, co, { copies: options.copies ?? 2 });
    const enrolled = await enrolDevice(svc, co.admin);
    const seal = await physicalSeal(svc, co, enrolled.id);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, seal, [publicScenario]) }));
    const request = { copies: options.copies ?? 2, scenario: publicScenario };
    return unlockedDevice(svc, co, request, { device: enrolled, seal });
  }

  /** The device's next stamp, authorized under its authorization, with this photo hash; returns the stamp's receipt id. */
  async function stamp(d: UnlockedDevice, photoHash: string): Promise<string> {
    const n = d.next++;
    const r = await svc.call("POST", DEVICE_MESSAGES, { token: d.credential, body: { messages: [stampMessage(d, n, n + 1, { authorization: d.authorization, photoHash })] } });
    expect(r.body.results[0].status, JSON.stringify(r.body)).to.equal("accepted");
    const record = (await recordsOf(svc, co.id, "seal.stamped")).find((s) => s.data.device === d.id && s.data.n === n);
    const receipt = record?.data.receipt;
    if (typeof receipt !== "string") throw new Error(`stamp ${n} of ${d.id} was recorded without a receipt`);
    return receipt;
  }

  const upload = (d: { id: string; credential: string }, hash: string, bytes: Uint8Array, type = "image/png"): Promise<Reply> =>
    svc.call("PUT", `/api/v1/devices/${d.id}/photos/${hash}`, { token: d.credential, raw: bytes, headers: { "content-type": type } });
  /** A fresh device's stamp with its photo uploaded, and the photo's route. */
  async function uploadedPhoto(): Promise<{ d: UnlockedDevice; photo: Buffer; hash: string; route: string }> {
    const d = await device();
    const photo = png();
    const hash = hashOf(photo);
    await stamp(d, hash);
    await ok(upload(d, hash, photo));
    return { d, photo, hash, route: `/api/v1/devices/${d.id}/photos/${hash}` };
  }
  const stored = (d: { id: string }, hash: string) => svc.blobs.get(photoBlobKey(d.id, hash));
  const photoState = async (d: { id: string }, hash: string) => (await svc.store.stampMedia.list(co.id, { device: d.id, photoHash: hash })).map((m) => m.photo);

  /** GET as bytes: status, content type, body, and the error code when JSON. */
  async function getBytes(route: string, token?: string): Promise<{ status: number; type: string | null; body: Buffer; code?: string }> {
    const res = await fetch(`${svc.url}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get("content-type");
    return { status: res.status, type, body, code: type?.startsWith("application/json") ? JSON.parse(body.toString()).error?.code : undefined };
  }

  it("takes the device's PNG or JPEG of its own stamp, once: the same upload again answers the same, and members read back the very bytes", async () => {
    const d = await device();
    const photo = png();
    const hash = hashOf(photo);
    await stamp(d, hash);
    const first = await upload(d, hash, photo);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body).to.deep.equal({ device: d.id, photoHash: hash, type: "image/png", bytes: photo.length, stamps: [0] });
    expect(await photoState(d, hash)).to.deep.equal(["stored"]);
    // Kept sealed with the data key: the file holds none of the image's bytes.
    const onDisk = fs.readFileSync(path.join(svc.dataDir, "blobs", "photos", d.id, hash));
    expect(onDisk.includes(photo.subarray(0, 16)) || onDisk.includes(photo.subarray(photo.length - 16))).to.equal(false);
    const again = await upload(d, hash, photo, "application/octet-stream");
    expect(again).to.deep.equal(first);
    const read = await getBytes(`/api/v1/devices/${d.id}/photos/${hash}`, co.auditor.token);
    expect(read.status).to.equal(200);
    expect(read.type).to.equal("image/png");
    expect(read.body.equals(photo)).to.equal(true);

    const photo2 = jpeg();
    await stamp(d, hashOf(photo2));
    expect((await upload(d, hashOf(photo2), photo2, "image/jpeg")).body).to.deep.include({ type: "image/jpeg", stamps: [1] });
    const read2 = await getBytes(`/api/v1/devices/${d.id}/photos/${hashOf(photo2)}`, co.admin.token);
    expect([read2.status, read2.type, read2.body.equals(photo2)]).to.deep.equal([200, "image/jpeg", true]);
  });

  it("refuses bytes that do not hash to the path, storing nothing", async () => {
    const d = await device();
    const photo = png();
    const hash = hashOf(photo);
    await stamp(d, hash);
    const other = png();
    const r = await upload(d, hash, other);
    expect([r.status, r.body.error.code]).to.deep.equal([422, "PHOTO_HASH_MISMATCH"]);
    expect(await stored(d, hash)).to.equal(null);
    expect(await photoState(d, hash)).to.deep.equal(["awaited"]);
  });

  it("refuses a photo no stamp of the device carries, and another device's, storing nothing", async () => {
    const d = await device();
    const photo = png();
    const hash = hashOf(photo);
    const unknown = await upload(d, hash, photo);
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "STAMP_UNKNOWN"]);
    expect(await stored(d, hash)).to.equal(null);

    await stamp(d, hash);
    const intruder = await enrolDevice(svc, co.admin);
    const asOther = await upload({ id: d.id, credential: intruder.credential }, hash, photo);
    expect([asOther.status, asOther.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
    const underOwnId = await upload(intruder, hash, photo);
    expect([underOwnId.status, underOwnId.body.error.code]).to.deep.equal([404, "STAMP_UNKNOWN"]);
    const asMember = await svc.call("PUT", `/api/v1/devices/${d.id}/photos/${hash}`, { token: co.legalRep.token, raw: photo, headers: { "content-type": "image/png" } });
    expect([asMember.status, asMember.body.error.code]).to.deep.equal([401, "UNAUTHENTICATED"]);
    expect(await stored(d, hash)).to.equal(null);
    expect(await stored(intruder, hash)).to.equal(null);
    expect(await photoState(d, hash)).to.deep.equal(["awaited"]);
  });

  it("refuses a body that is neither JPEG nor PNG, even when a stamp carries its hash, storing nothing", async () => {
    const d = await device({ copies: 4 });
    for (const body of [Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), Buffer.from("GIF89a...."), Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(0)]) {
      const hash = hashOf(body);
      await stamp(d, hash);
      const r = await upload(d, hash, body);
      expect([r.status, r.body.error.code], body.toString("hex")).to.deep.equal([415, "PHOTO_NOT_IMAGE"]);
      expect(await stored(d, hash)).to.equal(null);
    }
  });

  it("refuses a photo over the size limit, by its Content-Length or as it streams past, storing nothing", async () => {
    const small = await startService({}, { photos: { blobs: fileBlobStore(`${svc.dataDir}/small-blobs`), maxBytes: 1_000 } });
    try {
      const c = await createCompany(small);
      const d = await unlockedDevice(small, c, { copies: 2 });
      const photo = jpeg(1_001);
      const hash = hashOf(photo);
      await small.call("POST", DEVICE_MESSAGES, { token: d.credential, body: { messages: [stampMessage(d, 0, 1, { authorization: d.authorization, photoHash: hash })] } });
      const declared = await small.call("PUT", `/api/v1/devices/${d.id}/photos/${hash}`, { token: d.credential, raw: photo, headers: { "content-type": "image/jpeg" } });
      expect([declared.status, declared.body.error.code]).to.deep.equal([413, "PHOTO_TOO_LARGE"]);
      const chunked = await putChunked(`${small.url}/api/v1/devices/${d.id}/photos/${hash}`, d.credential, photo);
      expect([chunked.status, JSON.parse(chunked.body).error.code]).to.deep.equal([413, "PHOTO_TOO_LARGE"]);
      expect(await small.blobs.get(photoBlobKey(d.id, hash))).to.equal(null);
      const fits = jpeg(1_000);
      await small.call("POST", DEVICE_MESSAGES, { token: d.credential, body: { messages: [stampMessage(d, 1, 2, { authorization: d.authorization, photoHash: hashOf(fits) })] } });
      expect((await small.call("PUT", `/api/v1/devices/${d.id}/photos/${hashOf(fits)}`, { token: d.credential, raw: fits })).status).to.equal(200);
    } finally {
      await small.stop();
    }
  });

  it("lets the company's records readers and the seal's custodian and reviewer read a photo, and nobody else", async () => {
    const { d, route } = await uploadedPhoto();
    for (const who of [co.legalRep, co.admin, co.auditor, co.custodian, co.reviewer]) expect((await getBytes(route, who.token)).status).to.equal(200);
    for (const who of [co.employee, co.deptHead, co.outsider]) {
      expect(await getBytes(route, who.token)).to.deep.include({ status: 403, code: "FORBIDDEN" });
      // Refused before anything is looked up: whether a photo hash exists is not theirs to learn either.
      expect(await getBytes(`/api/v1/devices/${d.id}/photos/${"0".repeat(64)}`, who.token)).to.deep.include({ status: 403, code: "FORBIDDEN" });
    }
    const stranger = await createCompany(svc);
    expect(await getBytes(route, stranger.legalRep.token)).to.deep.include({ status: 404, code: "NOT_FOUND" });
    expect(await getBytes(route)).to.deep.include({ status: 401, code: "UNAUTHENTICATED" });
    expect(await getBytes(`/api/v1/devices/${d.id}/photos/${"0".repeat(64)}`, co.auditor.token)).to.deep.include({ status: 404, code: "STAMP_UNKNOWN" });
    const awaited = png();
    await stamp(d, hashOf(awaited));
    expect(await getBytes(`/api/v1/devices/${d.id}/photos/${hashOf(awaited)}`, co.auditor.token)).to.deep.include({ status: 404, code: "PHOTO_NOT_UPLOADED" });
  });

  it("erases a photo for the legal representative only: the bytes go, the record keeps the hash, stamp.photo-erased is recorded, and the photo is refused from then on", async () => {
    const { d, photo, hash, route } = await uploadedPhoto();
    for (const who of [co.admin, co.auditor, co.custodian]) expect((await svc.call("POST", `${route}/erasure`, { token: who.token })).body.error.code).to.equal("FORBIDDEN");
    expect(await stored(d, hash)).to.not.equal(null);

    const erased = await svc.call("POST", `${route}/erasure`, { token: co.legalRep.token });
    expect(erased.status, JSON.stringify(erased.body)).to.equal(201);
    expect(await stored(d, hash)).to.equal(null);
    const [record] = (await recordsOf(svc, co.id, "stamp.photo-erased")).filter((r) => r.data.device === d.id);
    expect(record).to.deep.include({ actor: co.legalRep.id, subject: d.seal, data: { device: d.id, photoHash: hash } });
    const [stampRecord] = (await recordsOf(svc, co.id, "seal.stamped")).filter((r) => r.data.device === d.id);
    expect(stampRecord.data.photoHash).to.equal(hash);

    expect(await getBytes(route, co.auditor.token)).to.deep.include({ status: 404, code: "PHOTO_ERASED" });
    const reupload = await upload(d, hash, photo);
    expect([reupload.status, reupload.body.error.code]).to.deep.equal([404, "PHOTO_ERASED"]);
    expect(await stored(d, hash)).to.equal(null);
    const twice = await svc.call("POST", `${route}/erasure`, { token: co.legalRep.token });
    expect([twice.status, twice.body.error.code]).to.deep.equal([404, "PHOTO_ERASED"]);
    expect(await recordsOf(svc, co.id, "stamp.photo-erased")).to.have.length(1);
  });

  it("serves a photo publicly by the stamp's receipt id only when its scenario publishes photos and it is stored and not erased", async () => {
    const published = await device({ published: true, copies: 2 });
    const photo = png();
    const receipt = await stamp(published, hashOf(photo));
    expect(await getBytes(`/api/v1/receipts/${receipt}/photo`)).to.deep.include({ status: 404, code: "PHOTO_NOT_UPLOADED" });
    await ok(upload(published, hashOf(photo), photo));
    const shown = await getBytes(`/api/v1/receipts/${receipt}/photo`);
    expect([shown.status, shown.type, shown.body.equals(photo)]).to.deep.equal([200, "image/png", true]);

    const privateDevice = await device();
    const secret = png();
    const privateReceipt = await stamp(privateDevice, hashOf(secret));
    await ok(upload(privateDevice, hashOf(secret), secret));
    const hidden = await getBytes(`/api/v1/receipts/${privateReceipt}/photo`);
    expect(hidden).to.deep.include({ status: 404, code: "PHOTO_NOT_PUBLIC" });
    expect(hidden.body.includes(secret.subarray(0, 16))).to.equal(false);

    await ok(svc.call("POST", `/api/v1/devices/${published.id}/photos/${hashOf(photo)}/erasure`, { token: co.legalRep.token }));
    expect(await getBytes(`/api/v1/receipts/${receipt}/photo`)).to.deep.include({ status: 404, code: "PHOTO_ERASED" });
    expect(await getBytes(`/api/v1/receipts/${"1".repeat(22)}/photo`)).to.deep.include({ status: 404, code: "NOT_FOUND" });
    expect(await getBytes("/api/v1/receipts/not-a-receipt/photo")).to.deep.include({ status: 400 });
  });

  it("limits the public photo route per client like the other public receipt routes", async () => {
    const limited = await startService({}, { publicRateLimit: 2 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${limited.url}/api/v1/receipts/${"1".repeat(22)}/photo`)).status);
      expect(statuses).to.deep.equal([404, 404, 429]);
    } finally {
      await limited.stop();
    }
  });

  it("describes the upload in OpenAPI as a JPEG or PNG body without Idempotency-Key, and the reads as images", async () => {
    const doc = (await svc.call("GET", "/api/v1/openapi.json")).body;
    const put = doc.paths["/api/v1/devices/{id}/photos/{sm3}"].put;
    expect(Object.keys(put.requestBody.content)).to.deep.equal(["image/jpeg", "image/png"]);
    expect(put.parameters.map((p: { name: string }) => p.name)).to.deep.equal(["id", "sm3"]);
    expect(put.security).to.deep.equal([{ deviceCredential: [] }]);
    expect(Object.keys(doc.paths["/api/v1/receipts/{receiptId}/photo"].get.responses["200"].content)).to.deep.equal(["image/jpeg", "image/png"]);
    expect(doc.paths["/api/v1/devices/{id}/photos/{sm3}/erasure"].post).to.be.an("object");
  });
});

/** A PUT whose body streams in chunks without a Content-Length. */
function putChunked(url: string, token: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "image/jpeg", "transfer-encoding": "chunked" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    for (let i = 0; i < body.length; i += 200) req.write(body.subarray(i, i + 200));
    req.end();
  });
}
