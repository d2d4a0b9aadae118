// The verify page's server side: the HTML shell and its configuration, QR codes of receipt links, when /rpc is
// offered, and the configuration that decides where visitors read the chain. The page itself: test/e2e.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal } from "../helpers/company";
import { decodeQrPng } from "../helpers/qr";
import { buildVerifyPage } from "../../web-verify/build";
import { PAGE_CONFIG_ELEMENT_ID } from "../../web-verify/src/page-config";
import { publicChainAccess } from "../../service/http/public-chain";
import { ConfigError, loadConfig } from "../../service/config";

const CONFIG_RE = new RegExp(`<script type="application/json" id="${PAGE_CONFIG_ELEMENT_ID}">(.*?)</script>`, "s");

async function page(url: string): Promise<{ status: number; headers: Headers; html: string; config: unknown }> {
  const res = await fetch(url);
  const html = await res.text();
  const match = CONFIG_RE.exec(html);
  return { status: res.status, headers: res.headers, html, config: match ? JSON.parse(match[1]) : null };
}

const BASE_DEPLOYMENT = { chainId: 8453, contract: `0x${"5f".repeat(20)}` };

describe("http: verify page, QR codes and /rpc", function () {
  this.timeout(60_000);
  let svc: TestService;
  let receiptId: string;

  before(async () => {
    await buildVerifyPage();
    svc = await startService({}, { publicBaseUrl: "https://verify.example.com/", verifyPage: { rpcUrl: "https://rpc.example.org", deployment: () => BASE_DEPLOYMENT } });
    const co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    receiptId = (await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none))).receipt;
  });
  after(() => svc.stop());

  it("serves /v/:receiptId as a page that carries its receipt id and default chain endpoint, under a strict CSP", async () => {
    const r = await page(`${svc.url}/v/${receiptId}`);
    expect(r.status).to.equal(200);
    expect(r.headers.get("content-type")).to.match(/^text\/html/);
    expect(r.config).to.deep.equal({ receiptId, apiBase: "/api/v1", rpcUrl: "https://rpc.example.org", deployment: `8453:${BASE_DEPLOYMENT.contract}` });
    expect(r.headers.get("content-security-policy")).to.include("script-src 'self'").and.include("frame-ancestors 'none'");
    expect(r.headers.get("referrer-policy")).to.equal("no-referrer");
    const js = await fetch(`${svc.url}/assets/verify.js`);
    expect([js.status, js.headers.get("content-type")]).to.deep.equal([200, "text/javascript; charset=utf-8"]);
    expect((await fetch(`${svc.url}/assets/verify.css`)).status).to.equal(200);
  });

  it("publishes the deployment verifiers pin at /.well-known/sealproof.json, and 503 until the chain is known", async () => {
    let known: typeof BASE_DEPLOYMENT | null = null;
    const published = await startService({}, { publicBaseUrl: "https://verify.example.com", wellKnown: { deployment: () => known, deploymentBlock: async () => 17, commandPublicKey: null } });
    try {
      const early = await published.call("GET", "/.well-known/sealproof.json");
      expect([early.status, early.body.error.code]).to.deep.equal([503, "CHAIN_NOT_READY"]);
      known = BASE_DEPLOYMENT;
      const r = await published.call("GET", "/.well-known/sealproof.json");
      expect(r.body).to.deep.equal({ format: "sealproof-deployment/1", chainId: 8453, contract: BASE_DEPLOYMENT.contract, deploymentBlock: 17, commandPublicKey: null, mqttUrl: null, publicBaseUrl: "https://verify.example.com" });
    } finally {
      await published.stop();
    }
  });

  it("keeps whatever the URL holds inside the page's configuration, never as markup", async () => {
    const hostile = `</script><script>alert(1)</script><!--`;
    const r = await page(`${svc.url}/v/${encodeURIComponent(hostile)}`);
    expect(r.html).to.not.include("<script>alert(1)");
    expect((r.config as { receiptId: string }).receiptId).to.equal(hostile);
  });

  it("offers no default endpoint when none is configured, and says so when the bundle is not built", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-no-assets-"));
    const bare = await startService({}, { verifyPage: { rpcUrl: null, deployment: () => null, assetsDir: empty } });
    const defaults = await startService();
    try {
      const unbuilt = await fetch(`${bare.url}/v/${receiptId}`);
      expect([unbuilt.status, await unbuilt.text()]).to.deep.equal([503, "The verify page is not built: run `npm run build:web`.\n"]);
      expect((await page(`${defaults.url}/v/${receiptId}`)).config).to.include({ rpcUrl: null, deployment: null });
    } finally {
      await bare.stop();
      await defaults.stop();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("draws QR codes (PNG and SVG) of PUBLIC_BASE_URL/v/<id>, documented in OpenAPI", async () => {
    const png = await fetch(`${svc.url}/api/v1/receipts/${receiptId}/qr.png`);
    expect([png.status, png.headers.get("content-type")]).to.deep.equal([200, "image/png"]);
    expect(decodeQrPng(new Uint8Array(await png.arrayBuffer()))).to.equal(`https://verify.example.com/v/${receiptId}`);
    const svg = await fetch(`${svc.url}/api/v1/receipts/${receiptId}/qr.svg`);
    expect([svg.status, svg.headers.get("content-type")]).to.deep.equal([200, "image/svg+xml; charset=utf-8"]);
    expect(await svg.text()).to.match(/^<svg [^>]*viewBox=/);
    const doc = (await svc.call("GET", "/api/v1/openapi.json")).body;
    expect(Object.keys(doc.paths["/api/v1/receipts/{receiptId}/qr.png"].get.responses["200"].content)).to.deep.equal(["image/png"]);
    expect(Object.keys(doc.paths["/api/v1/receipts/{receiptId}/qr.svg"].get.responses["200"].content)).to.deep.equal(["image/svg+xml"]);
  });

  it("answers QR requests for unknown or malformed ids with JSON errors", async () => {
    const unknown = await svc.call("GET", "/api/v1/receipts/7Jq3v9PzX2mKc4TnR8wYbD/qr.svg");
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "NOT_FOUND"]);
    const malformed = await svc.call("GET", "/api/v1/receipts/0OIl/qr.png");
    expect([malformed.status, malformed.body.error.code]).to.deep.equal([400, "VALIDATION_FAILED"]);
  });

  it("does not offer /rpc unless asked to", async () => {
    const r = await svc.call("POST", "/rpc", { body: { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] } });
    expect([r.status, r.body.error.code]).to.deep.equal([404, "ROUTE_NOT_FOUND"]);
  });

  it("decides where visitors read the chain: PUBLIC_RPC_URL, else the /rpc proxy for the dev chain only, unless RPC_PROXY says otherwise", () => {
    const dev = { chainRpcUrl: "http://127.0.0.1:8545", devChain: true };
    const external = { chainRpcUrl: "https://eth.provider.example/v3/KEY", devChain: false };
    const pub = "https://public-rpc.example";
    const cases: Array<[Parameters<typeof publicChainAccess>[0], ReturnType<typeof publicChainAccess>]> = [
      [{ ...dev, publicRpcUrl: undefined, rpcProxy: undefined }, { pageRpcUrl: "/rpc", proxyUpstream: dev.chainRpcUrl }],
      [{ ...dev, publicRpcUrl: pub, rpcProxy: undefined }, { pageRpcUrl: pub, proxyUpstream: null }],
      [{ ...dev, publicRpcUrl: undefined, rpcProxy: "off" }, { pageRpcUrl: null, proxyUpstream: null }],
      [{ ...external, publicRpcUrl: pub, rpcProxy: undefined }, { pageRpcUrl: pub, proxyUpstream: null }],
      [{ ...external, publicRpcUrl: undefined, rpcProxy: undefined }, { pageRpcUrl: null, proxyUpstream: null }],
      [{ ...external, publicRpcUrl: undefined, rpcProxy: "on" }, { pageRpcUrl: "/rpc", proxyUpstream: external.chainRpcUrl }],
      [{ ...external, publicRpcUrl: pub, rpcProxy: "on" }, { pageRpcUrl: pub, proxyUpstream: external.chainRpcUrl }],
    ];
    for (const [input, expected] of cases) expect(publicChainAccess(input), JSON.stringify(input)).to.deep.equal(expected);
  });

  it("refuses PUBLIC_BASE_URL, PUBLIC_RPC_URL and RPC_PROXY values it cannot use", () => {
    expect(loadConfig({ PUBLIC_BASE_URL: "https://seal.example.com", PUBLIC_RPC_URL: "https://rpc.example.org", RPC_PROXY: "on" })).to.include({
      publicBaseUrl: "https://seal.example.com",
      publicRpcUrl: "https://rpc.example.org",
      rpcProxy: "on",
    });
    for (const env of [{ PUBLIC_BASE_URL: "seal.example.com" }, { PUBLIC_RPC_URL: "ws://rpc.example.org" }, { RPC_PROXY: "yes" }]) {
      expect(() => loadConfig(env), JSON.stringify(env)).to.throw(ConfigError);
    }
  });
});
