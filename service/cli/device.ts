// `sealproof device keygen` and `sealproof device simulate`: a smart seal in software, its key made here (as a real
// seal makes its own inside), talking to the service over MQTT or HTTPS, and misbehaving on request.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { isSm2PublicKey, sm2PublicKeyOf } from "../evidence";
import { writeNewKeyPair } from "./keygen";
import { CliUsageError, type Command } from "./command";
import { httpLink, mqttLink, type DeviceLink } from "./device-link";
import { loadState, SimulatedSeal, type Misbehaviour } from "./device-simulator";

const HELP = `Usage: sealproof device keygen --out FILE
       sealproof device simulate --device ID --credential-file FILE --key FILE [options]

keygen    Makes a device's SM2 key pair, written to FILE (mode 0600), and prints the public key to enrol the
          device with (POST /api/v1/devices). Refuses to overwrite FILE.

simulate  Acts as the enrolled smart seal: says hello, stamps, and obeys the commands the service sends only
          when the platform's command key (from /.well-known/sealproof.json) signed them. Its message and stamp
          counters are kept in FILE.state.json beside the key. Stamps under the authorization the last unlock
          command gave; locked or without one, the seal stays shut unless --unauthorized.

Options (simulate):
  --device ID             the device id (d_…) given at enrolment
  --credential-file FILE  a file holding the device credential shown at enrolment (never taken as an argument)
  --key FILE              the key file keygen wrote
  --url URL               the service (default: $SEALPROOF_URL or http://127.0.0.1:8080)
  --mqtt URL              the MQTT broker (default: $MQTT_URL, else the service's published mqttUrl)
  --http                  send over HTTPS (a phone relaying the seal) instead of MQTT
  --stamps N              stamp N times (default 0)
  --unauthorized          stamp without an authorization, even when locked (the service records it and locks)
  --tamper                report tampering (the case was opened)
  --replay                send a used message number again with other bytes (a replay)
  --skip-stamp            let the stamp counter skip a number (a stamp the platform never heard of)
  --offline-for SEC       make the stamps while offline, and send them SEC seconds later in one batch
  --outside-geofence      stamp 1 km past the edge of the authorization's geofence (inside, at its centre, otherwise)
  -h, --help              show this help`;

export const deviceCommand: Command = {
  name: "device",
  summary: "device keygen | simulate: a smart-seal device's key, and a simulated device",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "keygen") return keygen(rest);
    if (sub === "simulate") return simulate(rest);
    if (sub === "--help" || sub === "-h") return void console.log(HELP);
    throw new CliUsageError(`unknown subcommand "${sub ?? ""}"; try: sealproof device --help`);
  },
};

function keygen(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { out: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (values.help) return void console.log(HELP);
  if (!values.out) throw new CliUsageError("missing --out FILE");
  const keys = writeNewKeyPair(values.out);
  console.log(`device key written to ${values.out}`);
  console.log(`public key (enrol the device with it): ${keys.publicKey}`);
}

async function simulate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: "string" },
      "credential-file": { type: "string" },
      key: { type: "string" },
      url: { type: "string" },
      mqtt: { type: "string" },
      http: { type: "boolean" },
      stamps: { type: "string" },
      unauthorized: { type: "boolean" },
      tamper: { type: "boolean" },
      replay: { type: "boolean" },
      "skip-stamp": { type: "boolean" },
      "offline-for": { type: "string" },
      "outside-geofence": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const missing = ["device", "credential-file", "key"].filter((k) => !values[k as keyof typeof values]).map((k) => `--${k}`);
  if (missing.length > 0) throw new CliUsageError(`missing ${missing.join(", ")}`);
  const misbehaviour: Misbehaviour = {
    stamps: count(values.stamps, "--stamps"),
    unauthorized: values.unauthorized === true,
    tamper: values.tamper === true,
    replay: values.replay === true,
    skipStamp: values["skip-stamp"] === true,
    offlineForSec: count(values["offline-for"], "--offline-for"),
    outsideGeofence: values["outside-geofence"] === true,
  };
  const device = values.device!;
  const credential = readText(values["credential-file"]!, "--credential-file");
  const privateKey = readKey(values.key!);
  const url = values.url ?? process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080";
  const published = await publishedDeployment(url);
  if (published.commandPublicKey === null) throw new CliUsageError(`${url} publishes no command key: it does not command devices`);
  const brokerUrl = values.mqtt ?? (process.env.MQTT_URL || published.mqttUrl);
  if (!values.http && !brokerUrl) throw new CliUsageError(`${url} publishes no MQTT broker; give --mqtt URL or use --http`);
  const stateFile = `${values.key!}.state.json`;
  const seal = new SimulatedSeal(device, privateKey, published.commandPublicKey, loadState(stateFile), (line) => console.log(line));
  const connect = async (): Promise<DeviceLink> => {
    const link = values.http ? httpLink(url, credential) : await mqttLink(brokerUrl!, device, credential);
    link.onPush((down) => seal.pushed(down));
    console.log(values.http ? `connected over HTTPS to ${url}` : `connected to ${brokerUrl} as ${device}`);
    return link;
  };
  try {
    await play(seal, connect, misbehaviour);
  } finally {
    fs.writeFileSync(stateFile, `${JSON.stringify(seal.state, null, 2)}\n`, { mode: 0o600 });
  }
  console.log(`the seal is ${seal.state.locked ? "locked" : "unlocked"}; stamp counter ${seal.state.stampNo}; state in ${stateFile}`);
  return 0;
}

