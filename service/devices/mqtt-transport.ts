// The MQTT transport of smart-seal devices, whoever runs the broker. What a device publishes on its up topic (one
// signed message, or an array of them) goes through takeDeviceMessages, the one check every transport ends in (here
// with other devices' payloads, backlog.ts), and the answer ({results, commands}, as over HTTPS) is published on its
// down topic. Its pending commands are also kept there retained, so a device that was offline when a lock was issued
// gets it as soon as it subscribes again.
// A device keeps each message until it has its fate: a message whose answer was lost (a restart, a dropped
// connection) is sent again and answered `duplicate`, so nothing here needs to survive a crash.
// A payload that may lock its device (see mayLock) does not wait behind other devices' ordinary stamps.
import { MAX_MESSAGES, type MessageFate } from "./ingest";
import { IngestBacklog } from "./backlog";
import { commandMessages, pendingCommands } from "./commands";
import { notePresence } from "./presence";
import { deviceTopic, parseDeviceTopic, PRESENCE_OFFLINE, PRESENCE_ONLINE } from "../mqtt/topics";
import type { DeviceContext } from "./context";
import type { LinkEvents, MqttLink } from "../mqtt/link";

/** A full batch of MAX_MESSAGES stamp messages is about 400 kB; the brokers refuse packets past this. */
export const MAX_UP_PAYLOAD_BYTES = 1024 * 1024;

// A device that publishes faster than its messages are taken waits: past this many payloads queued for it, further
// ones are dropped unanswered, and the device sends them again.
const MAX_QUEUED_PER_DEVICE = 64;

/** What the transport last saw a device have accepted: a hint for scheduling only, never for a verdict. */
interface Accepted {
  n: number;
  /** The authorization its last accepted stamp named. */
  authorization: string | null;
}

