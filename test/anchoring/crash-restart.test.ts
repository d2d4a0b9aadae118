// The real service as a child process on its embedded dev chain: SIGKILL at each crash point, restarts,
// and a chain that goes away for a while. Every acknowledged record ends up anchored exactly once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { JsonRpcProvider, Contract } from "ethers";
import { jsonClient } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal } from "../helpers/company";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";
import { SEAL_ANCHOR_READ_ABI } from "../../service/chain/abi";

const CLI = path.resolve(__dirname, "..", "..", "bin", "sealproof.js");

interface Health {
  records: number;
  chain: { contract: string };
  batcher: { state: string; lastAnchoredBatch: number | null };
}

async function health(svc: ServiceProcess): Promise<Health> {
  return (await (await fetch(`${svc.url}/healthz`, { headers: { authorization: `Bearer ${PROCESS_OPERATOR_TOKEN}` } })).json()) as Health;
}

async function chainCounters(rpcUrl: string, contract: string): Promise<{ batchCount: number; nextSeq: number }> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const anchor = new Contract(contract, SEAL_ANCHOR_READ_ABI, provider);
    return { batchCount: Number(await anchor.batchCount()), nextSeq: Number(await anchor.nextSeq()) };
  } finally {
    provider.destroy();
  }
}

/** Records accepted and not yet sequenced into a batch, as /metrics reports them. */
async function recordsWaiting(svc: ServiceProcess): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`, { headers: { authorization: `Bearer ${PROCESS_OPERATOR_TOKEN}` } })).text();
  return Number(/^sealproof_records_waiting (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Waits until every accepted record is sequenced and the chain holds them all; returns the final counters. */
async function waitAllAnchored(svc: ServiceProcess): Promise<{ records: number; batchCount: number; nextSeq: number; lastAnchoredBatch: number | null }> {
  for (let i = 0; i < 300; i++) {
    const h = await health(svc);
    const c = await chainCounters(svc.rpcUrl, h.chain.contract);
    if (c.nextSeq === h.records && h.batcher.lastAnchoredBatch === c.batchCount - 1 && (await recordsWaiting(svc)) === 0) return { records: h.records, ...c, lastAnchoredBatch: h.batcher.lastAnchoredBatch };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not all records anchored:\n${svc.output()}`);
}

interface Acknowledged {
  id: string;
  receipt: string;
}

