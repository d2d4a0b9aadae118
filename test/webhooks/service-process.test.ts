// The webhook wiring of `npm start`: the real service process, configured by its environment (WEBHOOK_ALLOW_LOOPBACK,
// WEBHOOK_TIMEOUT_MS), delivers a device's alert to a local receiver through its own outbox deliverer, signed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";
import { jsonClient } from "../helpers/service";
import { createCompany, enrolDevice, ok, physicalSeal } from "../helpers/company";
import { signDeviceMessage } from "../../service/evidence/device-message";
import { verifyWebhook } from "../../service/webhooks/signature";
import { startReceiver, until } from "./receiver";

describe("webhooks: the service process delivers", function () {
  this.timeout(120_000);
  let dataDir: string;
  let service: ServiceProcess | null = null;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-webhooks-"));
    service = await startServiceProcess(dataDir, { http: await freePort(), chain: await freePort() }, { WEBHOOK_ALLOW_LOOPBACK: "on", WEBHOOK_TIMEOUT_MS: "2000" });
  });
  after(async () => {
    await service?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a replayed device message's critical alert reaches the subscribed receiver, signed; a private address is refused at creation", async () => {
    const svc = jsonClient(service!.url);
    const co = await createCompany(svc, PROCESS_OPERATOR_TOKEN);
    const receiver = await startReceiver();
    try {
      const hook = await ok(svc.call("POST", "/api/v1/webhooks", { token: co.admin.token, body: { url: receiver.url, severities: ["critical"] } }));
      const refused = await svc.call("POST", "/api/v1/webhooks", { token: co.admin.token, body: { url: "https://10.0.0.5/hooks", severities: ["critical"] } });
      expect([refused.status, refused.body.error.code]).to.deep.equal([422, "WEBHOOK_URL_REFUSED"]);

      const device = await enrolDevice(svc, co.admin);
      await physicalSeal(svc, co, device.id);
      const status = (battery: number) => signDeviceMessage({ v: 1, device: device.id, n: 0, type: "status", at: new Date().toISOString(), body: { battery, locked: true } }, device.keys.privateKey);
      for (const battery of [90, 10]) await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [status(battery)] } }));

      await until("the delivery", () => receiver.accepted.length === 1, 30_000);
      const [got] = receiver.accepted;
      verifyWebhook(hook.secret, String(got.headers["sealproof-signature"]), got.body, new Date());
      expect(JSON.parse(got.body).alert).to.deep.include({ code: "MESSAGE_REPLAYED", device: device.id });
    } finally {
      await receiver.close();
    }
  });
});