export class DeviceMqttTransport {
  private link: MqttLink | null = null;
  /** Per device, the tail of its queue: one payload at a time, so messages are taken in the order they came. */
  private readonly queues = new Map<string, { tail: Promise<void>; size: number }>();
  private readonly accepted = new Map<string, Accepted>();
  private readonly backlog: IngestBacklog;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly log: (line: string) => void,
  ) {
    this.backlog = new IngestBacklog(ctx);
  }

  /** What the broker reports: messages on up and presence topics, and (embedded) sessions. */
  readonly events: LinkEvents = {
    message: (topic, payload) => {
      const where = parseDeviceTopic(topic);
      if (where === null || where.leaf === "down") return;
      if (where.leaf === "presence") return this.enqueue(where.device, () => this.takePresence(where.device, payload.toString("utf8")));
      const messages = parseUpPayload(payload);
      this.enqueue(where.device, () => this.takeUp(where.device, messages));
    },
    session: (device, open) => {
      if (!open) this.accepted.delete(device);
      this.enqueue(device, () => this.sessionChanged(device, open));
    },
  };

  attach(link: MqttLink): void {
    this.link = link;
  }

  /** Publishes the device's pending commands, retained, on its down topic; none clears what was retained there. */
  async publishCommands(deviceId: string): Promise<void> {
    if (this.link === null) return;
    const device = await this.ctx.store.devices.get(deviceId);
    if (device === null) return;
    const commands = commandMessages(await pendingCommands(this.ctx.store, device));
    await this.link.publish(deviceTopic(deviceId, "down"), commands.length === 0 ? "" : JSON.stringify({ commands }), { retain: true, qos: 1 });
  }

  /** Resolves once every payload queued so far has been taken (stopping). */
  async drain(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.tail));
  }

  /**
   * Whether the payload may lock its device: a tamper report, a stamp under no authorization or under another than the
   * device's last accepted stamp named, or an `n` not above the last accepted (a replay, or a stale repeat). Only the
   * payload's place in the queue depends on it; takeDeviceMessages judges every message in full.
   */
  private mayLock(device: string, messages: readonly unknown[]): boolean {
    const last = this.accepted.get(device);
    return messages.some((raw) => {
      const type = field(raw, "type");
      const n = field(raw, "n");
      if (type === "tamper") return true;
      if (last !== undefined && typeof n === "number" && n <= last.n) return true;
      if (type !== "stamp") return false;
      const named = field(field(raw, "body"), "authorization");
      return named === null || named !== last?.authorization;
    });
  }

  private enqueue(device: string, work: () => Promise<void>): void {
    const queue = this.queues.get(device) ?? { tail: Promise.resolve(), size: 0 };
    if (queue.size >= MAX_QUEUED_PER_DEVICE) {
      this.log(`mqtt: ${device} has ${queue.size} payloads waiting; one more dropped (the device sends it again)`);
      return;
    }
    queue.size++;
    queue.tail = queue.tail
      .then(work)
      .catch((err: unknown) => this.log(`mqtt: a payload of ${device} failed: ${err instanceof Error ? err.message : String(err)}; the device sends it again`))
      .finally(() => {
        if (--queue.size === 0) this.queues.delete(device);
      });
    this.queues.set(device, queue);
  }

  private async takeUp(deviceId: string, messages: unknown[] | null): Promise<void> {
    const device = await this.ctx.store.devices.get(deviceId);
    // The broker authenticated it; a device retired since is no longer listened to.
    if (device === null || device.status === "retired") return;
    const answer =
      messages === null
        ? { results: [REFUSED_PAYLOAD], commands: commandMessages(await pendingCommands(this.ctx.store, device)) }
        : await this.backlog.take({ device, raw: messages }, this.mayLock(deviceId, messages));
    if (messages !== null) this.noteAccepted(deviceId, messages, answer.results);
    // At QoS 0, so the broker keeps nothing per answer until the device acknowledges it: an answer lost with the
    // connection is made good by the device, which sends the message again and is answered `duplicate`. Commands,
    // which must arrive, are also retained at QoS 1 (publishCommands).
    await this.link?.publish(deviceTopic(deviceId, "down"), JSON.stringify(answer), { retain: false, qos: 0 });
  }

  private noteAccepted(deviceId: string, messages: readonly unknown[], results: readonly MessageFate[]): void {
    for (const fate of results) {
      if (fate.status !== "accepted" || fate.n === null) continue;
      const raw = messages[fate.index];
      const named = field(field(raw, "body"), "authorization");
      const last = this.accepted.get(deviceId);
      const authorization = field(raw, "type") === "stamp" && typeof named === "string" ? named : (last?.authorization ?? null);
      if (last === undefined || fate.n > last.n) this.accepted.set(deviceId, { n: fate.n, authorization });
    }
  }

  private async takePresence(deviceId: string, payload: string): Promise<void> {
    if (payload !== PRESENCE_ONLINE && payload !== PRESENCE_OFFLINE) return;
    await this.sessionChanged(deviceId, payload === PRESENCE_ONLINE);
  }

  private async sessionChanged(deviceId: string, open: boolean): Promise<void> {
    await notePresence(this.ctx.store, deviceId, open, this.ctx.now());
    // A broker's retained message may be gone (restarted without persistence): a device coming online is sent its
    // pending commands again; it tells a repeat by the command's n.
    if (open) await this.publishCommands(deviceId);
  }
}

const REFUSED_PAYLOAD: MessageFate = { index: 0, n: null, status: "refused", code: "MESSAGE_INVALID" };

/** A property of a value parsed from JSON, or undefined when it is no object or has none. */
function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (Object.getOwnPropertyDescriptor(value, key)?.value as unknown) : undefined;
}

/** One message or an array of at most MAX_MESSAGES, as JSON; null when the payload is neither (refused whole). */
function parseUpPayload(payload: Buffer): unknown[] | null {
  if (payload.length > MAX_UP_PAYLOAD_BYTES) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return [parsed];
  return parsed.length >= 1 && parsed.length <= MAX_MESSAGES ? parsed : null;
}
