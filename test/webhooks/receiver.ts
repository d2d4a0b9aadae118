// A real local HTTP receiver for webhook tests: records every request (headers, exact body, time) and answers each as
// told — a status, or "hang" (reads the request and never answers).
import http, { type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Answer = number | "hang";

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests answered 2xx, in arrival order. */
  accepted: Received[];
  close(): Promise<void>;
}

export async function startReceiver(answer: (r: Received, index: number) => Answer = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const accepted: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      const status = answer(r, received.length);
      received.push(r);
      if (status === "hang") return void hanging.push(res);
      if (status < 300) accepted.push(r);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/sealproof`,
    received,
    accepted,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A loopback URL on a port nobody listens on: connections are refused at once. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/hooks`;
}

export async function until(what: string, done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  for (const start = Date.now(); !(await done()); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
  }
}
