// A smart seal as the MQTT tests drive it: a real `mqtt` client logged in with the device's id and credential,
// subscribed to its down topic, keeping every answer and command set it is sent.
import mqtt, { type MqttClient } from "mqtt";
import { expect } from "chai";
import { signDeviceMessage, type DeviceMessage } from "../../service/evidence/device-message";
import { deviceTopic, PRESENCE_OFFLINE, PRESENCE_ONLINE } from "../../service/mqtt/topics";
import type { JsonValue } from "../../service/evidence";
import type { TestDevice } from "../helpers/company";
import type { Call } from "../helpers/service";

export interface DownPayload {
  results?: Array<{ index: number; n: number | null; status: string; code?: string }>;
  commands?: DeviceMessage[];
  /** Whether the broker delivered it as a retained message (sent when the device subscribed). */
  retained: boolean;
}

export interface MqttDevice {
  client: MqttClient;
  /** Every non-empty payload received on the down topic, oldest first. */
  down: DownPayload[];
  /** Publishes one message (or an array) on the device's own up topic; resolves with the count of payloads received before it. */
  publish(payload: unknown, topic?: string): Promise<number>;
  message(n: number, type: string, body: { [key: string]: JsonValue }): DeviceMessage;
  /** Resolves with the first payload received after the first `from` that `match` accepts. */
  waitFor(match: (p: DownPayload) => boolean, from: number, ms?: number): Promise<DownPayload>;
  /** Publishes "offline" and disconnects cleanly. */
  leave(): Promise<void>;
}

export async function connectDevice(url: string, device: TestDevice, options: { username?: string; password?: string; clientId?: string; subscribe?: boolean } = {}): Promise<MqttDevice> {
  const client = await mqtt.connectAsync(
    url,
    {
      username: options.username ?? device.id,
      password: options.password ?? device.credential,
      clientId: options.clientId ?? device.id,
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: deviceTopic(device.id, "presence"), payload: Buffer.from(PRESENCE_OFFLINE), qos: 1, retain: true },
    },
    false,
  );
  const down: DownPayload[] = [];
  client.on("message", (topic, payload, packet) => {
    if (topic !== deviceTopic(device.id, "down") || payload.length === 0) return;
    down.push({ ...(JSON.parse(payload.toString()) as Omit<DownPayload, "retained">), retained: packet.retain });
  });
  if (options.subscribe !== false) {
    const granted = await client.subscribeAsync(deviceTopic(device.id, "down"), { qos: 1 });
    expect(granted.map((g) => g.qos)).to.deep.equal([1]);
  }
  await client.publishAsync(deviceTopic(device.id, "presence"), PRESENCE_ONLINE, { qos: 1, retain: true });
  return {
    client,
    down,
    async publish(payload, topic = deviceTopic(device.id, "up")) {
      const mark = down.length;
      await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
      return mark;
    },
    message: (n, type, body) => signDeviceMessage({ v: 1, device: device.id, n, type, at: new Date().toISOString(), body }, device.keys.privateKey),
    async waitFor(match, from, ms = 15_000) {
      for (const start = Date.now(); ; await new Promise((r) => setTimeout(r, 20))) {
        const found = down.slice(from).find(match);
        if (found !== undefined) return found;
        if (Date.now() - start > ms) throw new Error(`no matching payload on the down topic within ${ms} ms; received ${JSON.stringify(down)}`);
      }
    },
    async leave() {
      await client.publishAsync(deviceTopic(device.id, "presence"), PRESENCE_OFFLINE, { qos: 1, retain: true });
      await client.endAsync();
    },
  };
}

/** The codes a SUBACK grants `topics` (128: refused); mqtt.js rejects a SUBACK holding a refusal, with the packet. */
export async function subscribeCodes(client: MqttClient, topics: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const granted = (err as { packet?: { granted?: unknown } }).packet?.granted;
    if (!Array.isArray(granted)) throw err;
    return granted.map((g) => (typeof g === "number" ? g : (g as { qos: number }).qos));
  }
}

/** Resolves true once the connection closes, false if it is still open after `ms`. */
export function closedWithin(client: MqttClient, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The message of the error `attempt` fails with. */
export async function refusal(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error("expected a refusal");
}

/** The service's published deployment, once its chain is reached. */
export async function wellKnown(call: Call): Promise<{ mqttUrl: string }> {
  for (let i = 0; ; i++) {
    const r = await call("GET", "/.well-known/sealproof.json");
    if (r.status === 200) return r.body;
    if (i > 100) throw new Error(`/.well-known/sealproof.json: ${r.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