/** The session: hello, the stamps (now, or made offline and sent later), the misbehaviour asked for, then a moment for commands. */
async function play(seal: SimulatedSeal, connect: () => Promise<DeviceLink>, misbehaviour: Misbehaviour): Promise<void> {
  let link = await connect();
  await seal.send(link, [seal.message("hello", { firmware: "sim-1.0" })]);
  await settle(seal, link);
  if (misbehaviour.offlineForSec > 0) {
    await link.close();
    console.log(`offline for ${misbehaviour.offlineForSec} s; stamps are kept and sent when back`);
  }
  const made = [];
  for (let i = 0; i < misbehaviour.stamps; i++) {
    const stamp = seal.stamp(misbehaviour, misbehaviour.skipStamp && i === 0);
    if (stamp === null) break;
    if (misbehaviour.offlineForSec > 0) made.push(stamp);
    else await seal.send(link, [stamp]);
  }
  if (misbehaviour.offlineForSec > 0) {
    await new Promise((resolve) => setTimeout(resolve, misbehaviour.offlineForSec * 1000));
    link = await connect();
    if (made.length > 0) await seal.send(link, made);
  }
  if (misbehaviour.tamper) await seal.send(link, [seal.message("tamper", { kind: "case-opened" })]);
  if (misbehaviour.replay) {
    // The last number used, over other bytes: what a replaying attacker (or a broken counter) sends.
    seal.state.n -= 1;
    await seal.send(link, [seal.message("status", { battery: 1, locked: seal.state.locked })]);
  }
  await settle(seal, link);
  await link.close();
}

/** Gives pushed commands (a retained lock, say) a moment to arrive, and acknowledges them. */
async function settle(seal: SimulatedSeal, link: DeviceLink): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await seal.flushAcks(link);
}

/** What the simulator reads of /.well-known/sealproof.json (older services publish no mqttUrl). */
const publishedFields = z.object({ commandPublicKey: z.string().nullable().optional(), mqttUrl: z.string().nullable().optional() });

async function publishedDeployment(url: string): Promise<{ commandPublicKey: string | null; mqttUrl: string | null }> {
  let res: Response;
  try {
    res = await fetch(new URL("/.well-known/sealproof.json", url));
  } catch (err) {
    throw new CliUsageError(`cannot reach ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw new CliUsageError(`${url}/.well-known/sealproof.json: HTTP ${res.status}`);
  const published = publishedFields.safeParse(await res.json().catch(() => null));
  if (!published.success) throw new CliUsageError(`${url}/.well-known/sealproof.json is not a sealproof deployment document`);
  const { commandPublicKey = null, mqttUrl = null } = published.data;
  return { commandPublicKey: commandPublicKey !== null && isSm2PublicKey(commandPublicKey) ? commandPublicKey : null, mqttUrl };
}

function count(raw: string | undefined, name: string): number {
  if (raw === undefined) return 0;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 10_000) throw new CliUsageError(`${name} must be a whole number from 0 to 10000`);
  return value;
}

function readText(file: string, option: string): string {
  try {
    const text = fs.readFileSync(file, "utf8").trim();
    if (text !== "") return text;
  } catch (err) {
    throw new CliUsageError(`cannot read ${option} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  throw new CliUsageError(`${option} ${file} is empty`);
}

function readKey(file: string): string {
  const text = readText(file, "--key");
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // reported below, as any other file that is not a key file
  }
  const keyFile = z.object({ privateKey: z.string() }).safeParse(parsed);
  if (!keyFile.success) throw new CliUsageError(`--key ${file} is not a key file from 'sealproof device keygen'`);
  const { privateKey } = keyFile.data;
  try {
    sm2PublicKeyOf(privateKey);
  } catch {
    throw new CliUsageError(`--key ${file} holds no SM2 private key`);
  }
  return privateKey;
}
