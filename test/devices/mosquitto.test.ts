// The same MQTT flow through a real Mosquitto (MQTT_URL): the test starts `mosquitto` on a free port with a password
// file (the service's user, then each device's id and credential as enrolment hands them out) and the ACL the README
// gives. Skipped only when no mosquitto binary is installed (.ci/run installs Debian's).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { jsonClient, type Call } from "../helpers/service";
import { createCompany, enrolDevice, ok, physicalSeal, type TestCompany, type TestDevice } from "../helpers/company";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";
import { connectDevice, refusal, wellKnown } from "./mqtt-device";
import { stampBody } from "./stamp-body";
import { sm2Verify } from "../../service/evidence";
import { deviceMessageBytes, signDeviceMessage } from "../../service/evidence/device-message";
import { deviceTopic } from "../../service/mqtt/topics";

const SERVICE_USER = "sealproof-service";
const ACL = `# the service: every device's up and presence topics in, their down topics out
user ${SERVICE_USER}
topic read sealproof/v1/devices/+/up
topic read sealproof/v1/devices/+/presence
topic write sealproof/v1/devices/+/down

# each device (username = its id): its own topics only
pattern write sealproof/v1/devices/%u/up
pattern write sealproof/v1/devices/%u/presence
pattern read sealproof/v1/devices/%u/down
`;

/** A binary on PATH or in the sbin directories Debian installs daemons into; null when absent. */
function binary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin"];
  return dirs.map((dir) => path.join(dir, name)).find((file) => fs.existsSync(file)) ?? null;
}

