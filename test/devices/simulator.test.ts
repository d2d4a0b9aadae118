// `sealproof device keygen` and `sealproof device simulate`, run as a user runs them (the CLI in a child process):
// against the real service over MQTT (broker address from /.well-known/sealproof.json) and over HTTPS, and against a
// forging service whose commands are not signed with the command key it publishes, which the simulator never obeys.
import fs from "node:fs";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { jsonClient, type Call } from "../helpers/service";
import { createCompany, ok, physicalSeal, type TestCompany } from "../helpers/company";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";
import { sealproof } from "../helpers/cli";
import { wellKnown } from "./mqtt-device";
import { unlockedDevice } from "./helpers";
import { generateSm2KeyPair } from "../../service/evidence";
import { signDeviceMessage, type DeviceMessage } from "../../service/evidence/device-message";

describe("devices: the device simulator (sealproof device)", function () {
  this.timeout(300_000);
  let dir: string;
  let svc: ServiceProcess;
  let call: Call;
  let co: TestCompany;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-simulator-"));
    svc = await startServiceProcess(path.join(dir, "data"), { http: await freePort(), chain: await freePort() });
    call = jsonClient(svc.url).call;
    co = await createCompany({ call }, PROCESS_OPERATOR_TOKEN);
    await wellKnown(call);
  });
  after(async () => {
    await svc?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A key made by `device keygen`, a device enrolled with it holding a physical seal, and its credential in a file. */
  async function simulatedDevice(name: string): Promise<{ id: string; seal: string; keyFile: string; credential: string; args: string[] }> {
    const key = path.join(dir, `${name}.json`);
    const made = await sealproof(["device", "keygen", "--out", key]);
    expect(made.status, made.stderr).to.equal(0);
    const publicKey = /public key \(enrol the device with it\): (04[0-9a-f]{128})/.exec(made.stdout)![1];
    const enrolled = await ok(call("POST", "/api/v1/devices", { token: co.admin.token, body: { serial: `SIM-${name}`, model: "simulator", publicKey } }));
    const seal = await physicalSeal({ call }, co, enrolled.device.id);
    const credentialFile = path.join(dir, `${name}.credential`);
    fs.writeFileSync(credentialFile, `${enrolled.credential.secret}\n`, { mode: 0o600 });
    return { id: enrolled.device.id, seal, keyFile: key, credential: enrolled.credential.secret, args: ["--device", enrolled.device.id, "--credential-file", credentialFile, "--key", key, "--url", svc.url] };
  }
  const simulate = async (args: string[]) => {
    const run = await sealproof(["device", "simulate", ...args]);
    expect(run.status, `${run.stdout}\n${run.stderr}`).to.equal(0);
    return run.stdout;
  };
  const deviceView = (id: string) => ok(call("GET", `/api/v1/devices/${id}`, { token: co.admin.token }));
  type Stamped = { type: string; data: { [key: string]: unknown } };
  const stampsOf = async (id: string): Promise<Stamped[]> =>
    ((await ok(call("GET", "/api/v1/records?limit=1000", { token: co.admin.token }))).records as Stamped[]).filter((r) => r.type === "seal.stamped" && r.data.device === id);
  const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    for (const start = Date.now(); ; await new Promise((r) => setTimeout(r, 100))) {
      const value = await read();
      if (done(value) || Date.now() - start > 20_000) return value;
    }
  };

  it("--help explains keygen and simulate; keygen refuses to overwrite its file", async () => {
    const help = await sealproof(["device", "--help"]);
    expect(help.stdout).to.include("sealproof device keygen --out FILE").and.include("--offline-for SEC").and.include("--unauthorized");
    const simulateHelp = await sealproof(["device", "simulate", "--help"]);
    expect([simulateHelp.status, simulateHelp.stdout.includes("--credential-file FILE")]).to.deep.equal([0, true]);
    const key = path.join(dir, "twice.json");
    expect((await sealproof(["device", "keygen", "--out", key])).status).to.equal(0);
    const again = await sealproof(["device", "keygen", "--out", key]);
    expect([again.status, again.stderr]).to.deep.equal([2, `sealproof device: ${key} exists; choose another file\n\n${help.stdout}`]);
  });

  it("over MQTT: stays shut without an authorization; an unauthorized stamp is recorded, the signed lock obeyed and acknowledged", async () => {
    const device = await simulatedDevice("mqtt");
    const shut = await simulate([...device.args, "--stamps", "1"]);
    expect(shut).to.match(/connected to mqtt:\/\/127\.0\.0\.1:\d+ as d_/).and.include("→ n=0 hello: accepted").and.include("the seal stays shut");
    const forced = await simulate([...device.args, "--stamps", "1", "--unauthorized"]);
    expect(forced).to.include("→ n=2 stamp stampNo=1: accepted").and.match(/← command n=0 lock \(signed by the platform\): obeyed, the seal is locked/).and.match(/→ n=3 ack: accepted/);
    const view = await deviceView(device.id);
    expect([view.status, view.lastStampNo, view.lastN]).to.deep.equal(["locked", 1, 3]);
  });

  it("through a real unlock with a geofence: stamps at the fence's centre are authorized with a location commitment; --outside-geofence is recorded unauthorized and locks the seal", async () => {
    const device = await simulatedDevice("fenced");
    const keys = JSON.parse(fs.readFileSync(device.keyFile, "utf8")) as { privateKey: string; publicKey: string };
    const fence = { lat: 31.2304, lng: 121.4737, radiusM: 200 };
    const unlocked = await unlockedDevice({ call }, co, { copies: 2, geofence: fence }, { device: { id: device.id, credential: device.credential, keys, commandPublicKey: "" }, seal: device.seal });
    const inside = await simulate([...device.args, "--stamps", "1"]);
    expect(inside).to.match(/← command n=0 unlock \(signed by the platform\): obeyed, 2 stamp\(s\) authorized until .* within 200 m of 31\.2304, 121\.4737/).and.include("stamp stampNo=1: accepted");
    const outside = await simulate([...device.args, "--stamps", "1", "--outside-geofence"]);
    expect(outside).to.include("stamp stampNo=2: accepted").and.match(/← command n=1 lock \(signed by the platform\): obeyed, the seal is locked/);
    const stamped = await eventually(() => stampsOf(device.id), (r) => r.length === 2);
    expect(stamped.map((r) => [r.data.authorized, r.data.reasons, r.data.inGeofence, r.data.receipt])).to.deep.equal([
      [true, [], true, unlocked.receipts[0]],
      [false, ["OUTSIDE_GEOFENCE"], false, null],
    ]);
    for (const r of stamped) expect(r.data.locationCommitment).to.match(/^[0-9a-f]{64}$/);
    expect((await deviceView(device.id)).status).to.equal("locked");
    // Lifted by dual control: the seal opens, and stays shut for stamping without an authorization.
    await ok(call("POST", `/api/v1/devices/${device.id}/unlock`, { token: co.admin.token }));
    await ok(call("POST", `/api/v1/devices/${device.id}/unlock`, { token: co.reviewer.token }));
    const lifted = await simulate([...device.args, "--stamps", "1"]);
    expect(lifted).to.match(/← command n=2 unlock \(signed by the platform\): obeyed, the lock is lifted/).and.include("the seal stays shut: no open authorization").and.include("the seal is unlocked;");
  });

  it("made offline, stamps are sent together on reconnection; a skipped number, a replay and a tamper report each get their fate", async () => {
    const device = await simulatedDevice("offline");
    const out = await simulate([...device.args, "--stamps", "2", "--unauthorized", "--offline-for", "1", "--skip-stamp", "--replay", "--tamper"]);
    expect(out).to.include("offline for 1 s").and.include("stamp stampNo=2: accepted").and.include("stamp stampNo=3: accepted").and.include("tamper: accepted").and.include("status: refused REPLAYED");
    expect((await deviceView(device.id)).lastStampNo).to.equal(3);
  });

  it("over HTTPS: the same device, relayed by a phone", async () => {
    const device = await simulatedDevice("https");
    const out = await simulate([...device.args, "--http", "--stamps", "1", "--unauthorized"]);
    expect(out).to.include("connected over HTTPS").and.include("stamp stampNo=1: accepted").and.include("obeyed, the seal is locked");
  });

  it("never obeys a command that is unsigned, signed with another key, or for another device, and acknowledges none of them", async () => {
    const device = await simulatedDevice("forged");
    const platform = generateSm2KeyPair();
    const command = (n: number, type: string, key: string, to = device.id): DeviceMessage => signDeviceMessage({ v: 1, device: to, n, type, at: new Date().toISOString(), body: { reason: "forged" } }, key);
    const commands = [
      { ...command(0, "lock", platform.privateKey), sig: "00".repeat(64) },
      command(1, "unlock", generateSm2KeyPair().privateKey),
      command(2, "lock", platform.privateKey, "d_SomeoneElse11111"),
      command(3, "config", platform.privateKey),
    ];
    const forger = await forgingService(platform.publicKey, commands);
    try {
      const out = await simulate([...device.args.slice(0, -2), "--url", forger.url, "--http"]);
      expect(out).to.include("← command n=0 lock: REFUSED, not signed with the platform's command key").and.include("← command n=1 unlock: REFUSED").and.include("not for this device");
      expect(out).to.include("← command n=3 config (signed by the platform): noted");
      const acked = forger.received.filter((m) => m.type === "ack").map((m) => m.body.command);
      expect(acked).to.deep.equal([3]);
    } finally {
      forger.server.close();
    }
  });
});

/** A service that publishes `commandPublicKey` and answers every batch by accepting it and handing out `commands`. */
async function forgingService(commandPublicKey: string, commands: DeviceMessage[]): Promise<{ url: string; server: Server; received: DeviceMessage[] }> {
  const received: DeviceMessage[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/sealproof.json") return void res.end(JSON.stringify({ commandPublicKey, mqttUrl: null }));
      const messages = (JSON.parse(body) as { messages: DeviceMessage[] }).messages;
      received.push(...messages);
      res.end(JSON.stringify({ results: messages.map((m, index) => ({ index, n: m.n, status: "accepted" })), commands }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, received };
}
