// Every route declares its success body (api.ts RouteSpec.response). The test service checks each answer against
// it, so every test that calls a route also checks its response; here, that a mismatch cannot pass unnoticed.
import { expect } from "chai";
import express from "express";
import { rateLimit } from "express-rate-limit";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { z } from "zod";
import { Api } from "../../service/http/api";
import { errorHandler } from "../../service/http/errors";
import { createApp } from "../../service/http/app";
import { jsonClient, startService, type TestService } from "../helpers/service";
import { createCompany, ok } from "../helpers/company";

describe("http: response schemas", () => {
  let svc: TestService;
  before(async () => {
    svc = await startService();
  });
  after(() => svc.stop());

  /** An app holding one public route that answers `body` under a schema demanding { n: number }. */
  async function appAnswering(body: unknown, checkResponses: boolean): Promise<{ call: ReturnType<typeof jsonClient>["call"]; close: () => Promise<void> }> {
    const api = new Api({ ctx: svc.ctx, operatorToken: "x", publicLimiter: rateLimit({ limit: 1000 }), checkResponses });
    api.add({ method: "get", path: "/thing", tag: "t", auth: "public", status: 200, summary: "a thing", response: z.strictObject({ n: z.number() }) }, async () => body as { n: number });
    const app = express().use(api.router).use(errorHandler(() => undefined));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    return { call: jsonClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).call, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it("a route answering what its schema does not allow fails with 500 RESPONSE_MISMATCH where responses are checked", async () => {
    const app = await appAnswering({ n: 1, leaked: "secret" }, true);
    try {
      const r = await app.call("GET", "/thing");
      expect([r.status, r.body.error.code]).to.deep.equal([500, "RESPONSE_MISMATCH"]);
      expect(r.body.error.message).to.contain("GET /thing");
      expect((await app.call("GET", "/thing")).status).to.equal(500);
    } finally {
      await app.close();
    }
    const good = await appAnswering({ n: 1 }, true);
    try {
      expect((await good.call("GET", "/thing")).body).to.deep.equal({ n: 1 });
    } finally {
      await good.close();
    }
  });

  it("in production (no checking) the answer goes out as the handler made it", async () => {
    const app = await appAnswering({ n: "one" }, false);
    try {
      expect((await app.call("GET", "/thing")).body).to.deep.equal({ n: "one" });
    } finally {
      await app.close();
    }
  });

  it("every route of the API declares a response schema", () => {
    const { api } = createApp({ ctx: svc.ctx, operatorToken: "x", version: "t", bodyLimit: "1kb", publicRateLimit: 1, log: () => undefined });
    expect(api.routes.filter((r) => !(r.response instanceof z.ZodType)).map((r) => `${r.method} ${r.path}`)).to.deep.equal([]);
    expect(api.routes.length).to.be.greaterThan(30);
  });

  it("views never carry what stays in the store: the legal representative's ID number, key hashes", async () => {
    const co = await createCompany(svc);
    const company = await ok(svc.call("GET", "/api/v1/company", { token: co.legalRep.token }));
    expect(company).to.not.have.property("legalRepIdNumber");
    const keys = await ok(svc.call("GET", `/api/v1/members/${co.legalRep.id}/keys`, { token: co.legalRep.token }));
    expect(keys.keys[0]).to.not.have.property("hash");
  });
});
