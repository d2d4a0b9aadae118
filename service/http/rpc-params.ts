// What /rpc lets each method ask of the node: eth_call reaches only the pinned SealAnchor's views, under a gas
// cap, and eth_getLogs only its events over a bounded block range, so no request can make the node compute much.

/** The gas every forwarded eth_call runs with: ample for SealAnchor's views (a few thousand), far from a loop's appetite. */
export const RPC_CALL_GAS_CAP = 3_000_000n;
/** Most blocks one eth_getLogs may span. */
export const RPC_LOGS_MAX_BLOCKS = 10_000n;

/** The SealAnchor views verification reads, by selector (pinned against the ABI in a test), and their argument bytes. */
export const SEAL_ANCHOR_VIEWS: ReadonlyMap<string, { signature: string; argBytes: number }> = new Map([
  ["0x06f13056", { signature: "batchCount()", argBytes: 0 }],
  ["0xfb6320d0", { signature: "nextSeq()", argBytes: 0 }],
  ["0x857553cc", { signature: "batch(uint64)", argBytes: 32 }],
]);

/** A request's params that /rpc will not forward: 400 when malformed, 403 when well formed but not allowed. */
export class RpcParamsRefusal extends Error {
  constructor(
    readonly status: 400 | 403,
    message: string,
  ) {
    super(message);
  }
}

