// Starts the MQTT transport as configured: the embedded broker, a client of an external broker, or none (HTTPS only).
// Its pending-command publications are outbox entries (written with the commands), delivered here after commit.
import { authenticateDevice } from "../domain/devices";
import { startEmbeddedBroker } from "../mqtt/embedded-broker";
import { connectExternalBroker, redacted } from "../mqtt/external-broker";
import { DeviceMqttTransport, MAX_UP_PAYLOAD_BYTES } from "./mqtt-transport";
import { disconnectAll } from "./presence";
import type { MqttConfig } from "../config";
import type { DeviceContext } from "./context";
import type { MqttLink } from "../mqtt/link";
import type { OutboxHandler } from "../jobs/outbox-deliverer";

export interface DeviceMqtt {
  /** Where devices reach the broker (/.well-known/sealproof.json's mqttUrl); null without MQTT. */
  deviceUrl: string | null;
  /** Delivers a device.commands outbox entry: the device's pending commands, retained on its down topic. */
  deliverCommands: OutboxHandler;
  /** A line for the start-up log. */
  description: string;
  stop(): Promise<void>;
}

// Room for a full batch of device messages and the MQTT framing around it.
const MAX_PACKET_BYTES = MAX_UP_PAYLOAD_BYTES + 4096;

export interface DeviceMqttOptions {
  host: string;
  /** The service's public base URL, whose host devices also reach the embedded broker at. */
  publicBaseUrl: string | undefined;
  /** This node's id: its client id at an external broker. */
  instance: string;
  log: (line: string) => void;
}

export async function startDeviceMqtt(config: MqttConfig, ctx: DeviceContext, options: DeviceMqttOptions): Promise<DeviceMqtt> {
  if (config.mode === "off") return { deviceUrl: null, deliverCommands: async () => undefined, description: "MQTT off (MQTT_PORT=off): devices use HTTPS", stop: async () => undefined };
  const transport = new DeviceMqttTransport(ctx, options.log);
  let link: MqttLink;
  let description: string;
  if (config.mode === "embedded") {
    // No session outlives the broker that held it.
    await disconnectAll(ctx.store, ctx.now());
    const broker = await startEmbeddedBroker({
      port: config.port,
      host: options.host,
      maxPacketBytes: MAX_PACKET_BYTES,
      authenticate: async (credential) => (await authenticateDevice(ctx.store, credential))?.id ?? null,
      events: transport.events,
      log: options.log,
    });
    const publicUrl = config.publicUrl ?? (options.publicBaseUrl ? `mqtt://${new URL(options.publicBaseUrl).hostname}:${broker.port}` : broker.deviceUrl);
    link = { ...broker, deviceUrl: publicUrl };
    description = `MQTT broker for devices on ${options.host}:${broker.port} (devices connect to ${publicUrl})`;
  } else {
    const publicUrl = config.publicUrl ?? redacted(config.url);
    link = connectExternalBroker({ url: config.url, username: config.username, password: config.password, clientId: `sealproof-${options.instance}`, deviceUrl: publicUrl, events: transport.events, log: options.log });
    description = `MQTT: a client of ${redacted(config.url)} (devices connect to ${publicUrl})`;
  }
  transport.attach(link);
  return {
    deviceUrl: link.deviceUrl,
    deliverCommands: (entry) => transport.publishCommands(entry.target),
    description,
    async stop() {
      await link.close();
      await transport.drain();
    },
  };
}