describe("devices: MQTT through a real Mosquitto (MQTT_URL)", function () {
  this.timeout(300_000);
  const mosquittoBin = binary("mosquitto");
  const passwdBin = binary("mosquitto_passwd");
  let dir: string;
  let broker: ChildProcess;
  let brokerLog = "";
  let svc: ServiceProcess;
  let call: Call;
  let co: TestCompany;
  let brokerUrl: string;
  const passwords = () => path.join(dir, "passwords");

  before(async function () {
    if (mosquittoBin === null || passwdBin === null) {
      console.log("    mosquitto is not installed: skipped (.ci/run installs it)");
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-mosquitto-"));
    const port = await freePort();
    const servicePassword = `svc-${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(passwords(), "", { mode: 0o600 });
    addUser(SERVICE_USER, servicePassword);
    fs.writeFileSync(path.join(dir, "acl"), ACL, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "service-password"), `${servicePassword}\n`, { mode: 0o600 });
    fs.writeFileSync(
      path.join(dir, "mosquitto.conf"),
      [`listener ${port} 127.0.0.1`, "allow_anonymous false", `password_file ${passwords()}`, `acl_file ${path.join(dir, "acl")}`, "persistence false", `user ${os.userInfo().username}`, "log_dest stderr"].join("\n") + "\n",
    );
    broker = spawn(mosquittoBin, ["-c", path.join(dir, "mosquitto.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    broker.stderr?.on("data", (c: Buffer) => (brokerLog += c.toString()));
    brokerUrl = `mqtt://127.0.0.1:${port}`;
    await until("mosquitto listening", () => brokerLog.includes(`port ${port}`) || brokerLog.includes("running"));
    svc = await startServiceProcess(path.join(dir, "data"), { http: await freePort(), chain: await freePort() }, {
      MQTT_URL: brokerUrl,
      MQTT_USERNAME: SERVICE_USER,
      MQTT_PASSWORD_FILE: path.join(dir, "service-password"),
    });
    call = jsonClient(svc.url).call;
    co = await createCompany({ call }, PROCESS_OPERATOR_TOKEN);
  });
  after(async () => {
    await svc?.stop();
    broker?.kill("SIGTERM");
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function addUser(user: string, password: string): void {
    const run = spawnSync(passwdBin!, ["-b", passwords(), user, password], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`mosquitto_passwd: ${run.stderr}`);
  }
  /** Enrols a device holding a physical seal and gives its credential to the broker, as an operator would. */
  async function brokerDevice(): Promise<TestDevice> {
    const device = await enrolDevice({ call }, co.admin);
    await physicalSeal({ call }, co, device.id);
    addUser(device.id, device.credential);
    const reloads = brokerLog.split("Reloading config").length;
    broker.kill("SIGHUP");
    await until("mosquitto reloaded its password file", () => brokerLog.split("Reloading config").length > reloads);
    return device;
  }
  const deviceView = (id: string) => ok(call("GET", `/api/v1/devices/${id}`, { token: co.admin.token }));
  const until = async (what: string, done: () => boolean, ms = 15_000) => {
    for (const start = Date.now(); !done(); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}\n${brokerLog}`);
    }
  };

  it("publishes the external broker's address, without the service's credential, in /.well-known/sealproof.json", async () => {
    expect((await wellKnown(call)).mqttUrl).to.equal(brokerUrl);
  });

  it("the broker refuses a bad credential; a stamp published on the device's up topic is recorded and answered on its down topic", async () => {
    const device = await brokerDevice();
    expect(await refusal(connectDevice(brokerUrl, device, { password: "dc_wrong" }))).to.match(/Not authorized|Bad username or password/);
    const seal = await connectDevice(brokerUrl, device);
    const answer = await seal.waitFor((p) => p.results !== undefined, await seal.publish([seal.message(0, "hello", { firmware: "1.2.0" }), seal.message(1, "stamp", stampBody(1))]));
    expect(answer.results!.map((r) => [r.n, r.status])).to.deep.equal([[0, "accepted"], [1, "accepted"]]);
    const lock = answer.commands!.find((c) => c.type === "lock")!;
    expect(sm2Verify(deviceMessageBytes(lock), lock.sig, device.commandPublicKey)).to.equal(true);
    const view = await deviceView(device.id);
    expect([view.lastN, view.lastStampNo, view.status, view.presence.connected]).to.deep.equal([1, 1, "locked", true]);
    await seal.leave();
  });

  it("a device can neither publish on another's up topic nor read another's commands through Mosquitto's ACL", async () => {
    const attacker = await connectDevice(brokerUrl, await brokerDevice());
    const victimDevice = await brokerDevice();
    const victim = await connectDevice(brokerUrl, victimDevice);
    // Mosquitto grants the subscription but never delivers what the ACL does not let the user read.
    await attacker.client.subscribeAsync(deviceTopic(victimDevice.id, "down"), { qos: 1 });
    const captured = signDeviceMessage({ v: 1, device: victimDevice.id, n: 0, type: "tamper", at: new Date().toISOString(), body: { kind: "case-opened" } }, victimDevice.keys.privateKey);
    await attacker.client.publishAsync(deviceTopic(victimDevice.id, "up"), JSON.stringify(captured), { qos: 1 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await deviceView(victimDevice.id)).lastN).to.equal(-1);
    // The victim's own tamper report locks it; its lock command reaches the victim only.
    await victim.waitFor((p) => (p.commands ?? []).some((c) => c.type === "lock"), await victim.publish(captured));
    await new Promise((r) => setTimeout(r, 500));
    expect(attacker.down.filter((p) => (p.commands ?? []).some((c) => c.device === victimDevice.id))).to.deep.equal([]);
    await attacker.leave();
    await victim.leave();
  });

  it("a lock issued while the device is offline is retained by Mosquitto and reaches it when it subscribes again", async () => {
    const device = await brokerDevice();
    const first = await connectDevice(brokerUrl, device);
    await first.leave();
    const tamper = signDeviceMessage({ v: 1, device: device.id, n: 0, type: "tamper", at: new Date().toISOString(), body: { kind: "seal-removed" } }, device.keys.privateKey);
    await ok(call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [tamper] } }));
    await new Promise((r) => setTimeout(r, 1_000));
    const back = await connectDevice(brokerUrl, device);
    const waiting = await back.waitFor((p) => p.retained && (p.commands ?? []).some((c) => c.type === "lock"), 0);
    const lock = waiting.commands!.find((c) => c.type === "lock")!;
    expect(sm2Verify(deviceMessageBytes(lock), lock.sig, device.commandPublicKey)).to.equal(true);
    const acked = await back.waitFor((p) => p.results !== undefined, await back.publish(back.message(1, "ack", { command: lock.n, result: "ok" })));
    expect([acked.results![0].status, acked.commands]).to.deep.equal(["accepted", []]);
    await back.leave();
  });
});
