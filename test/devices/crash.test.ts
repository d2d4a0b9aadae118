// A stamp over MQTT across a SIGKILL of the real service (a child process on its SQLite file): killed while the stamp's
// transaction is written and not committed, or once it is durable and before the device is told. After a restart the
// device sends the same bytes again, as it does until it has a fate: the stamp is recorded exactly once, and a stamp
// acknowledged before an earlier SIGKILL is still there.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { jsonClient, type Call } from "../helpers/service";
import { createCompany, ok, type TestCompany } from "../helpers/company";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";
import { connectDevice, wellKnown, type DownPayload, type MqttDevice } from "./mqtt-device";
import { stampMessage, unlockedDevice, type UnlockedDevice } from "./helpers";
import type { DeviceFailpoint } from "../../service/devices/context";

type Stamped = { type: string; data: { device: string; n: number; authorized: boolean; receipt: string | null } };

describe("devices: SIGKILL between taking a stamp over MQTT and answering it", function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  let running: ServiceProcess | null = null;
  after(async () => {
    await running?.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<{ failpoint: DeviceFailpoint; retried: string }> = [
    { failpoint: "device-messages-applied", retried: "accepted" },
    { failpoint: "device-messages-committed", retried: "duplicate" },
  ];
  for (const { failpoint, retried } of cases) {
    it(`killed at ${failpoint}: the retry is answered ${retried} and the stamp recorded once; the stamp acknowledged before an earlier SIGKILL is kept`, async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-device-crash-"));
      dirs.push(dataDir);
      const ports = { http: await freePort(), chain: await freePort() };
      const env = { MQTT_PORT: String(await freePort()) };
      const start = async (extra: Record<string, string> = {}) => {
        running = await startServiceProcess(dataDir, ports, { ...env, ...extra });
        const { call } = jsonClient(running.url);
        return { call, url: (await wellKnown(call)).mqttUrl };
      };
      const sigkilled = async () => {
        const crashed = running!;
        await crashed.exited;
        expect(crashed.child.signalCode, crashed.output()).to.equal("SIGKILL");
        running = null;
      };

      // Acknowledged, then the process is killed from outside.
      let { call, url } = await start();
      const co = await createCompany({ call }, PROCESS_OPERATOR_TOKEN);
      const device = await unlockedDevice({ call }, co, { copies: 2 });
      const first = stampMessage(device, 0, 1, { authorization: device.authorization, receipt: device.receipts[0] });
      let seal = await connectDevice(url, device);
      const acknowledged = await seal.waitFor((p) => p.results !== undefined, await seal.publish(first));
      expect(acknowledged.results).to.deep.equal([{ index: 0, n: 0, status: "accepted" }]);
      running!.child.kill("SIGKILL");
      await sigkilled();
      seal.client.end(true);

      // Killed by the failpoint while taking the second stamp: the device hears nothing back.
      ({ url } = await start({ SEALPROOF_FAILPOINT: failpoint }));
      const second = stampMessage(device, 1, 2, { authorization: device.authorization, receipt: device.receipts[1] });
      seal = await connectDevice(url, device);
      const mark = await seal.publish(second);
      await sigkilled();
      expect(answersAfter(seal, mark)).to.deep.equal([]);
      seal.client.end(true);

      // Back up: the device sends the second stamp again, byte for byte.
      ({ call, url } = await start());
      seal = await connectDevice(url, device);
      const answer = await seal.waitFor((p) => p.results !== undefined, await seal.publish(second));
      expect(answer.results).to.deep.equal([{ index: 0, n: 1, status: retried }]);
      await seal.leave();

      const stamped = await stampsOf(call, co, device);
      expect(stamped.map((r) => [r.data.n, r.data.authorized, r.data.receipt])).to.deep.equal([[0, true, device.receipts[0]], [1, true, device.receipts[1]]]);
      const authorization = await ok(call("GET", `/api/v1/authorizations/${device.authorization}`, { token: co.employee.token }));
      expect(authorization.usedReceipts).to.deep.equal(device.receipts);
      const view = await ok(call("GET", `/api/v1/devices/${device.id}`, { token: co.admin.token }));
      expect([view.lastN, view.lastStampNo, view.status]).to.deep.equal([1, 2, "active"]);
      await running!.stop();
      running = null;
    });
  }
});

/** Fates the device was sent after `mark`. */
function answersAfter(seal: MqttDevice, mark: number): DownPayload[] {
  return seal.down.slice(mark).filter((p) => p.results !== undefined);
}

/** The device's seal.stamped records, oldest first, once the log lists as many as it has been sent (then no more). */
async function stampsOf(call: Call, co: TestCompany, device: UnlockedDevice): Promise<Stamped[]> {
  const read = async () => {
    const page = await ok(call("GET", "/api/v1/records?limit=1000", { token: co.admin.token }));
    return (page.records as Stamped[]).filter((r) => r.type === "seal.stamped" && r.data.device === device.id);
  };
  for (const begun = Date.now(); (await read()).length < 2 && Date.now() - begun < 20_000; ) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 500));
  return (await read()).sort((a, b) => a.data.n - b.data.n);
}
