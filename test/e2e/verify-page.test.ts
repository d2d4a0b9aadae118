// The verify page in real Chromium against a real chain node (the embedded dev chain, reached through the
// service's /rpc proxy): genuine, tampered, pending and unknown receipts, the document check, the QR code
// round trip, and the proxy's refusals. Screenshots of each state go to test-results/verify-page/.
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import type { RequestHandler } from "express";
import type { Browser, BrowserContext } from "playwright-core";
import { DEV_CHAIN_ID, type DevChain } from "../../service/chain/dev-chain";
import type { AnchorClient } from "../../service/chain/anchor-client";
import { recordLeafHash, sm3, toHex, type ReceiptBundle } from "../../service/evidence";
import { forgeOnShadowContract } from "../helpers/shadow-anchor";
import { newReceiptId } from "../../service/domain/ids";
import { startService, type TestService } from "../helpers/service";
import { grantBody, ok, useSeal, type TestCompany } from "../helpers/company";
import { DESKTOP, screenshot } from "../helpers/browser";
import { anchorPending, openVerdict, rewriteJsonAnswer, startVerifyPageStack, verifySteps, type VerifyPageStack } from "../helpers/verify-page";
import { decodeQrPng } from "../helpers/qr";

const SHOTS = "verify-page";
const SEALED_DOCUMENT = "%PDF-1.7\n销售合同 第 2026-118 号\n甲方：示例贸易有限公司\n乙方：某某科技有限公司\n金额：人民币 128,000.00 元\n%%EOF\n";

/** How a server gone bad changes a receipt before sending it, keyed by receipt id. */
const tamperings = new Map<string, (receipt: ReceiptBundle) => void>();

/** Whole answers a server gone bad sends for a receipt id instead of the real route's, keyed by receipt id. */
const forgeries = new Map<string, () => unknown>();

/** Rewrites the JSON that GET /api/v1/receipts/:id sends for the ids in `tamperings`: the real route, bad data. */
const tamperingServer: RequestHandler = (req, res, next) => {
  const id = /^\/api\/v1\/receipts\/([^/]+)$/.exec(req.path)?.[1] ?? "";
  const forged = forgeries.get(id);
  if (forged) {
    res.json(forged());
    return;
  }
  const tamper = tamperings.get(id);
  if (tamper) rewriteJsonAnswer(res, (body: { receipt?: ReceiptBundle }) => body.receipt && tamper(body.receipt));
  next();
};

/** A forged contract, and a server covering for it: the record now names the forged file's hash. */
const FORGED_DOCUMENT = SEALED_DOCUMENT.replace("128,000.00", "928,000.00");
const otherDocument = (r: ReceiptBundle): void => {
  r.record.data.documentHash = toHex(sm3(Buffer.from(FORGED_DOCUMENT)));
};

