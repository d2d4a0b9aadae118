// The page's transport to the chain: JSON-RPC over fetch to the endpoint the visitor uses. Decoding is the
// evidence core's one SealAnchor reader, shared with the CLI and the batcher.
import { createSealAnchorReader, type ChainReader } from "../../service/evidence";

const REQUEST_TIMEOUT_MS = 15_000;

export class JsonRpcError extends Error {
  constructor(
    message: string,
    readonly rpcCode?: number,
  ) {
    super(message);
    this.name = "JsonRpcError";
  }
}

/** Reads the chain at `rpcUrl` and, of all contracts on it, only `contract`: the deployment the page pinned. */
export function createJsonRpcReader(rpcUrl: string, contract: string): ChainReader {
  let nextId = 1;
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    if (rpcUrl === "") throw new JsonRpcError("no JSON-RPC URL given");
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      referrerPolicy: "no-referrer",
    });
    const reply = (await res.json().catch(() => null)) as { result?: unknown; error?: { code?: number; message?: string } } | null;
    if (reply === null) throw new JsonRpcError(`${method}: HTTP ${res.status}, not a JSON-RPC answer`);
    if (reply.error) throw new JsonRpcError(`${method}: ${reply.error.message ?? "error"}`, reply.error.code);
    if (!res.ok) throw new JsonRpcError(`${method}: HTTP ${res.status}`);
    return reply.result;
  };
  return createSealAnchorReader(call, contract);
}
