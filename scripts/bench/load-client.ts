// A minimal HTTP/1.1 keep-alive client for load generation. Node's http client costs about 0.25 ms of CPU
// per request on these two-core machines, CPU it takes from the service being measured; this one writes
// pre-built request bytes and reads back only the status line, Content-Length and body, for a fraction of it.
// It speaks only what the service answers with (Content-Length bodies, no pipelining) and fails loudly otherwise.
import net from "node:net";

export interface LoadResponse {
  status: number;
  body: string;
}

const HEADER_END = Buffer.from("\r\n\r\n");

export class LoadConnection {
  private readonly socket: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private waiter: { resolve: (r: LoadResponse) => void; reject: (e: Error) => void } | null = null;
  /** Why the connection can no longer be used (the service closed it, say after its keep-alive timeout). */
  private broken: Error | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => this.fail(err));
    socket.on("close", () => this.fail(new Error("the service closed the connection")));
  }

  static open(port: number, host = "127.0.0.1"): Promise<LoadConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => {
        socket.off("error", reject);
        resolve(new LoadConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Builds the bytes of one request; build them before the measurement starts. */
  static request(method: string, path: string, headers: Record<string, string>, body: string, host: string): Buffer {
    const bytes = Buffer.from(body);
    const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${bytes.length}`];
    return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`), bytes]);
  }

  send(request: Buffer): Promise<LoadResponse> {
    if (this.broken !== null) return Promise.reject(this.broken);
    if (this.waiter !== null) return Promise.reject(new Error("one request at a time on a connection"));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headerEnd = this.buffered.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.buffered.toString("latin1", 0, headerEnd);
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (status === null || length === null || /\r\ntransfer-encoding:/i.test(head)) {
      this.fail(new Error(`unexpected response head:\n${head}`));
      return;
    }
    const end = headerEnd + HEADER_END.length + Number(length[1]);
    if (this.buffered.length < end) return;
    if (this.buffered.length > end) {
      this.fail(new Error("the service sent bytes beyond the response"));
      return;
    }
    const body = this.buffered.toString("utf8", headerEnd + HEADER_END.length, end);
    this.buffered = Buffer.alloc(0);
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve({ status: Number(status[1]), body });
  }

  private fail(err: Error): void {
    this.broken ??= err;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(err);
  }
}