interface RpcAnswer {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** POSTs `body` to the service's /rpc; `answer` is a single reply or error, `answers` a batch's replies. */
async function rpc(url: string, body: unknown): Promise<{ status: number; answer: RpcAnswer; answers: RpcAnswer[] }> {
  const res = await fetch(`${url}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json()) as RpcAnswer | RpcAnswer[];
  return Array.isArray(json) ? { status: res.status, answer: {}, answers: json } : { status: res.status, answer: json, answers: [] };
}

describe("e2e: the verify page in Chromium", function () {
  this.timeout(180_000);
  let stack: VerifyPageStack;
  let chain: DevChain;
  let client: AnchorClient;
  let svc: TestService;
  let co: TestCompany;
  let browser: Browser;
  let desktop: BrowserContext;
  let phone: BrowserContext;
  const receipts = { genuine: "", changedRecord: "", changedRecordAndLeaf: "", pending: "" };

  before(async function () {
    stack = await startVerifyPageStack(this, "sealproof-e2e-", tamperingServer);
    ({ chain, client, svc, co, browser, desktop, phone } = stack);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const use = async () => (await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none, { document: SEALED_DOCUMENT }))).receipt as string;
    receipts.genuine = await use();
    receipts.changedRecord = await use();
    receipts.changedRecordAndLeaf = await use();
    await anchorPending(svc, client);
    receipts.pending = await use();
    tamperings.set(receipts.changedRecord, otherDocument);
    tamperings.set(receipts.changedRecordAndLeaf, (r) => {
      // A cleverer server also recomputes the leaf, so the record matches it; the path then leads elsewhere.
      otherDocument(r);
      r.proof.leaf = toHex(recordLeafHash(r.record));
    });
  });

  after(() => stack?.stop());

  const open = (context: BrowserContext, receiptId: string) => openVerdict(context, svc.url, receiptId);

  it("shows a genuine anchored receipt with every step passed, read from the chain by the browser", async () => {
    const page = await desktop.newPage();
    const rpcCalls: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/rpc")) rpcCalls.push((JSON.parse(r.postData() ?? "{}") as { method: string }).method);
    });
    await page.goto(`${svc.url}/v/${receipts.genuine}`);
    await page.waitForSelector("[data-verdict=genuine]");
    expect(await verifySteps(page)).to.deep.equal([
      "format:true", "deployment:true", "receipt:true", "leaf:true", "position:true", "chain:true", "proof:true", "anchor:true", "signature:true", "company:true",
    ]);
    expect(rpcCalls).to.include.members(["eth_chainId", "eth_call", "eth_getTransactionReceipt"]);
    const text = await page.innerText("main");
    expect(text).to.include("真实有效").and.include("Test Trading Co.").and.include("合同专用章").and.include("电子印章");
    // Company name, credit code and seal name come from the anchored registrations the browser verified.
    const companyRecord = (await svc.store.records.list({ company: co.id, fromSeq: 0, limit: 1 }))[0];
    expect(await page.innerText("[data-section=seal]")).to.include(companyRecord.data.creditCode);
    expect(await page.getAttribute("[data-section=seal] [data-facts]", "data-facts")).to.equal("anchored");
    expect(await page.innerText("[data-testid=deployment]")).to.include(client.contract.toLowerCase());
    expect(await page.innerText("[data-section=seal]")).to.match(/当前状态\s+有效/).and.match(/用印时状态\s+有效/);
    const receipt = ((await svc.call("GET", `/api/v1/receipts/${receipts.genuine}`)).body as { receipt: ReceiptBundle }).receipt;
    const usage = await page.innerText("[data-section=usage]");
    expect(usage).to.include(receipt.record.data.scenario).and.include(receipts.genuine).and.include(receipt.record.data.documentHash);
    expect(usage).to.match(/用印时间\s+\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}（GMT\+8）/);
    const anchoring = await page.innerText("[data-section=anchor]");
    expect(anchoring).to.include(String(DEV_CHAIN_ID)).and.include(String(receipt.anchor.blockNumber)).and.include(receipt.anchor.txHash).and.not.include("未能读取");
    expect(await page.inputValue("[data-testid=rpc-url]")).to.equal(`${svc.url}/rpc`);
    await screenshot(page, SHOTS, "genuine-desktop");
    await screenshot(await open(phone, receipts.genuine), SHOTS, "genuine-phone");
  });

  it("switches to English and keeps the choice across visits", async () => {
    const context = await browser.newContext(DESKTOP);
    try {
      const page = await open(context, receipts.genuine);
      expect(await page.innerText("[data-verdict]")).to.include("真实有效");
      await page.click("[data-testid=lang-switch]");
      expect(await page.innerText("[data-verdict]")).to.include("Genuine");
      expect(await page.innerText("[data-section=seal]")).to.include("Contract seal (合同专用章)");
      await page.reload();
      await page.waitForSelector("[data-verdict=genuine]");
      expect(await page.innerText("[data-verdict]")).to.include("Genuine");
      expect(await page.getAttribute("html", "lang")).to.equal("en");
      await screenshot(page, SHOTS, "genuine-english-desktop");
    } finally {
      await context.close();
    }
  });

  it("names the failing step and what it means when the server changed the record", async () => {
    for (const [context, name] of [[desktop, "desktop"], [phone, "phone"]] as const) {
      const page = await open(context, receipts.changedRecord);
      expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("failed");
      expect(await page.innerText("[data-verdict]")).to.include("核验未通过").and.include("第 4 步「记录指纹（SM3）」未通过").and.include("记录被改动过");
      expect(await page.getAttribute("[data-step=leaf]", "data-code")).to.equal("LEAF_MISMATCH");
      expect(await page.getAttribute("[data-step=signature]", "data-ok")).to.equal("false");
      expect(await page.getAttribute("[data-step=chain]", "data-ok")).to.equal("true");
      expect(await page.innerText("[data-section=usage]")).to.include("这份凭证没有通过核验，以上信息不能作为依据");
      expect(await page.innerText("[data-section=seal]")).to.not.include("用印时状态");
      await screenshot(page, SHOTS, `tampered-${name}`);
    }
  });

  it("catches a server that also recomputed the leaf: the proof no longer reaches the anchored root", async () => {
    const page = await open(desktop, receipts.changedRecordAndLeaf);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("failed");
    expect(await verifySteps(page)).to.include.members(["leaf:true", "chain:true", "proof:false", "signature:false"]);
    expect(await page.getAttribute("[data-step=proof]", "data-code")).to.equal("PROOF_INVALID");
    expect(await page.innerText("[data-verdict]")).to.include("第 7 步「默克尔证明」未通过");
  });

  it("fails a receipt anchored in a shadow SealAnchor on the same chain with DEPLOYMENT_NOT_TRUSTED", async () => {
    const companyRecord = (await svc.store.records.list({ company: co.id, fromSeq: 0, limit: 1 }))[0];
    const forged = await forgeOnShadowContract(chain.rpcUrl, {
      company: { id: co.id, name: "Test Trading Co.", creditCode: companyRecord.data.creditCode as string },
      seal: co.seal.id, signer: co.employee.id, scenario: co.scenarios.none, documentHash: toHex(sm3(Buffer.from(SEALED_DOCUMENT))),
    });
    forgeries.set(forged.receiptId, () => ({ ...forged.view, seal: { company: "Test Trading Co.", name: "合同专用章", kind: "electronic", type: "contract", status: "active" } }));
    const page = await open(desktop, forged.receiptId);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("failed");
    expect(await page.getAttribute("[data-step=deployment]", "data-code")).to.equal("DEPLOYMENT_NOT_TRUSTED");
    expect(await page.innerText("[data-verdict]")).to.include("第 2 步「存证部署」未通过");
    expect(await page.innerText("[data-section=seal]")).to.not.include(companyRecord.data.creditCode);
    await screenshot(page, SHOTS, "shadow-contract-desktop");
  });

  it("fails a genuine receipt served for another receipt id with RECEIPT_ID_MISMATCH", async () => {
    const other = newReceiptId();
    const genuineView = (await svc.call("GET", `/api/v1/receipts/${receipts.genuine}`)).body as unknown;
    forgeries.set(other, () => genuineView);
    const page = await open(desktop, other);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("failed");
    expect(await page.getAttribute("[data-step=receipt]", "data-code")).to.equal("RECEIPT_ID_MISMATCH");
  });

  it("says whether a dropped file is exactly the sealed document, hashing it in the browser", async () => {
    const changed = Buffer.from(SEALED_DOCUMENT);
    changed[changed.indexOf("128")] ^= 0x01; // 128,000 → 028,000: one byte
    for (const [context, name] of [[desktop, "desktop"], [phone, "phone"]] as const) {
      const page = await open(context, receipts.genuine);
      const uploads: string[] = [];
      page.on("request", (r) => {
        if (r.method() !== "GET" && !r.url().endsWith("/rpc")) uploads.push(r.url());
      });
      await page.setInputFiles("[data-testid=document-input]", { name: "销售合同.pdf", mimeType: "application/pdf", buffer: Buffer.from(SEALED_DOCUMENT) });
      await page.waitForSelector("[data-doc=match]");
      expect(await page.innerText("[data-doc]")).to.include("完全一致").and.include("销售合同.pdf");
      await screenshot(page, SHOTS, `document-match-${name}`);
      await page.setInputFiles("[data-testid=document-input]", { name: "销售合同（改）.pdf", mimeType: "application/pdf", buffer: changed });
      await page.waitForSelector("[data-doc=mismatch]");
      expect(await page.innerText("[data-doc]")).to.include("不一致").and.include("销售合同（改）.pdf");
      await screenshot(page, SHOTS, `document-mismatch-${name}`);
      expect(uploads, "the file must not leave the browser").to.deep.equal([]);
    }
  });

  it("warns that a document match means nothing when the record itself failed", async () => {
    const page = await open(desktop, receipts.changedRecord);
    await page.setInputFiles("[data-testid=document-input]", { name: "forged.pdf", mimeType: "application/pdf", buffer: Buffer.from(FORGED_DOCUMENT) });
    await page.waitForSelector("[data-doc=match-untrusted]");
    expect(await page.innerText("[data-doc]")).to.include("这份凭证没有通过核验，因此不能证明这是盖章时的文件").and.not.include("完全一致");
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("failed");
    await screenshot(page, SHOTS, "tampered-forged-document-desktop");
  });

  it("lets the visitor use another chain endpoint and re-run: an unreachable node is inconclusive, not false", async () => {
    const page = await open(desktop, receipts.genuine);
    await page.fill("[data-testid=rpc-url]", "http://127.0.0.1:9/");
    await page.click("[data-testid=rerun]");
    await page.waitForSelector("[data-verdict=inconclusive]");
    expect(await page.getAttribute("[data-step=chain]", "data-code")).to.equal("CHAIN_UNREACHABLE");
    expect(await page.$$eval("main > section", (els) => els.map((e) => e.getAttribute("data-verdict") ?? e.getAttribute("data-section"))).then((order) => order.slice(0, 2))).to.deep.equal(["inconclusive", "chain"]);
    expect(await page.innerText("[data-verdict]")).to.include("这并不说明印章是假的");
    await screenshot(page, SHOTS, "chain-unreachable-desktop");
    await page.fill("[data-testid=rpc-url]", chain.rpcUrl);
    await page.click("[data-testid=rerun]");
    await page.waitForSelector("[data-verdict=genuine]");
  });

  it("says a pending receipt is not anchored yet, and verifies it on retry once it is", async () => {
    for (const [context, name] of [[desktop, "desktop"], [phone, "phone"]] as const) {
      const page = await open(context, receipts.pending);
      expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("pending");
      expect(await page.innerText("[data-verdict]")).to.include("尚未上链");
      await screenshot(page, SHOTS, `pending-${name}`);
    }
    const page = await open(desktop, receipts.pending);
    await anchorPending(svc, client);
    await page.click("[data-testid=retry]");
    await page.waitForSelector("[data-verdict=genuine]");
  });

  it("tells a visitor with an unknown id that no such receipt exists", async () => {
    const page = await open(phone, "7Jq3v9PzX2mKc4TnR8wYbD");
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("not-found");
    expect(await page.innerText("main")).to.include("找不到这份凭证");
    await screenshot(page, SHOTS, "not-found-phone");
    const malformed = await open(desktop, "not-a-receipt-id!");
    expect(await malformed.getAttribute("[data-verdict]", "data-verdict")).to.equal("not-found");
  });

  it("prints a QR code that decodes to PUBLIC_BASE_URL/v/<id> and opens the page for that receipt", async () => {
    const expected = `${svc.url}/v/${receipts.genuine}`;
    const png = await fetch(`${svc.url}/api/v1/receipts/${receipts.genuine}/qr.png`);
    expect([png.status, png.headers.get("content-type")]).to.deep.equal([200, "image/png"]);
    expect(decodeQrPng(new Uint8Array(await png.arrayBuffer()))).to.equal(expected);
    const svg = await fetch(`${svc.url}/api/v1/receipts/${receipts.genuine}/qr.svg`);
    expect(svg.headers.get("content-type")).to.match(/^image\/svg\+xml/);
    const render = await desktop.newPage();
    await render.setContent(`<body style="margin:0;background:#fff"><div style="width:400px">${await svg.text()}</div></body>`);
    expect(decodeQrPng(await render.locator("svg").screenshot())).to.equal(expected);
    const page = await phone.newPage();
    await page.goto(decodeQrPng(new Uint8Array(await (await fetch(`${svc.url}/api/v1/receipts/${receipts.genuine}/qr.png`)).arrayBuffer())));
    await page.waitForSelector("[data-verdict=genuine]");
    expect(await page.innerText("[data-section=usage]")).to.include(receipts.genuine);
    const unknown = await svc.call("GET", "/api/v1/receipts/7Jq3v9PzX2mKc4TnR8wYbD/qr.png");
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "NOT_FOUND"]);
  });

  describe("the /rpc proxy", () => {
    const refused = [
      "eth_sendRawTransaction", "eth_sendTransaction", "eth_sign", "eth_signTransaction", "eth_accounts", "eth_coinbase",
      "anvil_mine", "anvil_setBalance", "anvil_setCode", "anvil_impersonateAccount", "anvil_reset", "anvil_dumpState",
      "evm_mine", "evm_snapshot", "evm_revert", "evm_increaseTime", "evm_setNextBlockTimestamp",
      "debug_traceTransaction", "debug_traceCall", "personal_sign", "personal_unlockAccount", "personal_newAccount",
      "hardhat_mine", "txpool_content", "admin_nodeInfo", "web3_clientVersion", "net_version", "eth_newFilter", "eth_subscribe",
    ];

    it("refuses every method not on its list, with a JSON-RPC error and a 4xx, and none reaches the node", async () => {
      const before = (await rpc(svc.url, { jsonrpc: "2.0", id: 0, method: "eth_blockNumber", params: [] })).answer.result;
      for (const method of refused) {
        const r = await rpc(svc.url, { jsonrpc: "2.0", id: 7, method, params: [] });
        expect([r.status, r.answer.id, r.answer.error?.code], method).to.deep.equal([403, 7, -32601]);
      }
      const mixed = await rpc(svc.url, [{ jsonrpc: "2.0", id: 1, method: "eth_chainId" }, { jsonrpc: "2.0", id: 2, method: "evm_mine", params: [] }]);
      expect([mixed.status, mixed.answer.error?.code]).to.deep.equal([403, -32601]);
      const direct = new JsonRpcProvider(chain.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
      try {
        expect(await direct.send("eth_blockNumber", [])).to.equal(before);
      } finally {
        direct.destroy();
      }
    });

    it("forwards the listed reads, singly and in batches up to the limit, and refuses longer batches", async () => {
      const one = await rpc(svc.url, { jsonrpc: "2.0", id: "a", method: "eth_chainId", params: [] });
      expect([one.status, one.answer]).to.deep.equal([200, { jsonrpc: "2.0", id: "a", result: "0x7a69" }]);
      const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "eth_blockNumber", params: [] }));
      const ten = await rpc(svc.url, batch(10));
      expect([ten.status, ten.answers.map((a) => typeof a.result)]).to.deep.equal([200, Array(10).fill("string")]);
      for (const n of [11, 50]) {
        const long = await rpc(svc.url, batch(n));
        expect([long.status, long.answer.error?.code], `batch of ${n}`).to.deep.equal([400, -32005]);
      }
      expect((await rpc(svc.url, [])).status).to.equal(400);
    });

    it("refuses eth_call state overrides, malformed requests and oversized bodies", async () => {
      const override = await rpc(svc.url, { jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to: client.contract, data: "0x06f13056" }, "latest", { [client.contract]: { code: "0x00" } }] });
      expect([override.status, override.answer.error?.code]).to.deep.equal([400, -32602]);
      expect((await rpc(svc.url, { id: 1, method: "eth_chainId" })).status).to.equal(400);
      const notJson = await fetch(`${svc.url}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
      expect([notJson.status, ((await notJson.json()) as { error: { code: number } }).error.code]).to.deep.equal([400, -32700]);
      const huge = await rpc(svc.url, { jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to: client.contract, data: `0x${"00".repeat(20_000)}` }, "latest"] });
      expect([huge.status, huge.answer.error?.code]).to.deep.equal([413, -32005]);
    });

    it("rate-limits each client address", async () => {
      const limited = await startService({}, { rpcProxy: { upstream: chain.rpcUrl, contract: client.contract, rateLimit: 3 } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await rpc(limited.url, { jsonrpc: "2.0", id: i, method: "eth_chainId", params: [] })).status);
        expect(statuses).to.deep.equal([200, 200, 200, 429, 429]);
      } finally {
        await limited.stop();
      }
    });
  });
});
