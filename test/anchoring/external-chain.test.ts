// The service on an external chain (CHAIN_RPC_URL, ANCHOR_CONTRACT, ANCHORER_KEY_FILE), the contract put
// there by scripts/deploy.ts, and the chain going down: records are still accepted, anchoring catches up.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { expect } from "chai";
import { jsonClient } from "../helpers/service";
import { createCompany } from "../helpers/company";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";
import { Contract, JsonRpcProvider, Wallet, getCreateAddress } from "ethers";
import { DEV_ANCHORER_KEY, startDevChain, type DevChain } from "../../service/chain/dev-chain";
import { SEAL_ANCHOR_READ_ABI } from "../../service/chain/abi";

const ROOT = path.resolve(__dirname, "..", "..");

function deploy(rpc: string, keyFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/deploy.ts", "--rpc", rpc, "--key-file", keyFile], { cwd: ROOT, encoding: "utf8" }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

interface Health {
  records: number;
  chain: { contract: string; devRpcUrl: string | null };
  batcher: { state: string; lastAnchoredBatch: number | null; detail: string | null };
}

describe("anchoring: an external chain that goes away for a while", function () {
  this.timeout(240_000);
  let dir: string;
  let chain: DevChain | null = null;
  let svc: ServiceProcess | null = null;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-external-"));
  });
  afterEach(async () => {
    await svc?.stop();
    await chain?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const health = async (): Promise<Health> => (await (await fetch(`${svc!.url}/healthz`, { headers: { authorization: `Bearer ${PROCESS_OPERATOR_TOKEN}` } })).json()) as Health;
  async function until(check: (h: Health) => boolean, what: string): Promise<Health> {
    for (let i = 0; i < 600; i++) {
      const h = await health();
      if (check(h)) return h;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting until ${what}: ${JSON.stringify(await health())}\n${svc!.output()}`);
  }

  it("deploys with scripts/deploy.ts, anchors there, keeps accepting records while it is down, then catches up", async () => {
    const chainPort = await freePort();
    const chainDir = path.join(dir, "external");
    chain = await startDevChain(chainDir, chainPort);
    const keyFile = path.join(dir, "anchorer.key");
    fs.writeFileSync(keyFile, `${DEV_ANCHORER_KEY}\n`, { mode: 0o600 });
    const deployed = await deploy(chain.rpcUrl, keyFile);
    expect(deployed.code, deployed.stderr).to.equal(0);
    const contract = deployed.stdout.trim();
    expect(contract).to.match(/^0x[0-9a-fA-F]{40}$/);

    svc = await startServiceProcess(path.join(dir, "data"), { http: await freePort(), chain: 0 }, { CHAIN_RPC_URL: chain.rpcUrl, ANCHOR_CONTRACT: contract, ANCHORER_KEY_FILE: keyFile });
    const co = await createCompany(jsonClient(svc.url), PROCESS_OPERATOR_TOKEN);
    const first = await until((h) => h.batcher.lastAnchoredBatch !== null && h.chain.devRpcUrl === null, "the first batch is anchored on the external chain");
    expect(first.chain.contract).to.equal(contract);

    await chain.stop();
    chain = null;
    const api = jsonClient(svc.url);
    for (let i = 0; i < 5; i++) {
      const r = await api.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: { code: `down-${i}`, name: "n", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" } });
      expect(r.status).to.equal(201);
    }
    const down = await until((h) => h.batcher.state === "retrying", "the batcher notices the chain is down");
    expect(down.batcher.detail).to.be.a("string");

    chain = await startDevChain(chainDir, chainPort);
    const caughtUp = await until((h) => h.batcher.state === "active" && h.batcher.lastAnchoredBatch !== null && h.batcher.lastAnchoredBatch > first.batcher.lastAnchoredBatch!, "anchoring catches up");
    const records = caughtUp.records;
    await until((h) => h.records === records, "records settle");
    expect(svc.output()).to.match(/retrying in \d+ ms/);
  });

  it("starts and takes records while the chain is unreachable, and anchors them once a node answers there", async () => {
    const chainPort = await freePort();
    const rpcUrl = `http://127.0.0.1:${chainPort}`;
    // The address scripts/deploy.ts will give the contract on a fresh chain: the deployer's first transaction.
    const contract = getCreateAddress({ from: new Wallet(DEV_ANCHORER_KEY).address, nonce: 0 });
    svc = await startServiceProcess(path.join(dir, "data"), { http: await freePort(), chain: 0 }, { CHAIN_RPC_URL: rpcUrl, ANCHOR_CONTRACT: contract, ANCHORER_KEY: DEV_ANCHORER_KEY });
    expect((await fetch(`${svc.url}/healthz`)).status).to.equal(200);
    const co = await createCompany(jsonClient(svc.url), PROCESS_OPERATOR_TOKEN);
    expect(co.id).to.be.a("string");
    const down = await until((h) => h.batcher.state === "retrying" && h.records > 0, "the batcher finds no chain");
    expect(down.batcher.lastAnchoredBatch).to.equal(null);

    chain = await startDevChain(path.join(dir, "external"), chainPort);
    const keyFile = path.join(dir, "anchorer.key");
    fs.writeFileSync(keyFile, `${DEV_ANCHORER_KEY}\n`, { mode: 0o600 });
    const deployed = await deploy(rpcUrl, keyFile);
    expect([deployed.code, deployed.stdout.trim()], deployed.stderr).to.deep.equal([0, contract]);
    const anchored = await until((h) => h.batcher.state === "active" && h.batcher.lastAnchoredBatch !== null, "the records are anchored");
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const nextSeq = Number(await new Contract(contract, SEAL_ANCHOR_READ_ABI, provider).nextSeq());
      expect(nextSeq).to.be.at.least(down.records);
      expect(anchored.records).to.be.at.least(down.records);
    } finally {
      provider.destroy();
    }
  });
});
