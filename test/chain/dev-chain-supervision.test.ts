// The real service on its embedded dev chain, with anvil SIGKILLed while usages are being written: ingestion goes on,
// /healthz says degraded, anvil comes back by itself from its saved state, and every acknowledged usage is anchored.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { jsonClient, type Call } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal, type TestCompany } from "../helpers/company";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";
import { createChainReader } from "../../service/chain/reader";
import { verifyReceipt, type Deployment, type ReceiptBundle } from "../../service/evidence";

const BATCH_INTERVAL_MS = 500;

interface ReceiptView {
  status: string;
  receipt: ReceiptBundle;
  sealReceipt?: ReceiptBundle;
  companyReceipt?: ReceiptBundle;
}

interface PublicHealth {
  status: string;
  anchoring: string;
}

interface OperatorHealth {
  status: string;
  reasons: Array<{ code: string; message: string }>;
  devChain: { state: string; exits: number; detail: string | null };
}

async function operatorHealth(svc: ServiceProcess): Promise<OperatorHealth> {
  return (await (await fetch(`${svc.url}/healthz`, { headers: { authorization: `Bearer ${PROCESS_OPERATOR_TOKEN}` } })).json()) as OperatorHealth;
}

async function publicHealth(url: string): Promise<{ http: number; body: PublicHealth }> {
  const r = await fetch(`${url}/healthz`);
  return { http: r.status, body: (await r.json()) as PublicHealth };
}

function anvilPid(dataDir: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(dataDir, "chain", "anvil.pid"), "utf8"));
  } catch {
    return null;
  }
}

