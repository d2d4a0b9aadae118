import { expect } from "chai";
import { IncomingMessage, ServerResponse, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { createHttpServer } from "../../service/http/server";

describe("http: the service's server", () => {
  let server: Server;
  const app = express();
  app.get("/answer", (req, res) => {
    res.status(201).json({ header: req.get("X-Probe") ?? null, isRequest: req instanceof IncomingMessage, isResponse: res instanceof ServerResponse });
  });
  /** The prototypes each request and response had as they reached the server, before the app ran. */
  const arrived: Array<{ request: object | null; response: object | null }> = [];

  before(async () => {
    server = createHttpServer(app);
    server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
      arrived.push({ request: Object.getPrototypeOf(req) as object | null, response: Object.getPrototypeOf(res) as object | null });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const url = (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

  it("makes requests and responses with the app's own prototypes, so Express has none to change", async () => {
    arrived.length = 0;
    await fetch(url("/answer"));
    await fetch(url("/nowhere"));
    expect(arrived).to.have.length(2);
    for (const { request, response } of arrived) {
      expect(request).to.equal(app.request);
      expect(response).to.equal(app.response);
    }
  });

  it("answers as Express would: its request and response methods, node:http's classes, and its 404", async () => {
    const res = await fetch(url("/answer"), { headers: { "X-Probe": "yes" } });
    expect(res.status).to.equal(201);
    expect(res.headers.get("content-type")).to.match(/^application\/json/);
    expect(await res.json()).to.deep.equal({ header: "yes", isRequest: true, isResponse: true });
    expect((await fetch(url("/nowhere"))).status).to.equal(404);
  });

  it("reads a request body and answers a keep-alive connection's requests one after another", async () => {
    app.post("/echo", express.json(), (req, res) => void res.json(req.body));
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url("/echo"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ i }) });
      expect(await res.json()).to.deep.equal({ i });
    }
  });
});
