// The verify page's end-to-end stack, as both Chromium suites run it: the embedded dev chain with the anchor contract,
// the service (its /rpc proxy, a test's tampering middleware in front), a company, and Chromium on a desktop and a phone.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import type { OutgoingHttpHeaders } from "node:http";
import type { RequestHandler, Response } from "express";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startDevChain, DEV_ANCHORER_KEY, DEV_CHAIN_ID, type DevChain } from "../../service/chain/dev-chain";
import { ensureDevDeployment } from "../../service/chain/deploy";
import { connectAnchorClient, type AnchorClient } from "../../service/chain/anchor-client";
import { Batcher } from "../../service/anchoring/batcher";
import { buildVerifyPage } from "../../web-verify/build";
import { startService, type TestService } from "./service";
import { createCompany, type TestCompany } from "./company";
import { DESKTOP, PHONE, launchChromium } from "./browser";

export interface VerifyPageStack {
  tmp: string;
  chain: DevChain;
  client: AnchorClient;
  svc: TestService;
  co: TestCompany;
  browser: Browser;
  /** Chinese-language contexts in Shanghai time, as most visitors see the page. */
  desktop: BrowserContext;
  phone: BrowserContext;
  stop(): Promise<void>;
}

/** Starts the stack with `intercept` in front of the service; on a failure part way, what was started is stopped. */
export async function startVerifyPageStack(mocha: Mocha.Context, tmpPrefix: string, intercept: RequestHandler): Promise<VerifyPageStack> {
  const started: Partial<VerifyPageStack> = {};
  const stop = async () => {
    await started.browser?.close();
    started.client?.close();
    await started.svc?.stop();
    await started.chain?.stop();
    if (started.tmp) fs.rmSync(started.tmp, { recursive: true, force: true });
  };
  try {
    const browser = (started.browser = await launchChromium(mocha));
    await buildVerifyPage();
    const tmp = (started.tmp = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix)));
    const chain = (started.chain = await startDevChain(tmp, 0));
    const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    const { address } = await ensureDevDeployment(provider, new Wallet(DEV_ANCHORER_KEY, provider), chain.dir);
    provider.destroy();
    const client = (started.client = await connectAnchorClient(chain.rpcUrl, address, DEV_ANCHORER_KEY));
    const deployment = { chainId: DEV_CHAIN_ID, contract: client.contract.toLowerCase() };
    const svc = (started.svc = await startService({}, { intercept, verifyPage: { rpcUrl: "/rpc", deployment: () => deployment }, rpcProxy: { upstream: chain.rpcUrl, contract: client.contract, rateLimit: 10_000 } }));
    const co = await createCompany(svc);
    const desktop = await browser.newContext({ ...DESKTOP, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const phone = await browser.newContext({ ...PHONE, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    return { tmp, chain, client, svc, co, browser, desktop, phone, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Anchors every pending record, then hands the lease back so the next Batcher can take over at once. */
export async function anchorPending(svc: TestService, client: AnchorClient): Promise<void> {
  const batcher = new Batcher(svc.store, client, { batchMax: 4096, batchIntervalMs: 0, confirmations: 1, pollMs: 10, leaseTtlMs: 10_000, now: () => new Date(), log: () => undefined });
  for (let i = 0; i < 100 && (await batcher.pass()); i++);
  await batcher.stop();
}

/** Opens the verify page of `receiptId` and waits until it has a verdict other than "checking". */
export async function openVerdict(context: BrowserContext, url: string, receiptId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/v/${receiptId}`);
  await page.waitForSelector("[data-verdict]:not([data-verdict=checking])");
  return page;
}

/** Each step on the page as `step:ok`, in order. */
export function verifySteps(page: Page): Promise<string[]> {
  return page.$$eval("[data-step]", (items) => items.map((li) => `${li.getAttribute("data-step")}:${li.getAttribute("data-ok")}`));
}

/**
 * Changes the JSON body the service writes, whichever way it writes it (the API answers GETs with one writeHead and
 * one end, not through res.json): the head is held back until the body is known, then sent with the new length.
 */
export function rewriteJsonAnswer<T>(res: Response, change: (body: T) => void): void {
  const writeHead = res.writeHead.bind(res) as (status: number, headers: OutgoingHttpHeaders) => void;
  const end = res.end.bind(res) as (chunk?: unknown) => void;
  let held: { status: number; headers: OutgoingHttpHeaders } | null = null;
  res.writeHead = ((status: number, headers?: OutgoingHttpHeaders) => {
    held = { status, headers: headers ?? {} };
    return res;
  }) as typeof res.writeHead;
  res.end = ((chunk?: unknown) => {
    const { status, headers } = held ?? { status: res.statusCode, headers: {} };
    if (typeof chunk !== "string" && !Buffer.isBuffer(chunk)) {
      writeHead(status, headers);
      end(chunk);
      return res;
    }
    const body = JSON.parse(chunk.toString()) as T;
    change(body);
    const bytes = Buffer.from(JSON.stringify(body));
    writeHead(status, { ...headers, "Content-Length": bytes.length });
    end(bytes);
    return res;
  }) as typeof res.end;
}
