// The connection aedes is handed: frames are read through the size guard, and what mqtt-packet writes while the
// connection is corked (one packet in several pieces, or a PUBACK and an answer in one turn) reaches the socket as one
// write, not one system call per piece.
import net from "node:net";
import { expect } from "chai";
import mqtt from "mqtt-packet";
import { guardPacketSize } from "../../service/mqtt/packet-size-guard";

/** A connected pair on loopback: the server side guarded, the client side raw. */
async function pair(maxPacketBytes = 1024): Promise<{ server: net.Socket; guarded: ReturnType<typeof guardPacketSize>; client: net.Socket; close: () => void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once("connection", resolve));
  const client = net.connect((listener.address() as net.AddressInfo).port, "127.0.0.1");
  const server = await accepted;
  return { server, guarded: guardPacketSize(server, maxPacketBytes), client, close: () => (client.destroy(), server.destroy(), listener.close()) };
}

/** Counts the writes the socket hands to the kernel (Writable's _write and _writev, which net.Socket implements). */
function countWrites(socket: net.Socket): () => number {
  let writes = 0;
  const target = socket as unknown as Record<"_write" | "_writev", (...args: unknown[]) => void>;
  for (const method of ["_write", "_writev"] as const) {
    const original = target[method].bind(socket);
    target[method] = (...args: unknown[]) => {
      writes++;
      original(...args);
    };
  }
  return () => writes;
}

const answer = { cmd: "publish", topic: "sealproof/devices/dv_1/down", payload: Buffer.from('{"results":[],"commands":[]}'), qos: 0, retain: false, dup: false, messageId: undefined } as const;

describe("mqtt: the size-guarded connection", () => {
  it("writes a PUBACK and an answer, sent in one turn, to the socket at once, and the peer reads both packets whole", async () => {
    const { server, guarded, client, close } = await pair();
    try {
      const writes = countWrites(server);
      const received: mqtt.Packet[] = [];
      const parser = mqtt.parser();
      parser.on("packet", (packet) => received.push(packet));
      client.on("data", (chunk) => parser.parse(chunk));
      mqtt.writeToStream({ cmd: "puback", messageId: 7 }, guarded);
      mqtt.writeToStream(answer, guarded);
      for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(received.map((p) => p.cmd)).to.deep.equal(["puback", "publish"]);
      expect((received[1] as mqtt.IPublishPacket).payload.toString()).to.equal('{"results":[],"commands":[]}');
      expect(writes()).to.equal(1);
    } finally {
      close();
    }
  });

  it("passes frames up to the limit to the reader and closes the socket on a header that announces more", async () => {
    const { server, guarded, client, close } = await pair(64);
    try {
      const parser = mqtt.parser();
      const read: string[] = [];
      parser.on("packet", (packet) => read.push(packet.cmd));
      guarded.on("data", (chunk: Buffer) => parser.parse(chunk));
      guarded.on("error", () => undefined);
      client.write(mqtt.generate({ cmd: "pingreq" }));
      for (let i = 0; i < 100 && read.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(read).to.deep.equal(["pingreq"]);
      const closed = new Promise((resolve) => server.once("close", resolve));
      client.write(mqtt.generate({ ...answer, payload: Buffer.alloc(100) }));
      await closed;
      expect(read).to.deep.equal(["pingreq"]);
    } finally {
      close();
    }
  });

  it("hands a reset from the peer to the connection's user as an error, and the process carries on", async () => {
    const { server, guarded, client, close } = await pair();
    try {
      const failed = new Promise<Error>((resolve) => guarded.once("error", resolve));
      const closed = new Promise((resolve) => guarded.once("close", resolve));
      await new Promise((resolve) => setTimeout(resolve, 20));
      client.resetAndDestroy();
      // Writing to the reset socket is what makes it fail on our side, as an answer to a vanished device does.
      const write = setInterval(() => guarded.write(Buffer.from([0xd0, 0x00])), 5).unref();
      try {
        expect((await failed).message).to.match(/ECONNRESET|EPIPE/);
        await closed;
      } finally {
        clearInterval(write);
      }
      expect(server.destroyed).to.equal(true);
    } finally {
      close();
    }
  });
});
