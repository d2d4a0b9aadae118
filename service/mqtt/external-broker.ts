// The service as a client of an external broker (Mosquitto, an EMQX cluster): the broker authenticates devices and
// enforces their topic ACL; the service logs in with its own credential, subscribes to every device's up and presence
// topics and publishes on their down topics. The subscriptions are shared ($share/sealproof/…), so with several
// service nodes each message is taken by one of them.
import mqtt, { type MqttClient } from "mqtt";
import { SERVICE_FILTERS } from "./topics";
import type { LinkEvents, MqttLink } from "./link";

export interface ExternalBrokerOptions {
  url: string;
  username: string | undefined;
  password: string | undefined;
  clientId: string;
  /** Where devices reach the broker, as published in /.well-known/sealproof.json. */
  deviceUrl: string;
  events: LinkEvents;
  log: (line: string) => void;
}

export const SHARED_GROUP = "sealproof";
/** A publish waits this long for the broker before it fails (and the outbox tries again later). */
const PUBLISH_TIMEOUT_MS = 10_000;

/** Connects in the background, as the service starts whether or not the broker is up; reconnects every 2 s. */
export function connectExternalBroker(options: ExternalBrokerOptions): MqttLink {
  const client: MqttClient = mqtt.connect(options.url, {
    username: options.username,
    password: options.password,
    clientId: options.clientId,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 2_000,
    connectTimeout: 10_000,
  });
  const filters = Object.values(SERVICE_FILTERS).map((filter) => `$share/${SHARED_GROUP}/${filter}`);
  client.on("connect", () => {
    options.log(`mqtt: connected to ${redacted(options.url)}`);
    client.subscribe(filters, { qos: 1 }, (err, granted) => {
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (err || refused.length > 0) options.log(`mqtt: subscribing to ${refused.join(", ") || filters.join(", ")} failed${err ? `: ${err.message}` : " (the broker's ACL refused it)"}`);
    });
  });
  client.on("error", (err) => options.log(`mqtt: ${redacted(options.url)}: ${err.message}`));
  client.on("message", (topic, payload) => options.events.message(topic, payload));
  return {
    deviceUrl: options.deviceUrl,
    async publish(topic, payload, { retain, qos }) {
      if (!client.connected) throw new Error(`not connected to ${redacted(options.url)}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${redacted(options.url)} did not acknowledge within ${PUBLISH_TIMEOUT_MS} ms`)), PUBLISH_TIMEOUT_MS)));
      try {
        await Promise.race([client.publishAsync(topic, payload, { qos, retain }), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await client.endAsync();
    },
  };
}

/** The URL without its user info, for log lines. */
export function redacted(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString().replace(/\/$/, "");
}
