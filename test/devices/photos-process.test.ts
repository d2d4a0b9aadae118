// The service as `npm start` runs it (the built bundle, its own DATA_DIR): a device's photo is kept sealed under
// DATA_DIR/blobs, reads back after a restart (the data key is DATA_DIR's), and PHOTO_MAX_BYTES bounds uploads.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";
import { jsonClient } from "../helpers/service";
import { createCompany, enrolDevice, ok, physicalSeal } from "../helpers/company";
import { sm3, toHex } from "../../service/evidence";
import { stampMessage } from "./helpers";

describe("devices: stamp photos in the service process", function () {
  this.timeout(180_000);
  let dataDir: string;
  let service: ServiceProcess | null = null;
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-photos-process-"));
  });
  after(async () => {
    await service?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps an uploaded photo sealed under DATA_DIR, readable after a restart, and refuses one over PHOTO_MAX_BYTES", async () => {
    const ports = { http: await freePort(), chain: await freePort() };
    const env = { PHOTO_MAX_BYTES: "4096" };
    service = await startServiceProcess(dataDir, ports, env);
    const client = jsonClient(service.url);
    const co = await createCompany(client, PROCESS_OPERATOR_TOKEN);
    const device = await enrolDevice(client, co.admin);
    await physicalSeal(client, co, device.id);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4000)]);
    const hash = toHex(sm3(photo));
    const tooLarge = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4093)]);
    await ok(client.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [stampMessage(device, 0, 1, { photoHash: hash }), stampMessage(device, 1, 2, { photoHash: toHex(sm3(tooLarge)) })] } }));

    const refused = await client.call("PUT", `/api/v1/devices/${device.id}/photos/${toHex(sm3(tooLarge))}`, { token: device.credential, raw: tooLarge, headers: { "content-type": "image/jpeg" } });
    expect([refused.status, refused.body.error?.code]).to.deep.equal([413, "PHOTO_TOO_LARGE"]);
    expect((await client.call("PUT", `/api/v1/devices/${device.id}/photos/${hash}`, { token: device.credential, raw: photo, headers: { "content-type": "image/jpeg" } })).status).to.equal(200);
    const file = path.join(dataDir, "blobs", "photos", device.id, hash);
    expect(fs.readFileSync(file).includes(photo.subarray(100, 132))).to.equal(false);
    expect(fs.existsSync(path.join(dataDir, "blobs", "photos", device.id, toHex(sm3(tooLarge))))).to.equal(false);

    await service.stop();
    service = await startServiceProcess(dataDir, ports, env);
    const res = await fetch(`${service.url}/api/v1/devices/${device.id}/photos/${hash}`, { headers: { authorization: `Bearer ${co.auditor.token}` } });
    expect([res.status, res.headers.get("content-type")]).to.deep.equal([200, "image/jpeg"]);
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).to.equal(true);
  });
});