const BLOCK_TAGS = new Set(["latest", "earliest", "pending", "safe", "finalized"]);
const QUANTITY_RE = /^0x(?:0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/;
const HASH_RE = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const CALL_FIELDS = new Set(["to", "data", "input", "gas"]);
const LOG_FILTER_FIELDS = new Set(["address", "fromBlock", "toBlock", "topics", "blockHash"]);

/** The params to forward for `method` (eth_call's with the gas cap set), or a refusal. `contract` is the pinned address. */
export function checkParams(method: string, params: unknown[], contract: string): unknown[] {
  switch (method) {
    case "eth_chainId":
    case "eth_blockNumber":
      if (params.length > 0) throw new RpcParamsRefusal(400, `${method} takes no params`);
      return params;
    case "eth_getTransactionReceipt":
      if (params.length !== 1 || !isHash(params[0])) throw new RpcParamsRefusal(400, "eth_getTransactionReceipt takes one transaction hash");
      return params;
    case "eth_getBlockByNumber":
      if (params.length !== 2 || !isBlock(params[0]) || typeof params[1] !== "boolean") throw new RpcParamsRefusal(400, "eth_getBlockByNumber takes a block number or tag and a boolean");
      return params;
    case "eth_call":
      return checkCall(params, contract);
    case "eth_getLogs":
      return [checkLogFilter(params, contract)];
    default:
      throw new RpcParamsRefusal(403, `method ${method.slice(0, 64)} is not available here`);
  }
}

/** [call, block?]: only to the contract, only a listed view with exactly its arguments, no sender, value or override. */
function checkCall(params: unknown[], contract: string): unknown[] {
  // A third parameter overrides state or block: a way to make the node compute anything, never needed to read.
  if (params.length < 1 || params.length > 2) throw new RpcParamsRefusal(400, "eth_call takes a call object and a block tag only");
  const call = params[0];
  if (!isObject(call)) throw new RpcParamsRefusal(400, "eth_call's first param must be a call object");
  const extra = Object.keys(call).filter((field) => !CALL_FIELDS.has(field));
  if (extra.length > 0) throw new RpcParamsRefusal(400, `eth_call takes only to, data and gas here, not ${extra.join(", ").slice(0, 80)}`);
  if (params.length === 2 && !isBlock(params[1])) throw new RpcParamsRefusal(400, "eth_call's block must be a block number or tag");
  if (!sameAddress(call.to, contract)) throw new RpcParamsRefusal(403, `eth_call reaches only the SealAnchor contract ${contract}`);
  if (call.data !== undefined && call.input !== undefined && call.data !== call.input) throw new RpcParamsRefusal(400, "eth_call's data and input differ");
  const data = call.data ?? call.input;
  const view = typeof data === "string" && /^0x(?:[0-9a-fA-F]{2})*$/.test(data) ? SEAL_ANCHOR_VIEWS.get(data.slice(0, 10).toLowerCase()) : undefined;
  if (view === undefined) throw new RpcParamsRefusal(403, `eth_call may only read ${[...SEAL_ANCHOR_VIEWS.values()].map((v) => v.signature).join(", ")}`);
  if ((data as string).length !== 10 + 2 * view.argBytes) throw new RpcParamsRefusal(400, `${view.signature} takes ${view.argBytes} bytes of arguments, this call has ${((data as string).length - 10) / 2}`);
  if (call.gas !== undefined && !(isQuantity(call.gas) && BigInt(call.gas) <= RPC_CALL_GAS_CAP)) {
    throw new RpcParamsRefusal(400, `eth_call's gas must be a quantity of at most ${RPC_CALL_GAS_CAP}`);
  }
  return [{ to: call.to, data, gas: `0x${RPC_CALL_GAS_CAP.toString(16)}` }, ...params.slice(1)];
}

/** [filter]: the contract's logs only, in one block (blockHash) or a numbered range of at most RPC_LOGS_MAX_BLOCKS. */
function checkLogFilter(params: unknown[], contract: string): object {
  const filter = params[0];
  if (params.length !== 1 || !isObject(filter)) throw new RpcParamsRefusal(400, "eth_getLogs takes one filter object");
  const extra = Object.keys(filter).filter((field) => !LOG_FILTER_FIELDS.has(field));
  if (extra.length > 0) throw new RpcParamsRefusal(400, `eth_getLogs takes only address, fromBlock, toBlock, topics and blockHash, not ${extra.join(", ").slice(0, 80)}`);
  const addresses = Array.isArray(filter.address) ? filter.address : [filter.address];
  if (addresses.length === 0 || !addresses.every((a) => sameAddress(a, contract))) throw new RpcParamsRefusal(403, `eth_getLogs reads only the logs of the SealAnchor contract ${contract}`);
  if (filter.topics !== undefined && !isTopics(filter.topics)) throw new RpcParamsRefusal(400, "eth_getLogs topics must be at most 4 entries of null, a hash or a list of hashes");
  if (filter.blockHash !== undefined) {
    if (!isHash(filter.blockHash) || filter.fromBlock !== undefined || filter.toBlock !== undefined) throw new RpcParamsRefusal(400, "eth_getLogs takes a blockHash alone, or fromBlock and toBlock");
    return filter;
  }
  if (!isQuantity(filter.fromBlock) || !isQuantity(filter.toBlock)) throw new RpcParamsRefusal(400, "eth_getLogs needs fromBlock and toBlock as block numbers (tags leave the range unbounded)");
  const span = BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n;
  if (span < 1n || span > RPC_LOGS_MAX_BLOCKS) throw new RpcParamsRefusal(400, `eth_getLogs may span 1 to ${RPC_LOGS_MAX_BLOCKS} blocks, this one spans ${span}`);
  return filter;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const isQuantity = (v: unknown): v is string => typeof v === "string" && QUANTITY_RE.test(v);
const isHash = (v: unknown): v is string => typeof v === "string" && HASH_RE.test(v);
const isBlock = (v: unknown): boolean => isQuantity(v) || (typeof v === "string" && BLOCK_TAGS.has(v));
const sameAddress = (v: unknown, contract: string): boolean => typeof v === "string" && ADDRESS_RE.test(v) && v.toLowerCase() === contract.toLowerCase();

function isTopics(v: unknown): boolean {
  const topic = (t: unknown) => t === null || isHash(t) || (Array.isArray(t) && t.length <= 16 && t.every(isHash));
  return Array.isArray(v) && v.length <= 4 && v.every(topic);
}
