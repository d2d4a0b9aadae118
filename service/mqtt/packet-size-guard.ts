// aedes's parser buffers a whole packet however long its header says it is (up to 256 MB), before the client has even
// logged in. This reads the MQTT framing (a type byte, then the remaining length in up to four 7-bit groups) as bytes
// go by and closes the connection as soon as a header announces more than the limit.
import { Duplex, Transform, type TransformCallback } from "node:stream";
import type { Socket } from "node:net";

export function guardPacketSize(socket: Socket, maxPacketBytes: number): Duplex {
  const reader = new FrameReader(maxPacketBytes);
  const guarded = Duplex.from({ readable: socket.pipe(reader), writable: socket });
  reader.on("error", () => socket.destroy());
  socket.on("close", () => guarded.destroy());
  return guarded;
}

class FrameReader extends Transform {
  private state: "type" | "length" | "body" = "type";
  private length = 0;
  private lengthBytes = 0;
  /** Bytes of the current packet's body still to pass. */
  private remaining = 0;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === "body") {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = "type";
      } else if (this.state === "type") {
        i++;
        [this.state, this.length, this.lengthBytes] = ["length", 0, 0];
      } else {
        const byte = chunk[i++];
        this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
        if (this.length > this.max) return callback(new Error(`an MQTT packet of ${this.length} bytes or more is over the limit of ${this.max}`));
        if ((byte & 0x80) === 0) [this.state, this.remaining] = this.length === 0 ? ["type", 0] : ["body", this.length];
        else if (this.lengthBytes === 4) return callback(new Error("malformed MQTT remaining length"));
      }
    }
    callback(null, chunk);
  }
}