/** Records usages one after another until `count` are acknowledged or the service stops answering (it crashed). */
async function usagesUntilCrash(api: ReturnType<typeof jsonClient>, co: Awaited<ReturnType<typeof createCompany>>, count: number): Promise<Acknowledged[]> {
  const acknowledged: Acknowledged[] = [];
  try {
    await ok(api.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    while (acknowledged.length < count) {
      const r = await useSeal(api, co.employee, co.seal, co.scenarios.none);
      if (r.status !== 201) throw new Error(`usage refused: ${JSON.stringify(r.body)}`);
      acknowledged.push({ id: r.body.id as string, receipt: r.body.receipt as string });
    }
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    // fetch failed: the connection went with the process; what was answered before is what counts.
  }
  return acknowledged;
}

/** Every acknowledged usage has one seq and an anchored receipt that names the same record. */
async function expectAnchoredOnce(svc: ServiceProcess, token: string, acknowledged: Acknowledged[]): Promise<void> {
  const api = jsonClient(svc.url);
  const seqs = new Set<number>();
  for (const { id, receipt } of acknowledged) {
    const logged = await ok(api.call("GET", `/api/v1/records/by-id/${id}`, { token }));
    expect(logged.record.seq, id).to.be.a("number");
    seqs.add(logged.record.seq as number);
    const view = await ok(api.call("GET", `/api/v1/receipts/${receipt}`));
    expect(view.status, receipt).to.equal("anchored");
    expect(view.receipt.record).to.deep.equal(logged.record);
  }
  expect(seqs.size).to.equal(acknowledged.length);
}

describe("anchoring: crashes and restarts of the real service", function () {
  this.timeout(300_000);
  let dataDir: string;
  let ports: { http: number; chain: number };
  let running: ServiceProcess | null = null;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-crash-"));
    ports = { http: await freePort(), chain: await freePort() };
  });
  afterEach(async () => {
    await running?.stop();
    running = null;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // Killed by the test while usages wait to be sequenced (a long batch interval), or by the service itself at each
  // named point of the batcher: inside the sequencer's transaction, after it committed, after the anchor was sent, after
  // it was confirmed.
  const crashes: Array<{ at: string; env: Record<string, string> }> = [
    { at: "between accept and sequencing", env: { BATCH_INTERVAL_MS: "600000" } },
    ...["during-sequence", "after-close", "after-send", "after-confirm"].map((failpoint) => ({ at: failpoint, env: { SEALPROOF_FAILPOINT: failpoint, BATCH_INTERVAL_MS: "4000" } })),
  ];
  for (const { at, env } of crashes) {
    it(`SIGKILL ${at}: after restart every acknowledged record is sequenced once and anchored once`, async () => {
      // A long interval lets the company be set up (and acknowledged) before the first batch closes and the crash hits.
      running = await startServiceProcess(dataDir, ports, env);
      const api = jsonClient(running.url);
      const co = await createCompany(api, PROCESS_OPERATOR_TOKEN);
      const acknowledged = await usagesUntilCrash(api, co, 8);
      expect(acknowledged.length, running.output()).to.be.greaterThan(0);
      const crashed = running;
      if (env.SEALPROOF_FAILPOINT === undefined) {
        expect(await recordsWaiting(crashed)).to.be.at.least(acknowledged.length);
        crashed.child.kill("SIGKILL");
      }
      await crashed.exited;
      expect(crashed.child.signalCode, crashed.output()).to.equal("SIGKILL");
      running = await startServiceProcess(dataDir, ports, { BATCH_INTERVAL_MS: "200" });
      const final = await waitAllAnchored(running);
      await expectAnchoredOnce(running, co.legalRep.token, acknowledged);
      expect(final.nextSeq).to.equal(final.records);
      expect(final.batchCount).to.equal((final.lastAnchoredBatch ?? -1) + 1);
      // The whole log, as the chain holds it: contiguous from 0, each record once.
      const log = (await ok(jsonClient(running.url).call("GET", "/api/v1/records?limit=1000", { token: co.legalRep.token }))).records as Array<{ seq: number; data: { receipt?: string } }>;
      const receipts = log.map((r) => r.data.receipt).filter((r) => r !== undefined);
      expect(new Set(receipts).size).to.equal(receipts.length);
      for (const { receipt } of acknowledged) expect(receipts).to.include(receipt);
    });
  }

  it("npm start twice: receipts issued before the restart still verify with the CLI, with the same tx hash", async () => {
    running = await startServiceProcess(dataDir, ports);
    const api = jsonClient(running.url);
    const co = await createCompany(api, PROCESS_OPERATOR_TOKEN);
    await ok(api.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const used = await ok(useSeal(api, co.employee, co.seal, co.scenarios.none));
    await waitAllAnchored(running);
    const before = await ok(api.call("GET", `/api/v1/receipts/${used.receipt}`));
    await running.stop();
    running = await startServiceProcess(dataDir, ports);
    const after = await ok(jsonClient(running.url).call("GET", `/api/v1/receipts/${used.receipt}`));
    // Anchored before the stop, so anchored at once after it: the dev chain kept its state across the restart.
    expect(after.status, `after the restart: ${JSON.stringify(after).slice(0, 300)}\n${running.output()}`).to.equal("anchored");
    expect(after.receipt.anchor.txHash).to.equal(before.receipt.anchor.txHash);
    // A verifier pins the deployment the running service publishes, once, then verifies against it.
    const env = { ...process.env, SEALPROOF_TRUST_FILE: path.join(dataDir, "trust.json") };
    const trust = spawnSync(process.execPath, [CLI, "trust", "add", running.url, "--yes"], { encoding: "utf8", env });
    expect(trust.status, trust.stdout + trust.stderr).to.equal(0);
    const cli = spawnSync(process.execPath, [CLI, "verify", `${running.url}/api/v1/receipts/${used.receipt}`, "--rpc", running.rpcUrl], { encoding: "utf8", env });
    expect(cli.status, cli.stdout + cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain("VERIFIED");
    const file = path.join(dataDir, "receipt.json");
    const tampered = structuredClone(after);
    tampered.receipt.record.data.documentHash = "0".repeat(64);
    fs.writeFileSync(file, JSON.stringify(tampered));
    const bad = spawnSync(process.execPath, [CLI, "verify", file, "--rpc", running.rpcUrl], { encoding: "utf8", env });
    expect([bad.status, bad.stdout.includes("LEAF_MISMATCH")]).to.deep.equal([1, true]);
  });

  it("accepts records while the chain is unreachable and catches up when it returns", async () => {
    running = await startServiceProcess(dataDir, ports);
    const api = jsonClient(running.url);
    const co = await createCompany(api, PROCESS_OPERATOR_TOKEN);
    await waitAllAnchored(running);
    const pid = Number(fs.readFileSync(path.join(dataDir, "chain", "anvil.pid"), "utf8"));
    process.kill(pid, "SIGSTOP");
    try {
      for (let i = 0; i < 5; i++) {
        const r = await api.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: { code: `offline-${i}`, name: "n", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" } });
        expect(r.status).to.equal(201);
      }
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const final = await waitAllAnchored(running);
    expect(final.nextSeq).to.equal(final.records);
  });
});
