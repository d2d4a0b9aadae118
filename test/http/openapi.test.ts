// The OpenAPI description matches the routes Express actually serves.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createApp } from "../../service/http/app";

describe("http: OpenAPI description", () => {
  let svc: TestService;
  before(async () => {
    svc = await startService();
  });
  after(() => svc.stop());

  it("is served as OpenAPI 3.1 and lists every route of the router, no more, no less", async () => {
    const r = await svc.call("GET", "/api/v1/openapi.json");
    expect(r.status).to.equal(200);
    expect(r.body.openapi).to.equal("3.1.0");
    const documented = Object.entries(r.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((op) => op.includes(" /api/v1/"))
      .sort();
    const { api } = createApp({ ctx: svc.ctx, operatorToken: "x", version: "t", bodyLimit: "1kb", publicRateLimit: 1, log: () => undefined });
    expect(Object.keys(r.body.paths)).to.include.members(["/healthz", "/metrics", "/.well-known/sealproof.json"]);
    const layers = (api.router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack;
    const served = layers
      .filter((l) => l.route)
      .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} /api/v1${l.route!.path.replace(/:(\w+)/g, "{$1}")}`))
      .sort();
    expect(documented).to.deep.equal(served);
    expect(served.length).to.be.greaterThan(30);
  });

  it("describes request bodies and path parameters", async () => {
    const doc = (await svc.call("GET", "/api/v1/openapi.json")).body;
    const post = doc.paths["/api/v1/usages"].post;
    expect(post.requestBody.content["application/json"].schema.properties.tbs.required).to.include.members(["receipt", "seal", "signer", "documentHash"]);
    const param = doc.paths["/api/v1/seals/{id}"].get.parameters.find((p: { name: string }) => p.name === "id");
    expect(param.in).to.equal("path");
  });

  it("describes every JSON success body with its response schema", async () => {
    const doc = (await svc.call("GET", "/api/v1/openapi.json")).body;
    const operations = Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>>)
      .filter(([path]) => path.startsWith("/api/v1/") && path !== "/api/v1/openapi.json")
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));
    // A method the path does not serve only answers 405, and the method it names is documented on the same path.
    const refusals = operations.filter(({ op }) => Object.keys(op.responses).join() === "405");
    for (const { route } of refusals) {
      const [, path] = route.split(" ");
      expect(Object.keys(doc.paths[path]), route).to.include("post");
    }
    const undescribed = operations.filter((o) => !refusals.includes(o)).filter(({ op }) => {
      const success = Object.entries(op.responses).find(([status]) => status.startsWith("2"))?.[1];
      const json = success?.content?.["application/json"]?.schema;
      // A body that is not JSON (an image, JSON Lines, CSV, XLSX, PDF) is described by its media type.
      const media = Object.entries(success?.content ?? {}).find(([type, c]) => type !== "application/json" && c.schema.contentMediaType === type);
      return media === undefined && (json === undefined || Object.keys(json).length === 0);
    });
    expect(undescribed.map((o) => o.route)).to.deep.equal([]);
    const seal = doc.paths["/api/v1/seals/{id}"].get.responses["200"].content["application/json"].schema;
    expect(seal.required).to.include.members(["id", "status", "publicKey", "replacedBy"]);
    const receipt = doc.paths["/api/v1/receipts/{receiptId}"].get.responses["200"].content["application/json"].schema;
    expect(Object.keys(receipt.properties)).to.have.members(["status", "receipt", "sealReceipt", "companyReceipt", "seal", "documents", "deviceReceipt", "story", "photo"]);
    expect(Object.keys(receipt.properties.story.properties)).to.have.members(["request", "approval", "custody", "authorization"]);
  });
});
