// How the simulated seal talks to the service: over MQTT (its own topics, as a real 4G seal) or over HTTPS (as a
// phone relaying a Bluetooth seal). Either way it sends signed messages and hears back their fates and its commands.
import mqtt, { type MqttClient } from "mqtt";
import { deviceTopic, PRESENCE_OFFLINE, PRESENCE_ONLINE } from "../mqtt/topics";
import { callApi } from "./http-client";
import type { DeviceMessage } from "../evidence/device-message";

export interface Fate {
  index: number;
  n: number | null;
  status: string;
  code?: string;
}

/** What the service sends back: fates of what was sent, and the device's pending commands (either may be absent). */
export interface Downlink {
  results?: Fate[];
  commands?: unknown[];
}

export interface DeviceLink {
  /** Sends messages and resolves with the service's answer to them. */
  send(messages: DeviceMessage[]): Promise<Downlink>;
  /** Called with every command set the service pushes unasked (MQTT: the retained set, and new ones). */
  onPush(handler: (down: Downlink) => void): void;
  close(): Promise<void>;
}

const ANSWER_TIMEOUT_MS = 15_000;

export async function mqttLink(url: string, device: string, credential: string): Promise<DeviceLink> {
  const client: MqttClient = await mqtt.connectAsync(
    url,
    {
      username: device,
      password: credential,
      clientId: device,
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: deviceTopic(device, "presence"), payload: Buffer.from(PRESENCE_OFFLINE), qos: 1, retain: true },
    },
    false,
  );
  let push: (down: Downlink) => void = () => undefined;
  const waiting: Array<(down: Downlink) => boolean> = [];
  client.on("message", (topic, payload) => {
    if (topic !== deviceTopic(device, "down") || payload.length === 0) return;
    let down: Downlink;
    try {
      down = JSON.parse(payload.toString("utf8")) as Downlink;
    } catch {
      return;
    }
    const taker = down.results === undefined ? -1 : waiting.findIndex((take) => take(down));
    if (taker >= 0) waiting.splice(taker, 1);
    else push(down);
  });
  await client.subscribeAsync(deviceTopic(device, "down"), { qos: 1 });
  await client.publishAsync(deviceTopic(device, "presence"), PRESENCE_ONLINE, { qos: 1, retain: true });
  return {
    async send(messages) {
      const ns = new Set(messages.map((m) => m.n));
      const answer = new Promise<Downlink>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer on ${deviceTopic(device, "down")} within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
        waiting.push((down) => {
          if (!(down.results ?? []).some((r) => r.n !== null && ns.has(r.n))) return false;
          clearTimeout(timer);
          resolve(down);
          return true;
        });
      });
      await client.publishAsync(deviceTopic(device, "up"), JSON.stringify(messages.length === 1 ? messages[0] : messages), { qos: 1 });
      return answer;
    },
    onPush: (handler) => void (push = handler),
    async close() {
      await client.publishAsync(deviceTopic(device, "presence"), PRESENCE_OFFLINE, { qos: 1, retain: true });
      await client.endAsync();
    },
  };
}

export function httpLink(serviceUrl: string, credential: string): DeviceLink {
  return {
    send: (messages) => callApi<Downlink>(serviceUrl, credential, "POST", "/api/v1/device-messages", { messages }),
    onPush: () => undefined,
    close: async () => undefined,
  };
}
