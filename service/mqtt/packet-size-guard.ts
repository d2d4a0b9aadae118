// aedes's parser buffers a whole packet however long its header says it is (up to 256 MB), before the client has even
// logged in. This reads the MQTT framing (a type byte, then the remaining length in up to four 7-bit groups) as bytes
// go by and closes the connection as soon as a header announces more than the limit.
import { Duplex, Transform, type TransformCallback } from "node:stream";
import type { Socket } from "node:net";

export function guardPacketSize(socket: Socket, maxPacketBytes: number): Duplex {
  const reader = new FrameReader(maxPacketBytes);
  const guarded = new GuardedConnection(socket, socket.pipe(reader));
  reader.on("error", () => socket.destroy());
  // A reset or a write to a dead peer is the connection's error, which aedes handles; unheard, it would end the process.
  socket.on("error", (err) => guarded.destroy(err));
  socket.on("close", () => guarded.destroy());
  return guarded;
}

/**
 * The socket as aedes sees it: reads are the guarded frames, writes go to the socket. mqtt-packet writes a packet in
 * several pieces with the connection corked; what is written while corked reaches the socket together (_writev) as
 * one write. (Duplex.from passed each piece on as a write of its own: 8 system calls for an answer and a PUBACK.)
 */
class GuardedConnection extends Duplex {
  constructor(
    private readonly socket: Socket,
    private readonly frames: FrameReader,
  ) {
    super();
    frames.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) frames.pause();
    });
    frames.on("end", () => this.push(null));
  }

  override _read(): void {
    this.frames.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.socket.cork();
    chunks.forEach(({ chunk }, i) => this.socket.write(chunk, i === chunks.length - 1 ? callback : undefined));
    this.socket.uncork();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
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
