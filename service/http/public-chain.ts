// How visitors' browsers reach the chain: the verify page's default JSON-RPC endpoint and whether this service
// offers its read-only /rpc proxy. The rules (also in README, "Chain access for the verify page"):
// - PUBLIC_RPC_URL set: the page uses it; no proxy unless RPC_PROXY=on.
// - embedded dev chain (no CHAIN_RPC_URL): the proxy forwards to it (it listens on loopback only) and the page uses /rpc.
// - external chain without PUBLIC_RPC_URL: no proxy unless RPC_PROXY=on, because CHAIN_RPC_URL often carries the
//   operator's provider key and quota; without either the page asks the visitor for an endpoint.

export const RPC_PROXY_PATH = "/rpc";

export interface PublicChainInput {
  publicRpcUrl: string | undefined;
  /** RPC_PROXY: "on" or "off" overrides the default described above. */
  rpcProxy: "on" | "off" | undefined;
  /** The endpoint the service itself uses for its chain. */
  chainRpcUrl: string;
  devChain: boolean;
}

export interface PublicChainAccess {
  /** The verify page's default endpoint, or null when the visitor must enter one. */
  pageRpcUrl: string | null;
  /** Where /rpc forwards to, or null when /rpc is not offered. */
  proxyUpstream: string | null;
}

export function publicChainAccess(input: PublicChainInput): PublicChainAccess {
  const proxied = input.rpcProxy === "on" || (input.rpcProxy === undefined && input.devChain && input.publicRpcUrl === undefined);
  return {
    pageRpcUrl: input.publicRpcUrl ?? (proxied ? RPC_PROXY_PATH : null),
    proxyUpstream: proxied ? input.chainRpcUrl : null,
  };
}