async function chainAnswers(rpcUrl: string): Promise<boolean> {
  try {
    const r = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
    return r.ok;
  } catch {
    return false;
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("chain: the embedded dev chain is supervised", function () {
  this.timeout(240_000);
  let dataDir: string;
  let running: ServiceProcess | null = null;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-devchain-"));
  });
  afterEach(async () => {
    await running?.stop();
    running = null;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("anvil SIGKILLed under load: writes keep succeeding, /healthz says degraded, anvil returns, every acknowledged usage is anchored", async () => {
    const ports = { http: await freePort(), chain: await freePort() };
    const svc = (running = await startServiceProcess(dataDir, ports, { BATCH_INTERVAL_MS: String(BATCH_INTERVAL_MS), PUBLIC_RATE_LIMIT: "1000000" }));
    const api = jsonClient(svc.url);
    const co: TestCompany = await createCompany(api, PROCESS_OPERATOR_TOKEN);
    await ok(api.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const first = await ok(useSeal(api, co.employee, co.seal, co.scenarios.none));
    await until("a first usage is anchored", 30_000, async () => ((await ok(api.call("GET", `/api/v1/receipts/${first.receipt}`))).status === "anchored" ? true : null));

    const acknowledged: string[] = [];
    const refused: string[] = [];
    let writing = true;
    const writer = async () => {
      while (writing) {
        const r = await useSeal(api, co.employee, co.seal, co.scenarios.none, { document: `doc-${acknowledged.length}-${Math.random()}` });
        if (r.status === 201) acknowledged.push(r.body.receipt as string);
        else refused.push(`${r.status} ${JSON.stringify(r.body)}`);
      }
    };
    const writers = [writer(), writer()];
    try {
      await until("a few usages are acknowledged", 30_000, async () => (acknowledged.length >= 5 ? true : null));
      const killed = anvilPid(dataDir);
      expect(killed, "anvil.pid").to.be.a("number");
      process.kill(killed as number, "SIGKILL");
      const killedAt = Date.now();
      const beforeKill = acknowledged.length;

      const degraded = await until("/healthz says degraded", 2 * BATCH_INTERVAL_MS, async () => {
        const h = await publicHealth(svc.url);
        return h.body.status === "degraded" ? h : null;
      });
      expect(degraded.http, "degraded but serving answers 200").to.equal(200);
      expect(degraded.body.anchoring).to.equal("degraded");
      expect((await operatorHealth(svc)).reasons.map((r) => r.code)).to.include("DEV_CHAIN_DOWN");

      const restarted = await until("anvil is back with a new pid", 30_000, async () => {
        const pid = anvilPid(dataDir);
        return pid !== null && pid !== killed && (await chainAnswers(svc.rpcUrl)) ? pid : null;
      });
      expect(restarted).to.not.equal(killed);
      await until("/healthz says ok again", 30_000, async () => ((await publicHealth(svc.url)).body.status === "ok" ? true : null));
      await until("usages are acknowledged after the restart", 30_000, async () => (acknowledged.length > beforeKill + 5 ? true : null));
      expect(Date.now() - killedAt).to.be.lessThan(60_000);
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    expect(refused, "every write during the outage is acknowledged").to.deep.equal([]);

    await expectAllVerify(svc, acknowledged);
  });

  it("restarts from what state survived: batches the chain lost are anchored again, a cut-short state file is replaced, three exits raise DEV_CHAIN_RESTARTING once", async () => {
    const ports = { http: await freePort(), chain: await freePort() };
    const svc = (running = await startServiceProcess(dataDir, ports, { BATCH_INTERVAL_MS: String(BATCH_INTERVAL_MS), PUBLIC_RATE_LIMIT: "1000000" }));
    const api = jsonClient(svc.url);
    const co = await createCompany(api, PROCESS_OPERATOR_TOKEN);
    await ok(api.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const stateFile = path.join(dataDir, "chain", "state.json");
    const receipts = [(await ok(useSeal(api, co.employee, co.seal, co.scenarios.none))).receipt as string];
    await anchored(api, receipts[0]);
    // anvil writes its state every second: after two, the file holds the first usage's batch.
    await new Promise((r) => setTimeout(r, 2_000));
    const older = fs.readFileSync(stateFile);
    for (let i = 0; i < 3; i++) receipts.push((await ok(useSeal(api, co.employee, co.seal, co.scenarios.none, { document: `later-${i}` }))).receipt as string);
    await anchored(api, receipts[3]);

    // The chain comes back without the last batches (as after a SIGKILL between two state writes); the batcher
    // anchors them again (with the same transaction, byte for byte: same nonce, same call).
    await killAnvil(svc, () => fs.writeFileSync(stateFile, older));
    await until("the batcher anchors the lost batches again", 30_000, async () => (svc.output().includes("BATCHES_REANCHORING") ? true : null));
    await expectAllVerify(svc, receipts);

    // The state file cut short mid-write, which anvil refuses to start from.
    await killAnvil(svc, () => fs.writeFileSync(stateFile, fs.readFileSync(stateFile).subarray(0, 100)));
    await killAnvil(svc, () => undefined);
    expect(fs.readdirSync(path.join(dataDir, "chain")).some((f) => f.startsWith("state.json.unreadable-"))).to.equal(true);
    receipts.push((await ok(useSeal(api, co.employee, co.seal, co.scenarios.none, { document: "after" }))).receipt as string);
    await expectAllVerify(svc, receipts);
    const metrics = await (await fetch(`${svc.url}/metrics`, { headers: { authorization: `Bearer ${PROCESS_OPERATOR_TOKEN}` } })).text();
    expect(metrics).to.include('sealproof_alerts_raised_total{code="DEV_CHAIN_RESTARTING"} 1\n');
    expect(svc.output().match(/\[warning\] DEV_CHAIN_RESTARTING/g)).to.have.length(1);
  });

  async function killAnvil(svc: ServiceProcess, meanwhile: () => void): Promise<void> {
    const killed = anvilPid(dataDir) as number;
    process.kill(killed, "SIGKILL");
    // The first restart is 500 ms away: time enough to change what it starts from.
    meanwhile();
    await until("the service has anvil back", 60_000, async () => ((await operatorHealth(svc)).devChain.state === "up" && anvilPid(dataDir) !== killed ? true : null));
  }

  it("stopping the service stops anvil and does not restart it", async () => {
    const ports = { http: await freePort(), chain: await freePort() };
    const svc = (running = await startServiceProcess(dataDir, ports));
    const pid = anvilPid(dataDir);
    expect(pid).to.be.a("number");
    await svc.stop();
    running = null;
    expect(await chainAnswers(svc.rpcUrl)).to.equal(false);
    expect(isAlive(pid as number)).to.equal(false);
    expect(fs.existsSync(path.join(dataDir, "chain", "anvil.pid"))).to.equal(false);
  });
});

/** Waits until the receipt is anchored; returns the public receipt view. */
async function anchored(api: { call: Call }, receipt: string): Promise<ReceiptView> {
  return until(`usage ${receipt} is anchored`, 60_000, async () => {
    const view = await ok<ReceiptView>(api.call("GET", `/api/v1/receipts/${receipt}`));
    return view.status === "anchored" ? view : null;
  });
}

/** Every receipt is anchored and verifies against the chain, pinned to the deployment the service publishes. */
async function expectAllVerify(svc: ServiceProcess, receipts: string[]): Promise<void> {
  // Until the batcher has reconciled with the restarted chain, the store still calls anchored what the chain lost.
  await until("the batcher has reconciled", 60_000, async () => ((await operatorHealth(svc)).status === "ok" ? true : null));
  const api = jsonClient(svc.url);
  const published = (await (await fetch(`${svc.url}/.well-known/sealproof.json`)).json()) as Deployment;
  const deployment = { chainId: published.chainId, contract: published.contract };
  const provider = new JsonRpcProvider(svc.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const reader = createChainReader(provider, deployment.contract);
    for (const receipt of receipts) {
      const view = await anchored(api, receipt);
      const report = await verifyReceipt(view.receipt, reader, { deployment, receiptId: receipt, sealReceipt: view.sealReceipt, companyReceipt: view.companyReceipt });
      expect(report.ok, `${receipt}: ${JSON.stringify(report.steps.filter((s) => !s.ok))}`).to.equal(true);
    }
  } finally {
    provider.destroy();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
