// The broker `npm start` runs (aedes): each device logs in with its id as username and client id and its credential as
// password, may publish only to its own up and presence topics and subscribe only to its own down topic. The service
// itself is inside the broker, so its publications pass no ACL.
import net, { type AddressInfo } from "node:net";
import { Aedes, type Client } from "aedes";
import { deviceTopic, SERVICE_FILTERS } from "./topics";
import { guardPacketSize } from "./packet-size-guard";
import type { LinkEvents, MqttLink } from "./link";

export interface EmbeddedBrokerOptions {
  port: number;
  host: string;
  /** The device id a credential belongs to, or null (unknown, retired). */
  authenticate: (credential: string) => Promise<string | null>;
  events: LinkEvents;
  /** The largest MQTT packet a client may send; a larger one closes its connection before it is buffered. */
  maxPacketBytes: number;
  log: (line: string) => void;
}

// MQTT 3.1.1 CONNACK return codes.
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<MqttLink & { port: number }> {
  const devices = new WeakMap<Client, string>();
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const refuse = (returnCode: number) => done(Object.assign(new Error("not authorized"), { returnCode }), false);
      if (username === undefined || password === undefined) return refuse(NOT_AUTHORIZED);
      // The client id is the device id: another device cannot take over (and so close) this device's session.
      if (client.id !== username) return refuse(NOT_AUTHORIZED);
      options.authenticate(password.toString("utf8")).then(
        (device) => {
          if (device !== username) return refuse(BAD_USERNAME_OR_PASSWORD);
          devices.set(client, device);
          done(null, true);
        },
        (err: unknown) => {
          options.log(`mqtt: authenticating ${username} failed: ${err instanceof Error ? err.message : String(err)}`);
          refuse(NOT_AUTHORIZED);
        },
      );
    },
    authorizePublish(client, packet, done) {
      if (client === null) return done(null);
      const device = devices.get(client);
      const own = device !== undefined && (packet.topic === deviceTopic(device, "up") ? !packet.retain : packet.topic === deviceTopic(device, "presence"));
      // MQTT 3.1.1 has no refusal for a publish: the connection of a device publishing elsewhere is closed.
      done(own ? null : new Error(`publishing to ${packet.topic} is not allowed`));
    },
    authorizeSubscribe(client, subscription, done) {
      const device = devices.get(client);
      done(null, device !== undefined && subscription.topic === deviceTopic(device, "down") ? subscription : null);
    },
  });
  broker.on("clientReady", (client) => {
    const device = devices.get(client);
    if (device !== undefined) options.events.session?.(device, true);
  });
  broker.on("clientDisconnect", (client) => {
    const device = devices.get(client);
    if (device !== undefined) options.events.session?.(device, false);
  });
  for (const filter of Object.values(SERVICE_FILTERS)) {
    await new Promise<void>((resolve) =>
      broker.subscribe(
        filter,
        (packet, done) => {
          options.events.message(packet.topic, Buffer.from(packet.payload));
          done();
        },
        resolve,
      ),
    );
  }
  // Without noDelay, an answer written right after the PUBACK of the message it answers waits for the device's
  // delayed ACK (Nagle): about 40 ms on every round trip.
  const server = net.createServer({ noDelay: true }, (socket) => broker.handle(guardPacketSize(socket, options.maxPacketBytes)));
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(options.port, options.host, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    deviceUrl: `mqtt://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    publish: (topic, payload, { retain, qos }) =>
      new Promise((resolve, reject) => broker.publish({ cmd: "publish", topic, payload: Buffer.from(payload), qos, retain, dup: false }, (err) => (err ? reject(err) : resolve()))),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        broker.close();
      });
    },
  };
}
