// POST /rpc: a read-only JSON-RPC proxy to the chain, so the verify page can read the embedded dev chain
// (which listens on loopback only). Only the reads verification needs pass (rpc-params.ts: the pinned contract's
// views under a gas cap, its logs over a bounded range); nothing that signs, sends, mines or changes node state
// does. Small bodies, short batches, and a rate limit per client address.
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";
import { checkParams, RpcParamsRefusal } from "./rpc-params";

export const RPC_PROXY_METHODS: ReadonlySet<string> = new Set([
  "eth_chainId",
  "eth_blockNumber",
  "eth_call",
  "eth_getTransactionReceipt",
  "eth_getBlockByNumber",
  "eth_getLogs",
]);

export interface RpcProxyOptions {
  /** The node requests go to. */
  upstream: string;
  /** The SealAnchor address: the only contract eth_call and eth_getLogs may reach. */
  contract: string;
  /** Requests per minute per client address. */
  rateLimit: number;
  /** Most requests in one JSON-RPC batch. */
  batchLimit?: number;
  bodyLimit?: string;
  timeoutMs?: number;
}

const DEFAULT_BATCH_LIMIT = 10;
const DEFAULT_BODY_LIMIT = "16kb";
const DEFAULT_TIMEOUT_MS = 10_000;

// JSON-RPC 2.0 error codes, plus the de-facto -32005 "limit exceeded" of Ethereum nodes.
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_ALLOWED = -32601;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;
const LIMIT_EXCEEDED = -32005;

type RpcId = string | number | null;

interface RpcRequest {
  jsonrpc: "2.0";
  id?: RpcId;
  method: string;
  params: unknown[];
}

class RpcRefusal extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
    readonly id: RpcId = null,
  ) {
    super(message);
  }
}

/** The handlers to mount at POST /rpc. */
export function rpcProxy(options: RpcProxyOptions): Array<RequestHandler | ErrorRequestHandler> {
  const batchLimit = options.batchLimit ?? DEFAULT_BATCH_LIMIT;
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: options.rateLimit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json(rpcError(null, LIMIT_EXCEEDED, "too many requests; slow down and retry later"));
    },
  });
  const parse = express.json({ limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: true, type: () => true });
  const forward: RequestHandler = async (req, res) => {
    const body: unknown = req.body;
    const requests = Array.isArray(body) ? body : [body];
    if (Array.isArray(body) && body.length === 0) throw new RpcRefusal(400, INVALID_REQUEST, "empty batch");
    if (requests.length > batchLimit) throw new RpcRefusal(400, LIMIT_EXCEEDED, `a batch may hold at most ${batchLimit} requests, this one holds ${requests.length}`);
    const checked = requests.map((item) => checkRequest(item, options.contract));
    const reply = await send(options, Array.isArray(body) ? checked : checked[0]);
    res.status(200).type("application/json").send(reply);
  };
  const refuse: ErrorRequestHandler = (err, _req, res, _next) => {
    if (err instanceof RpcRefusal) return void res.status(err.status).json(rpcError(err.id, err.rpcCode, err.message));
    const type = typeof err === "object" && err !== null && "type" in err ? String((err as { type: unknown }).type) : "";
    if (type === "entity.too.large") return void res.status(413).json(rpcError(null, LIMIT_EXCEEDED, "request body too large"));
    if (type === "entity.parse.failed") return void res.status(400).json(rpcError(null, PARSE_ERROR, "the body is not valid JSON"));
    res.status(400).json(rpcError(null, INVALID_REQUEST, "bad request"));
  };
  return [limiter, parse, forward, refuse];
}

/** One request of a call or batch: well formed, on the list, and asking only what rpc-params.ts allows. */
function checkRequest(item: unknown, contract: string): RpcRequest {
  if (typeof item !== "object" || item === null || Array.isArray(item)) throw new RpcRefusal(400, INVALID_REQUEST, "a request must be a JSON-RPC 2.0 object");
  const request = item as Record<string, unknown>;
  const id = isId(request.id) ? request.id : null;
  if (request.jsonrpc !== "2.0" || typeof request.method !== "string" || !isId(request.id ?? null)) {
    throw new RpcRefusal(400, INVALID_REQUEST, "a request must be a JSON-RPC 2.0 object with a method", id);
  }
  if (!RPC_PROXY_METHODS.has(request.method)) {
    throw new RpcRefusal(403, METHOD_NOT_ALLOWED, `method ${request.method.slice(0, 64)} is not available here; this proxy serves only ${[...RPC_PROXY_METHODS].join(", ")}`, id);
  }
  if (request.params !== undefined && !Array.isArray(request.params)) throw new RpcRefusal(400, INVALID_PARAMS, "params must be an array", id);
  let params: unknown[];
  try {
    params = checkParams(request.method, (request.params as unknown[] | undefined) ?? [], contract);
  } catch (err) {
    if (err instanceof RpcParamsRefusal) throw new RpcRefusal(err.status, INVALID_PARAMS, err.message, id);
    throw err;
  }
  return { jsonrpc: "2.0", id: request.id as RpcId, method: request.method, params };
}

async function send(options: RpcProxyOptions, payload: RpcRequest | RpcRequest[]): Promise<string> {
  let res: Response;
  try {
    res = await fetch(options.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch {
    throw new RpcRefusal(502, INTERNAL_ERROR, "the chain node did not answer");
  }
  if (!res.ok) throw new RpcRefusal(502, INTERNAL_ERROR, `the chain node answered HTTP ${res.status}`);
  return res.text();
}

function rpcError(id: RpcId, code: number, message: string): object {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

const isId = (v: unknown): v is RpcId => v === null || typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
