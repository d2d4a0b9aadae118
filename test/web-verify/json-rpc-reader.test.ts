// The verify page's hand-encoded JSON-RPC ChainReader reads exactly what the ethers reader reads, over HTTP
// from the in-process Hardhat chain: batches, an unknown batch, transactions, an unknown transaction.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { Interface } from "ethers";
import { SEAL_ANCHOR_READ_ABI } from "../../service/chain/abi";
import { createChainReader } from "../../service/chain/reader";
import { createJsonRpcReader } from "../../web-verify/src/json-rpc-reader";
import { BATCH_COUNT_SELECTOR, BATCH_SELECTOR } from "../../service/evidence";
import { anchorNext, deployAnchor } from "../helpers/deploy-anchor";

/** Serves Hardhat's in-process network as a JSON-RPC endpoint on loopback. */
async function serveHardhat(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      network.provider.request({ method, params }).then(
        (result: unknown) => res.end(JSON.stringify({ jsonrpc: "2.0", id, result: result ?? null })),
        (err: unknown) => res.end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32000, message: (err as Error).message } })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The message `promise` rejects with; a promise that resolves fails the test. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
  if (!("err" in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.err instanceof Error ? outcome.err.message : String(outcome.err);
}

describe("web-verify: JSON-RPC chain reader", () => {
  it("uses the selectors of SealAnchor's ABI", () => {
    const abi = new Interface(SEAL_ANCHOR_READ_ABI);
    expect(BATCH_COUNT_SELECTOR).to.equal(abi.getFunction("batchCount")?.selector);
    expect(BATCH_SELECTOR).to.equal(abi.getFunction("batch")?.selector);
  });

  it("reads the chain id, batches and transactions as the ethers reader does", async () => {
    const fx = await deployAnchor();
    const first = await anchorNext(fx.anchor, fx.anchorer, 3n);
    const second = await anchorNext(fx.anchor, fx.anchorer, 2n);
    const endpoint = await serveHardhat();
    try {
      const ours = createJsonRpcReader(endpoint.url, fx.address);
      const theirs = createChainReader(ethers.provider, fx.address);
      expect(await ours.chainId()).to.equal(await theirs.chainId());
      for (const id of [0, 1, 2]) expect(await ours.readBatch(id), `batch ${id}`).to.deep.equal(await theirs.readBatch(id));
      expect(await ours.readBatch(2)).to.equal(null);
      expect((await ours.readBatch(0))?.count).to.equal(3);
      for (const hash of [first.tx.hash, second.tx.hash, `0x${"ab".repeat(32)}`]) expect(await ours.readTransaction(hash)).to.deep.equal(await theirs.readTransaction(hash));
      expect(await ours.readTransaction(`0x${"ab".repeat(32)}`)).to.equal(null);
      expect(await failure(createJsonRpcReader(endpoint.url, fx.admin.address).readBatch(0))).to.include("not a SealAnchor contract");
    } finally {
      await endpoint.close();
    }
  });

  it("reports an endpoint that is not JSON-RPC, or none, as an error", async () => {
    const fx0 = `0x${"00".repeat(20)}`;
    expect(await failure(createJsonRpcReader("", fx0).chainId())).to.include("no JSON-RPC URL");
    const notRpc = http.createServer((_req, res) => res.end("<html>hello</html>"));
    await new Promise<void>((resolve) => notRpc.listen(0, "127.0.0.1", resolve));
    try {
      expect(await failure(createJsonRpcReader(`http://127.0.0.1:${(notRpc.address() as AddressInfo).port}`, fx0).chainId())).to.include("not a JSON-RPC answer");
    } finally {
      await new Promise((resolve) => notRpc.close(resolve));
    }
  });
});
