// /rpc is not a CPU lever: against a real anvil node behind a request-counting relay, eth_call reaches only the
// pinned SealAnchor's views under a gas cap and eth_getLogs only its logs over a bounded range; everything else is
// refused before the node hears of it. An infinite-loop contract deployed on the same node proves the point.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { FunctionFragment, Interface, JsonRpcProvider, Wallet, id } from "ethers";
import { DEV_ANCHORER_KEY, startDevChain, type DevChain } from "../../service/chain/dev-chain";
import { ensureDevDeployment } from "../../service/chain/deploy";
import { SEAL_ANCHOR_READ_ABI, SEAL_ANCHOR_WRITE_ABI } from "../../service/chain/abi";
import { RPC_CALL_GAS_CAP, RPC_LOGS_MAX_BLOCKS, SEAL_ANCHOR_VIEWS } from "../../service/http/rpc-params";
import { startService, type TestService } from "../helpers/service";

/** Runtime code JUMPDEST PUSH1 0 JUMP (a loop that never ends), behind init code that returns those 4 bytes. */
const INFINITE_LOOP_INITCODE = "0x6004600c60003960046000f35b600056";

interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string };
}

/** Forwards to the node and keeps every body it forwarded: what reached the node, and how often. */
async function countingRelay(upstream: string): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString();
      bodies.push(JSON.parse(text));
      void fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body: text }).then(async (reply) => {
        res.writeHead(reply.status, { "content-type": "application/json" }).end(await reply.text());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("http: /rpc reaches only the pinned contract, cheaply", function () {
  this.timeout(60_000);
  let tmp: string;
  let chain: DevChain;
  let relay: Awaited<ReturnType<typeof countingRelay>>;
  let svc: TestService;
  let contract: string;
  let loop: string;
  let direct: JsonRpcProvider;

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-rpc-"));
    chain = await startDevChain(tmp, 0);
    direct = new JsonRpcProvider(chain.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    const wallet = new Wallet(DEV_ANCHORER_KEY, direct);
    contract = (await ensureDevDeployment(direct, wallet, chain.dir)).address;
    const deployed = await (await wallet.sendTransaction({ data: INFINITE_LOOP_INITCODE })).wait();
    loop = deployed!.contractAddress!;
    relay = await countingRelay(chain.rpcUrl);
    svc = await startService({}, { rpcProxy: { upstream: relay.url, contract, rateLimit: 10_000 } });
  });
  after(async function () {
    await svc?.stop();
    await relay?.close();
    direct?.destroy();
    await chain?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function rpc(body: unknown): Promise<{ status: number; answer: RpcAnswer; answers: RpcAnswer[] }> {
    const res = await fetch(`${svc.url}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = (await res.json()) as RpcAnswer | RpcAnswer[];
    return Array.isArray(json) ? { status: res.status, answer: {}, answers: json } : { status: res.status, answer: json, answers: [] };
  }

  /** Sends `body` and expects a refusal with `status` that the node never saw. */
  async function refusedUnseen(body: unknown, status: number, label: string): Promise<void> {
    const seen = relay.bodies.length;
    const reply = await rpc(body);
    expect([reply.status, reply.answer.error?.code], label).to.deep.equal([status, -32602]);
    expect(relay.bodies.length, `${label}: the node was asked`).to.equal(seen);
  }

  const call = (params: unknown[], method = "eth_call") => ({ jsonrpc: "2.0", id: 7, method, params });
  const batchOf = (n: number) => `0x857553cc${n.toString(16).padStart(64, "0")}`;

  it("pins the view selectors to the ABI: every view, and nothing that writes", function () {
    const read = new Interface(SEAL_ANCHOR_READ_ABI);
    const views = read.fragments.filter((f): f is FunctionFragment => f instanceof FunctionFragment);
    expect([...SEAL_ANCHOR_VIEWS].map(([selector, v]) => [selector, v.signature])).to.have.deep.members(views.map((f) => [f.selector, f.format("sighash")]));
    expect(SEAL_ANCHOR_VIEWS.get(id("nextSeq()").slice(0, 10))?.signature).to.equal("nextSeq()");
    expect([...SEAL_ANCHOR_VIEWS].map(([selector, v]) => v.argBytes === 32 * read.getFunction(selector)!.inputs.length)).to.not.include(false);
    expect(SEAL_ANCHOR_VIEWS.has(new Interface(SEAL_ANCHOR_WRITE_ABI).getFunction("anchor")!.selector)).to.equal(false);
  });

  it("refuses an infinite-loop eth_call without reaching the node, which would have run it to the gas limit", async function () {
    // The node really would loop: called directly, it burns all the gas it is given.
    const res = await fetch(chain.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call([{ to: loop, data: "0x06f13056", gas: "0x1000000" }, "latest"])) });
    expect(((await res.json()) as RpcAnswer).error?.message).to.match(/out of gas|OutOfGas/i);
    for (const data of ["0x", "0x06f13056", "0xdeadbeef"]) await refusedUnseen(call([{ to: loop, data }, "latest"]), 403, `loop with ${data}`);
    expect(relay.bodies).to.deep.equal([]);
  });

  it("forwards the contract's views with the gas cap set, and the answers are the node's", async function () {
    const viaProxy = new JsonRpcProvider(`${svc.url}/rpc`, undefined, { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1 });
    try {
      const read = new Interface(SEAL_ANCHOR_READ_ABI);
      const batchCount = await viaProxy.call({ to: contract, data: read.encodeFunctionData("batchCount") });
      const nextSeq = await viaProxy.call({ to: contract.toLowerCase(), data: read.encodeFunctionData("nextSeq") });
      expect([BigInt(batchCount), BigInt(nextSeq)]).to.deep.equal([0n, 0n]);
    } finally {
      viaProxy.destroy();
    }
    const forwarded = relay.bodies.filter((b) => (b as { method: string }).method === "eth_call") as Array<{ params: [{ gas: string }] }>;
    expect(forwarded.map((b) => BigInt(b.params[0].gas))).to.deep.equal([RPC_CALL_GAS_CAP, RPC_CALL_GAS_CAP]);
    // batch(0) of an empty contract reverts UnknownBatch: forwarded, and the node's revert comes back.
    const unknown = await rpc(call([{ to: contract, data: batchOf(0), gas: "0x5208" }, "latest"]));
    expect(unknown.status).to.equal(200);
    expect(unknown.answer.error?.message).to.match(/revert/i);
  });

  it("refuses calls of the contract that are not a view with exactly its arguments, or that bring sender, value, gas or overrides", async function () {
    const cases: Array<[unknown[], number, string]> = [
      [[{ to: contract, data: new Interface(SEAL_ANCHOR_WRITE_ABI).encodeFunctionData("anchor", [0, `0x${"11".repeat(32)}`, 0, 1]) }, "latest"], 403, "anchor()"],
      [[{ to: contract, data: "0x06f1305600" }, "latest"], 400, "batchCount() with a stray byte"],
      [[{ to: contract, data: batchOf(0).slice(0, -2) }, "latest"], 400, "batch(uint64) one byte short"],
      [[{ to: contract, data: `${batchOf(0)}00` }, "latest"], 400, "batch(uint64) one byte long"],
      [[{ to: contract, data: "0x06f1305" }, "latest"], 403, "odd hex"],
      [[{ to: contract }, "latest"], 403, "no data"],
      [[{ data: "0x06f13056" }, "latest"], 403, "no to"],
      [[{ to: contract, data: "0x06f13056", from: contract }, "latest"], 400, "from"],
      [[{ to: contract, data: "0x06f13056", value: "0x1" }, "latest"], 400, "value"],
      [[{ to: contract, data: "0x06f13056", gas: `0x${(RPC_CALL_GAS_CAP + 1n).toString(16)}` }, "latest"], 400, "gas above the cap"],
      [[{ to: contract, data: "0x06f13056", gas: 3_000_000 }, "latest"], 400, "gas as a number"],
      [[{ to: contract, data: "0x06f13056" }, "latest", { [loop]: { code: "0x5b600056" } }], 400, "state override"],
      [[{ to: contract, data: "0x06f13056" }, { blockHash: `0x${"00".repeat(32)}` }], 400, "block object"],
      [[{ to: contract, data: "0x06f13056", input: "0xfb6320d0" }, "latest"], 400, "data and input differ"],
      [[], 400, "no params"],
    ];
    for (const [params, status, label] of cases) await refusedUnseen(call(params), status, label);
  });

  it("forwards eth_getLogs of the contract for one block or a bounded range, and refuses the rest unseen", async function () {
    const head = await direct.getBlockNumber();
    const hex = (n: number) => `0x${n.toString(16)}`;
    const max = Number(RPC_LOGS_MAX_BLOCKS);
    const block = await direct.getBlock(head);
    for (const filter of [
      { address: contract, fromBlock: "0x0", toBlock: hex(max - 1) },
      { address: [contract], fromBlock: hex(head), toBlock: hex(head), topics: [id("BatchAnchored(uint64,bytes32,uint64,uint32)")] },
      { address: contract, blockHash: block!.hash },
    ]) {
      const seen = relay.bodies.length;
      const reply = await rpc(call([filter], "eth_getLogs"));
      expect(reply.status, JSON.stringify(filter)).to.equal(200);
      expect(reply.answer.result).to.be.an("array");
      expect((reply.answer.result as Array<{ address: string }>).every((log) => log.address === contract.toLowerCase())).to.equal(true);
      expect(relay.bodies.length).to.equal(seen + 1);
    }
    const cases: Array<[object, number, string]> = [
      [{ address: contract, fromBlock: "0x0", toBlock: hex(max) }, 400, `${max + 1} blocks`],
      [{ address: contract, fromBlock: "earliest", toBlock: "latest" }, 400, "earliest to latest"],
      [{ address: contract, fromBlock: "0x0" }, 400, "no toBlock"],
      [{ address: contract }, 400, "no range"],
      [{ address: contract, fromBlock: "0x10", toBlock: "0x1" }, 400, "backwards"],
      [{ address: contract, blockHash: block!.hash, fromBlock: "0x0", toBlock: "0x0" }, 400, "blockHash with a range"],
      [{ fromBlock: "0x0", toBlock: "0x0" }, 403, "no address"],
      [{ address: [contract, loop], fromBlock: "0x0", toBlock: "0x0" }, 403, "another address beside"],
      [{ address: [], fromBlock: "0x0", toBlock: "0x0" }, 403, "empty address list"],
      [{ address: contract, fromBlock: "0x0", toBlock: "0x0", topics: [null, null, null, null, null] }, 400, "five topics"],
    ];
    for (const [filter, status, label] of cases) await refusedUnseen(call([filter], "eth_getLogs"), status, label);
  });

  it("refuses a whole batch when one of its requests is refused, so nothing of it reaches the node", async function () {
    const seen = relay.bodies.length;
    const mixed = await rpc([call([{ to: contract, data: "0x06f13056" }, "latest"]), call([{ to: loop, data: "0x" }, "latest"])]);
    expect([mixed.status, mixed.answer.error?.code]).to.deep.equal([403, -32602]);
    expect(relay.bodies.length).to.equal(seen);
  });
});
